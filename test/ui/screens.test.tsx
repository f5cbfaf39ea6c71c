import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {appendRunLog, logLine, newRunId, writeRun} from '../../source/jobs/history.js';
import {Store} from '../../source/store/store.js';
import {createServices} from '../../source/ui/services-live.js';
import type {Services} from '../../source/ui/services.js';
import {tempDir, tempHome} from '../support/home.js';
import {seedTasks} from '../support/tui-fixtures.js';
import {focusedLine, keys, mountApp} from './harness.js';

let home: {dir: string; cleanup: () => Promise<void>};
let data: string;
let store: Store;
let services: Services;

beforeAll(async () => {
	home = await tempHome();
	data = await tempDir();
	store = await Store.open(home.dir);
	services = createServices(store, {scheduler: false});
	// Loading the cloud SDKs can take seconds on a busy machine; no test is about that.
	await services.ready?.();
});

afterAll(async () => {
	await services.close();
	await home.cleanup();
	fs.rmSync(data, {recursive: true, force: true});
});

describe('screens (ink-testing-library, real store)', () => {
	it('starts on an empty tasks screen that says what to do, with the hint bar from the keymap', async () => {
		const ui = mountApp(services);
		const frame = await ui.waitFor('No tasks yet');
		expect(frame).toContain('cloudsync │ Tasks');
		expect(frame).toContain('a add');
		expect(frame).toContain('? help');
		await ui.press('Z');
		expect(await ui.waitFor('does nothing here')).toContain('"Z" does nothing here: press ? to see this screen\'s keys.');
		await ui.press('?');
		expect(await ui.waitFor('Keys')).toContain('filter tasks by text');
		await ui.press(keys.escape, 'q');
		expect(ui.quits).toEqual([0]);
		ui.app.unmount();
	});

	it('adds a credential through the form, verifies it, and refuses to delete it while a task uses it', async () => {
		fs.mkdirSync(path.join(data, 'backup'), {recursive: true});
		const ui = mountApp(services);
		await ui.waitFor('No tasks yet');
		await ui.press('2');
		await ui.waitFor('No credentials yet');
		await ui.press('a');
		await ui.waitFor('New credential');
		await ui.type('disk');
		// On the provider choice, "s" finds the S3 provider by its id, "l" goes back to the local folder.
		await ui.press(keys.tab);
		await ui.type('s');
		await ui.waitFor(/Provider\s+Amazon S3/);
		await ui.type('l');
		await ui.waitFor(/Provider\s+Local folder/);
		await ui.press(keys.tab);
		const first = services.providers.local.fields.find(f => !f.hidden)!;
		expect(focusedLine(ui.frame())).toContain(first.label);
		await ui.type(path.join(data, 'backup'));
		// Left and right move along the buttons, as in the dialogs.
		await ui.focus('[ Verify ]');
		await ui.press(keys.right);
		await ui.waitFor('›[ Save ]');
		await ui.press(keys.right, keys.left);
		await ui.waitFor('›[ Save ]');
		await ui.press(keys.enter);
		await ui.waitFor('Credentials (1)');
		expect((await store.getCredential('disk'))?.provider).toBe('local');

		await seedTasks(store, 1, 'disk', {path: data});
		await ui.press('R', 'D');
		await ui.waitFor('Delete credential "disk"?');
		expect(ui.frame()).toContain('›[ Cancel ]');
		await ui.press(keys.tab, keys.enter);
		expect(await ui.waitFor('is used by task')).toContain('change or delete that task first');
		expect(await store.getCredential('disk')).toBeDefined();
		ui.app.unmount();
	});

	it('windows 1,000 tasks, filters them, and expands a row with its actions', async () => {
		await seedTasks(store, 999, 'disk', {path: data});
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('G');
		const last = await ui.waitFor(/› 1000 /);
		expect(last.split('\n').length).toBeLessThanOrEqual(24);
		// x on a task that is not running says so, rather than nothing.
		await ui.press('x');
		expect(await ui.waitFor('is not running')).toContain('Task 1000 is not running: x stops a task while it runs.');
		await ui.press('g', '/');
		await ui.type('Music 7');
		const filtered = await ui.waitFor(/\d+ of 1000/);
		expect(filtered).toContain('Music 7');
		await ui.press(keys.enter, keys.enter);
		const expanded = await ui.waitFor('[Dry Run]');
		for (const action of ['›Run Now‹', '[Restore]', '[Edit]', '[Delete]', '[Logs]']) expect(expanded).toContain(action);
		ui.app.unmount();
	});

	it('task form: custom schedule shows per-field errors and the next five runs as you type', async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('a');
		await ui.waitFor('New task');
		// On a ▾ field a letter picks the next choice it starts, arrows step through them.
		await ui.focus('Transfer mode');
		await ui.type('m');
		expect(await ui.waitFor(/Transfer mode\s+MOVE ▾/)).toContain('MOVE copies, then deletes each verified source file.');
		await ui.press(keys.right);
		await ui.waitFor(/Transfer mode\s+SYNC ▾/);
		await ui.focus('Schedule');
		await ui.press(keys.enter);
		await ui.waitFor('Advanced Scheduler (custom)');
		await ui.press(keys.down, keys.down, keys.down, keys.enter);
		await ui.waitFor('Day of week');
		await ui.press(keys.tab, keys.backspace);
		await ui.type('75');
		expect(await ui.waitFor('✗ minute')).toContain('Next runs: fix the fields above');
		await ui.press(keys.backspace, keys.backspace);
		await ui.type('15');
		const preview = await ui.waitFor('Next 5 runs');
		expect(preview.match(/\d{4}-\d\d-\d\d \d\d:15/g)?.length).toBe(5);
		await ui.press(keys.escape);
		await ui.waitFor('Drop your changes?');
		await ui.press(keys.tab, keys.enter);
		await ui.waitFor('Tasks (1000)');
		ui.app.unmount();
	});

	it("a dialog's keys replace the screen's on the hint bar and in the help, and ? opens that help over the dialog", async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('a');
		await ui.waitFor('New task');
		const hintBar = () => ui.frame().trimEnd().split('\n').at(-1)!;
		expect(hintBar()).toContain('tab next');
		await ui.focus('Remote folder');
		await ui.press(keys.enter);
		await ui.waitFor('Choose the remote folder');
		expect(hintBar()).toMatch(/enter open .*use this .*esc cancel/);
		expect(hintBar()).not.toContain('tab next');
		expect(hintBar()).not.toContain('q quit');
		await ui.press('?');
		const help = await ui.waitFor('Keys (? or esc closes)');
		expect(help).toContain('use the current folder');
		expect(help).not.toContain('next field');
		// Keys that do nothing while the dialog is open are not listed.
		expect(help).not.toContain('credentials screen');
		expect(help).toContain('show or hide this help');
		// Esc closes the help only; the dialog is still open and still has the keyboard.
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Keys (? or esc closes)'));
		expect(ui.frame()).toContain('Choose the remote folder');
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Choose the remote folder'));
		expect(hintBar()).toContain('tab next');
		await ui.press(keys.escape);
		await ui.waitFor('Tasks (1000)');
		ui.app.unmount();
	});

	it('Enter on the remote folder while the credentials are still being read opens the browser once they are', async () => {
		let release!: () => void;
		const gate = new Promise<void>(resolve => (release = resolve));
		const slow: Services = {...services, listCredentials: async () => (await gate, services.listCredentials())};
		const ui = mountApp(slow);
		await ui.waitFor('Tasks (1000)');
		await ui.press('a');
		await ui.waitFor('New task');
		await ui.focus('Remote folder');
		await ui.press(keys.enter);
		expect(await ui.waitFor('Reading the credentials…')).not.toContain('Choose a credential first');
		release();
		expect(await ui.waitFor('Choose the remote folder')).toContain('(disk)');
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Choose the remote folder'));
		expect(ui.frame()).not.toContain('Reading the credentials…');
		await ui.press(keys.escape);
		await ui.waitFor('Tasks (1000)');
		ui.app.unmount();
	});

	it('text fields: a Ctrl key is not text; Home/Ctrl+A and End/Ctrl+E move the cursor; Ctrl+U clears the field', async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('a');
		await ui.waitFor('New task');
		await ui.type('abc');
		await ui.press('\u0013'); // Ctrl+S: not a key of this form
		await ui.type('de');
		await ui.waitFor(/Description\s+abcde/);
		await ui.press(keys.home);
		await ui.type('X');
		await ui.waitFor(/Description\s+Xabcde/);
		await ui.press(keys.end);
		await ui.type('Y');
		await ui.waitFor(/Description\s+XabcdeY/);
		await ui.press('\u0001'); // Ctrl+A
		await ui.type('1');
		await ui.waitFor(/Description\s+1XabcdeY/);
		await ui.press('\u0005'); // Ctrl+E
		await ui.type('2');
		await ui.waitFor(/Description\s+1XabcdeY2/);
		await ui.press('\u0015');
		await ui.waitFor(/Description\s+e\.g\. Photos/);
		await ui.type('xy');
		await ui.waitFor(/Description\s+xy/);
		// ? is text in a text field: there the hint bar offers F1, which opens the help.
		const hintBar = () => ui.frame().trimEnd().split('\n').at(-1)!;
		expect(hintBar()).toMatch(/f1 help *$/);
		await ui.press(keys.f1);
		const help = await ui.waitFor('Keys (? or esc closes)');
		expect(help).toContain('clear the text field');
		expect(help).toContain('redraw the screen');
		// Letters are text in a form: the screen switches and quit are not listed.
		expect(help).not.toContain('credentials screen');
		expect(help).not.toContain('quit (asks first');
		await ui.press(keys.f1);
		await ui.waitFor(frame => !frame.includes('Keys (? or esc closes)'));
		expect(ui.frame()).toMatch(/Description\s+xy/);
		// On the credential's choice ? is not text: it opens the help.
		await ui.press(keys.tab);
		await ui.waitFor(() => /\? help *$/.test(hintBar()));
		await ui.press('?');
		await ui.waitFor('Keys (? or esc closes)');
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Keys (? or esc closes)'));
		// The tasks filter is a text field too.
		await ui.press(keys.escape);
		await ui.waitFor('Drop your changes?');
		await ui.press(keys.tab, keys.enter);
		await ui.waitFor('Tasks (1000)');
		await ui.press('/');
		await ui.type('Music 7');
		await ui.waitFor(/\d+ of 1000/);
		// q and ? are text here.
		expect(ui.frame().trimEnd().split('\n').at(-1)).toMatch(/enter keep +esc clear +f1 help *$/);
		await ui.press('\u0015');
		await ui.waitFor(/\/\s+1000 of 1000/);
		await ui.type('Photos 12');
		expect(await ui.waitFor(/\d+ of 1000/)).toContain('Photos 12');
		ui.app.unmount();
	});

	it("the restore dialog's form keys are on the hint bar and in its help; ? is text in its fields", async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press(keys.enter);
		await ui.waitFor('[Restore]');
		await ui.press(keys.tab, keys.tab, keys.enter);
		await ui.waitFor('Restore into');
		const hintBar = () => ui.frame().trimEnd().split('\n').at(-1)!;
		expect(hintBar()).toContain('tab next');
		expect(hintBar()).not.toContain('r run');
		// In the description, ? is a character like any other; F1 opens the help, and the hint bar says so.
		expect(hintBar()).toMatch(/f1 help *$/);
		await ui.type('?');
		await ui.waitFor(/Description\s+Restore of .*\?/);
		await ui.press(keys.f1);
		expect(await ui.waitFor('Keys (? or esc closes)')).toContain('next field');
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Keys (? or esc closes)') && frame.includes('Restore into'));
		// (The task row behind the dialog has a › too: the focus is checked on the dialog's line.)
		await ui.press(keys.tab, keys.tab);
		await ui.waitFor(/› Mode/);
		expect(hintBar()).toMatch(/\? help *$/);
		await ui.press('?');
		const help = await ui.waitFor('Keys (? or esc closes)');
		expect(help).toContain('next field');
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Keys (? or esc closes)') && frame.includes('Restore into'));
		await ui.press(keys.escape);
		await ui.waitFor(frame => !frame.includes('Restore into'));
		expect(hintBar()).toContain('r run');
		ui.app.unmount();
	});

	it('saving a PUSH task whose local folder does not exist yet saves it and says so on the bottom line', async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('e');
		await ui.waitFor('Edit task');
		await ui.focus('Local path');
		for (let i = 0; i < 200; i++) await ui.press(keys.backspace);
		const missing = path.join(data, 'not-mounted-yet');
		await ui.type(missing);
		await ui.focus('[ Save ]');
		await ui.press(keys.enter);
		const frame = await ui.waitFor('does not exist yet');
		expect(frame.split('\n').at(-1)).toMatch(/Saved task \d+; its local folder does not exist yet: PUSH runs fail until it does\./);
		expect((await store.listTasks()).some(task => task.path === missing)).toBe(true);
		ui.app.unmount();
	});

	it('credentials table: a long "used by" count keeps a gap before the next column', async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('2');
		const frame = await ui.waitFor('Credentials (1)');
		expect(frame).toMatch(/disk\s+Local folder\s+1000 tasks\s+root=/);
		ui.app.unmount();
	});

	it('a message longer than the bottom line wraps onto more lines, and the screen above gives up the rows', async () => {
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		const rows = ui.frame().split('\n').length;
		await ui.press('2');
		await ui.waitFor('Credentials (1)');
		await ui.press('D');
		await ui.waitFor('Delete credential "disk"?');
		await ui.press(keys.tab, keys.enter);
		const frame = await ui.waitFor('and 995 more)');
		const lines = frame.split('\n');
		expect(lines).toHaveLength(rows);
		const message = lines.slice(-2).map(line => line.trim()).join(' ');
		expect(message).toMatch(/^credential "disk" is used by 1000 tasks: change or delete them first \(1 ".*" and 995 more\)$/);
		expect(lines[0]).toContain('cloudsync │ Credentials');
		ui.app.unmount();
	});

	it('logs screen shows a finished run with its summary, and searches it', async () => {
		const taskId = 1;
		const runId = newRunId(new Date('2026-01-01T00:00:00Z'));
		writeRun(store.dir, taskId, {id: runId, taskId, state: 'SUCCESS', dryRun: false, trigger: 'manual', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:05.000Z', filesTransferred: 3, bytesTransferred: 3072, filesDeleted: 1, filesChecked: 3, errors: 0});
		const long = `Copied ${'deep/'.repeat(30)}end-of-a-long-path.txt`;
		appendRunLog(store.dir, taskId, runId, [logLine('INFO', 'Copied a.txt'), logLine('INFO', 'Copied b.txt'), logLine('ERROR', 'something odd'), logLine('INFO', 'Deleted old.txt'), logLine('INFO', long)]);
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('L');
		const frame = await ui.waitFor('Copied b.txt');
		expect(frame).toContain('SUCCESS');
		expect(frame).toContain('3 files');
		expect(frame).toContain('FOLLOW');
		// A line longer than the screen: right scrolls sideways to its end, left back.
		expect(frame).not.toContain('end-of-a-long-path.txt');
		await ui.press(keys.right, keys.right, keys.right);
		expect(await ui.waitFor('end-of-a-long-path.txt')).toMatch(/from column \d+/);
		await ui.press(keys.left, keys.left, keys.left);
		await ui.waitFor(current => current.includes('Copied b.txt') && !current.includes('from column'));
		await ui.press('/');
		await ui.type('deleted');
		expect(await ui.waitFor('/ deleted')).toContain('Deleted old.txt');
		await ui.press(keys.enter, 'o');
		expect(await ui.waitFor('Runs of task 1')).toContain('SUCCESS');
		await ui.press(keys.escape, keys.escape);
		await ui.waitFor('Tasks (1000)');
		ui.app.unmount();
	});

	it('the list of older runs fits below the title, border included, and keeps the chosen run in view', async () => {
		const taskId = 2;
		for (let i = 0; i < 40; i++) {
			const startedAt = new Date(Date.UTC(2026, 0, 1, 0, i));
			writeRun(store.dir, taskId, {id: newRunId(startedAt), taskId, state: i === 0 ? 'FAILED' : 'SUCCESS', dryRun: false, trigger: 'manual', startedAt: startedAt.toISOString(), endedAt: startedAt.toISOString(), filesTransferred: i, bytesTransferred: 0, filesDeleted: 0, filesChecked: 0, errors: 0});
		}
		const ui = mountApp(services);
		await ui.waitFor('Tasks (1000)');
		await ui.press('j');
		await ui.waitFor(/› 2 /);
		await ui.press('L');
		await ui.waitFor(' Task 2 ');
		await ui.press('o');
		const list = await ui.waitFor('Runs of task 2');
		const lines = list.split('\n');
		expect(lines.some(line => /╰─+╯/.test(line))).toBe(true);
		expect(list).toContain('SUCCESS  39 files');
		for (let i = 0; i < 39; i++) await ui.press(keys.down);
		// The oldest run, the last in the list, is in view and chosen; the border is still there.
		const end = await ui.waitFor('FAILED  0 files');
		expect(end.split('\n').some(line => /╰─+╯/.test(line))).toBe(true);
		expect(end).toContain('SUCCESS  1 file ');
		expect(end).not.toContain('SUCCESS  39 files');
		await ui.press(keys.escape, keys.escape);
		await ui.waitFor('Tasks (1000)');
		ui.app.unmount();
	});
});
