/**
 * Login to Provider in the credential form, against the local Dropbox API
 * server: the dialog shows the authorize URL, takes the pasted code, and the
 * saved credential holds a refresh token that works. A wrong code is one
 * sentence in the dialog, and Esc leaves the credential as it was.
 */
import fs from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {DropboxRemote} from '../../source/providers/dropbox.js';
import {Store} from '../../source/store/store.js';
import {createServices, type LiveServices} from '../../source/ui/services-live.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';
import {tempHome} from '../support/home.js';
import {keys, mountApp} from './harness.js';

let home: {dir: string; cleanup: () => Promise<void>};
let store: Store;
let services: LiveServices;
let server: DropboxServer;

beforeAll(async () => {
	home = await tempHome();
	server = await startDropboxServer();
	store = await Store.open(home.dir);
	// api_url is a hidden field: the form keeps what the credential has.
	await store.saveCredential({name: 'dbx', provider: 'dropbox', attributes: {client_id: server.clientId, api_url: server.url}});
	services = createServices(store, {scheduler: false});
	await services.ready();
});

afterAll(async () => {
	await services.close();
	await server.stop();
	await home.cleanup();
});

/** The URL the dialog shows, put back together from its wrapped lines inside the box. */
function shownUrl(frame: string): string {
	const lines = frame.split('\n');
	const first = lines.findIndex(line => line.includes('1. Open this address'));
	const last = lines.findIndex(line => line.includes('2. Paste the code'));
	return lines
		.slice(first + 1, last)
		.map(line => line.replace(/[│┃|]/g, '').trim())
		.join('');
}

async function openLogin(ui: ReturnType<typeof mountApp>) {
	await ui.waitFor('No tasks yet');
	await ui.press('2');
	await ui.waitFor('Credentials (1)');
	await ui.press(keys.enter);
	// The saved values are in the form (they once were replaced by blank defaults).
	await ui.waitFor(frame => frame.includes('Edit credential') && frame.includes(server.clientId));
	await ui.focus('[ Login to Provider ]');
	await ui.press(keys.enter);
	return ui.waitFor(frame => frame.includes('Login to Dropbox') && frame.includes('Esc cancels.'));
}

describe('Login to Provider (Dropbox) in the credential form', () => {
	it('a wrong code is one sentence in the dialog; Esc leaves the credential unchanged', async () => {
		const ui = mountApp(services);
		await openLogin(ui);
		await ui.type('not-a-real-code');
		await ui.press(keys.enter);
		const refused = await ui.waitFor(frame => !frame.includes('Talking to Dropbox') && !frame.includes('Esc cancels.'));
		expect(refused).toMatch(/code/i);
		expect(refused).not.toMatch(/\n\s+at /);
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Login to Dropbox'));
		expect((await store.getCredential('dbx'))?.attributes['refresh_token']).toBeUndefined();
		ui.app.unmount();
	});

	it('shows the authorize URL, takes the pasted code, and saves a refresh token that works', async () => {
		const ui = mountApp(services);
		const dialog = await openLogin(ui);
		const url = shownUrl(dialog);
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?/);
		expect(url).toContain('code_challenge=');
		const code = await server.approve(url);
		await ui.type(code);
		await ui.press(keys.enter);
		await ui.waitFor(frame => !frame.includes('Login to Dropbox'));
		await ui.focus('[ Save ]');
		await ui.press(keys.enter);
		await ui.waitFor('Credentials (1)');
		const saved = await store.getCredential('dbx');
		expect(saved?.attributes['refresh_token']).toEqual(expect.any(String));
		expect(saved?.attributes['token']).toEqual(expect.any(String));
		// The tokens are real: the provider verifies with them against the server.
		await new DropboxRemote(saved!.attributes, {}).verify();
		// ... and they are sealed in db.json, never in clear text.
		const db = fs.readFileSync(`${home.dir}/db.json`, 'utf8');
		expect(db).not.toContain(String(saved!.attributes['refresh_token']));
		expect(db).not.toContain(String(saved!.attributes['token']));
		ui.app.unmount();
	});
});
