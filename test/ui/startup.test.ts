import {afterEach, beforeEach, expect, test} from 'vitest';
import {withoutFetch} from '../../source/ui/app.js';
import {createServices} from '../../source/ui/services-live.js';
import {Store} from '../../source/store/store.js';
import {tempHome} from '../support/home.js';
import {delay} from './harness.js';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
	home = await tempHome();
});
afterEach(async () => {
	await home.cleanup();
});

test('Ink loads without a global fetch, which is back afterwards', async () => {
	const original = globalThis.fetch;
	expect(await withoutFetch(async () => typeof globalThis.fetch)).toBe('undefined');
	expect(globalThis.fetch).toBe(original);
	await expect(
		withoutFetch(async () => {
			throw new Error('load failed');
		}),
	).rejects.toThrow('load failed');
	expect(globalThis.fetch).toBe(original);
});

test('the provider registry loads once the first screen is drawn, or at once when asked for', async () => {
	const store = await Store.open(home.dir);
	const services = createServices(store, {scheduler: false});
	try {
		await delay(100);
		expect(services.isReady?.()).toBe(false);
		services.screenDrawn?.();
		for (let i = 0; i < 100 && !services.isReady?.(); i++) await delay(20);
		expect(services.isReady?.()).toBe(true);
	} finally {
		await services.close();
	}
	const asked = createServices(store, {scheduler: false});
	try {
		expect(asked.isReady?.()).toBe(false);
		await asked.ready();
		expect(asked.isReady?.()).toBe(true);
	} finally {
		await asked.close();
	}
});
