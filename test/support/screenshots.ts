/**
 * `npm run screenshots`: drives the built app in a real pseudo-terminal
 * (tmux, 80x24) through each screen and writes screenshots/*.svg from the
 * captured cells and colours.
 */
import fs from 'node:fs';
import path from 'node:path';
import {Store} from '../../source/store/store.js';
import {gridToSvg, parseAnsi} from './ansi-svg.js';
import {tempDir} from './home.js';
import {appCommand, TmuxPty} from './pty.js';
import {seedTasks} from './tui-fixtures.js';

const columns = 80;
const rows = 24;
const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'screenshots');

async function shot(pty: TmuxPty, name: string, title: string): Promise<void> {
	const grid = parseAnsi(await pty.screenAnsi(), columns, rows);
	fs.writeFileSync(path.join(outDir, `${name}.svg`), gridToSvg(grid, title));
	console.log(`screenshots/${name}.svg`);
}

async function main(): Promise<void> {
	fs.mkdirSync(outDir, {recursive: true});
	const home = await tempDir('cloudsync-shots-home-');
	const data = await tempDir('cloudsync-shots-data-');
	const backup = path.join(data, 'backup');
	const source = path.join(data, 'photos');
	fs.mkdirSync(backup, {recursive: true});
	fs.mkdirSync(source, {recursive: true});
	// Enough data that a bandwidth-limited run is still going when the screen is captured.
	for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(source, `IMG_${1000 + i}.jpg`), Buffer.alloc(256 * 1024, i));
	const store = await Store.open(home);
	await store.saveCredential({name: 'nas-backup', provider: 'local', attributes: localAttributes(backup)});
	await store.addTask({
		description: 'Photos to the backup disk',
		credential: 'nas-backup',
		direction: 'PUSH',
		transferMode: 'SYNC',
		path: source,
		folder: 'photos',
		schedule: {preset: 'daily', minute: '0', hour: '2', dom: '*', month: '*', dow: '*'},
		enabled: true,
		bwlimit: '1M',
	});
	await seedTasks(store, 40, 'nas-backup', {path: data});
	const pty = await TmuxPty.start({command: appCommand(), env: {CLOUDSYNC_HOME: home}, columns, rows});
	try {
		await pty.waitFor('Tasks (41)');
		await pty.keys('r');
		await pty.waitFor(/█|░/, 15_000);
		await pty.keys('Enter');
		await pty.waitFor('Dry Run');
		// A bar with some progress on it, not the first frame of the listing.
		await pty.waitFor(/ [1-9]\d?% /, 15_000).catch(() => undefined);
		await shot(pty, 'tasks', 'Tasks: a run in progress, the first task expanded');
		await pty.keys('?');
		await pty.waitFor('Keys');
		await shot(pty, 'help', 'Help overlay');
		await pty.keys('Escape');
		await pty.waitFor(screen => !screen.includes('Keys ('));
		await pty.keys('L');
		await pty.waitFor('FOLLOW');
		await pty.waitFor(s => s.split('\n').filter(l => /INFO|\d\d:\d\d:\d\d/.test(l)).length > 3, 15_000).catch(() => undefined);
		await shot(pty, 'logs', 'Logs: live tail of the running task');
		await pty.keys('Escape');
		await pty.waitFor('Tasks (41)');
		await pty.keys('j', 'D');
		await pty.waitFor('Delete task');
		await shot(pty, 'delete-dialog', 'Delete asks first, with Cancel focused');
		await pty.keys('Escape', 'k', 'Enter', 'Tab', 'Tab', 'Enter');
		await pty.waitFor('Restore into');
		await shot(pty, 'restore-dialog', 'Restore dialog');
		await pty.keys('Escape', 'Escape', '2');
		await pty.waitFor('Credentials (1)');
		await shot(pty, 'credentials', 'Credentials');
		await pty.keys('a');
		await pty.waitFor('New credential');
		await pty.type('offsite-s3');
		await pty.keys('Tab', 'Right');
		await pty.waitFor(/Provider\s+Amazon S3/);
		await pty.keys('Tab');
		await shot(pty, 'credential-form', 'Credential form, fields from the provider description');
		await pty.keys('Escape');
		await pty.waitFor('Drop your changes?');
		await pty.keys('Tab', 'Enter', '1', 'a');
		await pty.waitFor('New task');
		await pty.type('Mail archive');
		for (let i = 0; i < 6; i++) await pty.keys('Tab');
		await pty.keys('Enter');
		await pty.waitFor('Advanced Scheduler');
		await pty.keys('Down', 'Down', 'Down', 'Enter', 'Tab');
		await pty.keys('BSpace', '3', '0', 'Tab', 'BSpace', '2', 'Tab', 'Tab', 'Tab', 'BSpace', '1', '-', '5');
		await pty.waitFor('Next 5 runs');
		await shot(pty, 'task-form-schedule', 'Task form: Advanced Scheduler with the next five runs');
	} finally {
		await pty.close();
		fs.rmSync(home, {recursive: true, force: true});
		fs.rmSync(data, {recursive: true, force: true});
	}
}

/** The local provider's attributes for a folder (its field names come from the registry). */
function localAttributes(dir: string): Record<string, string> {
	return {root: dir};
}

await main();
