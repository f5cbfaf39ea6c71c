/**
 * End to end in a real pseudo-terminal (tmux, 80x24): the built app driven by
 * keystrokes only, checked on the screen and on the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {providers} from '../../source/providers/registry.js';
import {Store} from '../../source/store/store.js';
import {tempDir, tempHome} from '../support/home.js';
import {appCommand, focusedTexts, TmuxPty} from '../support/pty.js';

let home: {dir: string; cleanup: () => Promise<void>};
let data: string;
let pty: TmuxPty;

const files: Record<string, string> = {'a.txt': 'alpha\n', 'notes/b.md': '# bravo\n', 'notes/deep/c.bin': 'x'.repeat(70_000)};

function readTree(dir: string): Record<string, string> {
	const out: Record<string, string> = {};
	const walk = (at: string) => {
		for (const entry of fs.readdirSync(at, {withFileTypes: true})) {
			const full = path.join(at, entry.name);
			if (entry.isDirectory()) walk(full);
			else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
		}
	};
	if (fs.existsSync(dir)) walk(dir);
	return out;
}

const focus = (label: string, key = 'Tab') => pty.focus(label, key);

function rowOf(screen: string, text: string): string {
	return screen.split('\n').find(line => line.includes(text)) ?? '';
}

beforeAll(async () => {
	home = await tempHome();
	data = await tempDir();
	for (const [name, content] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(data, 'source', name)), {recursive: true});
		fs.writeFileSync(path.join(data, 'source', name), content);
	}
	// The backup disk already has a docs folder: the task form's live browser picks it.
	fs.mkdirSync(path.join(data, 'backup', 'docs'), {recursive: true});
	fs.mkdirSync(path.join(data, 'backup', 'music'));
	pty = await TmuxPty.start({command: appCommand(), env: {CLOUDSYNC_HOME: home.dir}, columns: 80, rows: 24});
});

afterAll(async () => {
	await pty?.close();
	await home.cleanup();
	fs.rmSync(data, {recursive: true, force: true});
});

describe('cloudsync TUI end to end (tmux, keys only)', () => {
	const source = () => path.join(data, 'source');
	const backup = () => path.join(data, 'backup');

	it('creates a local-folder credential through the form', async () => {
		await pty.waitFor('No tasks yet', 60_000);
		await pty.keys('2');
		await pty.waitFor('No credentials yet');
		await pty.keys('a');
		await pty.waitFor('New credential');
		await pty.typeVisible('backup-disk');
		const firstField = providers.local.fields.find(f => !f.hidden)!;
		await focus(firstField.label);
		await pty.typeVisible(backup());
		await focus('[ Save ]');
		await pty.keys('Enter');
		const screen = await pty.waitFor('Credentials (1)');
		expect(rowOf(screen, 'backup-disk')).toContain('Local');
		const store = await Store.open(home.dir);
		expect((await store.getCredential('backup-disk'))?.provider).toBe('local');
	});

	it('creates a task through the form and dry-runs it unsaved without touching the files', async () => {
		await pty.keys('1', 'a');
		await pty.waitFor('New task');
		await pty.typeVisible('Docs backup');
		await focus('Remote folder');
		await pty.keys('Enter');
		const browser = await pty.waitFor('music/');
		expect(browser).toContain('docs/');
		await pty.keys('Down');
		await pty.waitFor(screen => focusedTexts(screen).some(text => text.startsWith('docs/')));
		await pty.keys('Enter');
		await pty.waitFor('Use backup-disk:/docs');
		await pty.keys('Enter');
		await pty.waitFor(/Remote folder\s+docs/);
		await focus('Local path');
		await pty.typeVisible(source());
		await focus('[ Dry Run ]');
		await pty.keys('Enter');
		const dry = await pty.waitFor(/(SUCCESS|FAILED) \(dry run\)/, 30_000);
		expect(dry).toMatch(/SUCCESS \(dry run\): would transfer \d+ files/);
		expect(dry).toContain('Would copy');
		// The whole box is on the screen, and the hint bar has its keys (once the credential's "Saved" message is gone).
		expect(dry.trimEnd().split('\n').at(-2)).toMatch(/^╰─+╯$/);
		await pty.waitFor(screen => /sideways .*esc close/.test(screen.trimEnd().split('\n').at(-1)!));
		expect(fs.readdirSync(path.join(backup(), 'docs'))).toEqual([]);
		await pty.keys('Escape');
		await focus('[ Save ]');
		await pty.keys('Enter');
		const list = await pty.waitFor('Tasks (1)');
		expect(rowOf(list, 'Docs backup')).toMatch(/PUSH\s+SYNC/);
		expect(rowOf(list, 'Docs backup')).toContain('never run');
	});

	it('runs it now, shows it succeed, and the backup holds the files', async () => {
		await pty.keys('Enter');
		await pty.waitFor('[Dry Run]');
		await pty.keys('Enter');
		const done = await pty.waitFor(screen => /SUCCESS/.test(rowOf(screen, 'Docs backup')), 30_000);
		expect(rowOf(done, 'Docs backup')).toContain('SUCCESS');
		expect(readTree(path.join(backup(), 'docs'))).toEqual(files);
	});

	it('opens its log', async () => {
		await pty.keys('L');
		const log = await pty.waitFor(screen => screen.includes('Run succeeded') && screen.includes('Task 1 "Docs backup"'));
		expect(log).toMatch(/SUCCESS .*3 files/);
		expect(log).toContain('FOLLOW');
		for (const name of Object.keys(files)) expect(log).toContain(`${name}: Copied (new).`);
		await pty.keys('Escape');
		await pty.waitFor('Tasks (1)');
	});

	it('restores it into a new folder through the restore dialog', async () => {
		await pty.keys('Enter');
		await pty.waitFor('[Restore]');
		await focus('Restore‹', 'Tab');
		await pty.keys('Enter');
		await pty.waitFor('Restore into');
		await focus('[ Create restore task ]');
		await pty.keys('Enter');
		const list = await pty.waitFor('Tasks (2)');
		expect(rowOf(list, 'Restore of Do')).toMatch(/PULL\s+COPY/);
		await pty.keys('r');
		await pty.waitFor(screen => /SUCCESS/.test(rowOf(screen, 'Restore of Do')), 30_000);
		expect(readTree(`${source()}-restored`)).toEqual(files);
	});

	it('deletes the first task after asking, leaving the files alone', async () => {
		await pty.keys('g', 'D');
		const dialog = await pty.waitFor('Delete task 1?');
		expect(dialog).toContain('›[ Cancel ]');
		await pty.keys('Tab', 'Enter');
		await pty.waitFor('Tasks (1)');
		const store = await Store.open(home.dir);
		expect((await store.listTasks()).map(t => t.description)).toEqual(['Restore of Docs backup']);
		expect(readTree(path.join(backup(), 'docs'))).toEqual(files);
	});

	it('quits with q and gives the terminal back', async () => {
		await pty.record();
		await pty.keys('q');
		const status = await pty.waitForExit();
		if (status !== 0) console.error(`exit ${status}; last output: ${JSON.stringify(pty.recorded().slice(-300))}`);
		expect(status).toBe(0);
		expect((await pty.tmux('display-message', '-p', '-t', pty.name, '#{alternate_on}')).trim()).toBe('0');
	});
});
