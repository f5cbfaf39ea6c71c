import {afterEach, beforeEach, expect, test} from 'vitest';
import {withoutFetch} from '../../source/ui/app.js';
import {createServices} from '../../source/ui/services-live.js';
import {Store} from '../../source/store/store.js';
import {tempHome} from '../support/home.js';
import {seedTasks} from '../support/tui-fixtures.js';
import {delay, mountApp} from './harness.js';

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

test('the first frame shows the tasks read while the app started, not "loading…"', async () => {
	const store = await Store.open(home.dir);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: home.dir}});
	await seedTasks(store, 30, 'disk');
	const services = createServices(store, {scheduler: false});
	try {
		await services.preloadTasks?.();
		const {app, waitFor} = mountApp(services);
		try {
			const first = app.frames[0] ?? '';
			expect(first).toContain('Tasks (30)');
			expect(first).not.toContain('loading');
			expect(first).toContain('Photos 1');
			// Taken once: a later Tasks screen reads them afresh.
			expect(services.takeStartTasks?.()).toBeUndefined();
			await waitFor('Tasks (30)');
		} finally {
			app.unmount();
		}
	} finally {
		await services.close();
	}
});
