/**
 * A `task run` reads the store and the run history and runs a local task
 * without loading zod (about 50 ms of a quick run's start): db.json comes
 * from the validated copy another process kept, run records through
 * parseRunFile. Each module that would load zod throws here if imported.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, expect, test, vi} from 'vitest';
import {cliEntry} from '../support/cli.js';

vi.mock('zod', () => {
	throw new Error('zod was loaded');
});
vi.mock('../../source/core/schemas.js', () => {
	throw new Error('core/schemas was loaded');
});
vi.mock('../../source/store/schema.js', () => {
	throw new Error('store/schema was loaded');
});
vi.mock('../../source/jobs/run-file-schema.js', () => {
	throw new Error('jobs/run-file-schema was loaded');
});

let dir: string | undefined;
afterEach(async () => {
	if (dir) await fs.rm(dir, {recursive: true, force: true});
	dir = undefined;
});

test('a local task runs twice, with its history read, and zod never loads', async () => {
	dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-zod-free-'));
	const home = path.join(dir, 'home');
	const src = path.join(dir, 'src');
	await fs.mkdir(src);
	await fs.writeFile(path.join(src, 'a.txt'), 'alpha');
	// Another process (the built CLI) writes the configuration and validates it once.
	const cli = (args: string[]) => promisify(execFile)(process.execPath, [cliEntry, ...args], {env: {...process.env, CLOUDSYNC_HOME: home}});
	await cli(['credential', 'add', 'disk', '--provider', 'local', '--field', `root=${dir}`]);
	await cli(['task', 'add', '--description', 'local', '--credential', 'disk', '--direction', 'push', '--mode', 'sync', '--path', src, '--folder', 'dst']);
	await cli(['task', 'list']);

	const {Store} = await import('../../source/store/store.js');
	const {ForegroundRun} = await import('../../source/jobs/foreground-run.js');
	const {listRuns} = await import('../../source/jobs/history.js');
	const store = await Store.open(home);
	const task = await store.requireTask(1);
	for (const expected of [1, 0]) {
		const run = await ForegroundRun.start(store, task, {trigger: 'cli'}, {log: () => {}, progress: () => {}});
		expect(await run.ended).toMatchObject({state: 'SUCCESS', filesTransferred: expected});
	}
	expect(listRuns(home, 1).map(run => run.state)).toEqual(['SUCCESS', 'SUCCESS']);
	expect(await fs.readFile(path.join(dir, 'dst', 'a.txt'), 'utf8')).toBe('alpha');
});
