/**
 * A script that reads our output slowly (a pipe to a busy `jq`, a loaded
 * machine) still gets all of it: the command waits for its output to drain
 * before it exits. Found by the load test, where `task list --json` of 200
 * tasks came back cut off.
 */
import {spawn} from 'node:child_process';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {Store} from '../../source/store/store.js';
import {cliEntry} from '../support/cli.js';
import {tempHome} from '../support/home.js';
import {seedTasks} from '../support/tui-fixtures.js';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeAll(async () => {
	home = await tempHome();
	const store = await Store.open(home.dir);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: home.dir}});
	await seedTasks(store, 400, 'disk');
});
afterAll(async () => {
	await home.cleanup();
});

test('task list --json to a reader that waits 1.5 s before reading: complete JSON, exit 0', async () => {
	const child = spawn(process.execPath, [cliEntry, '--json', 'task', 'list'], {env: {...process.env, CLOUDSYNC_HOME: home.dir}, stdio: ['ignore', 'pipe', 'pipe']});
	child.stdout.pause();
	const exited = new Promise<number | null>(resolve => child.on('close', resolve));
	await new Promise(resolve => setTimeout(resolve, 1500));
	const chunks: Buffer[] = [];
	child.stdout.on('data', chunk => chunks.push(chunk as Buffer));
	child.stdout.resume();
	expect(await exited).toBe(0);
	const output = Buffer.concat(chunks).toString('utf8');
	// Far more than a pipe holds (64 KiB), so the exit had to wait for the reader.
	expect(output.length).toBeGreaterThan(200_000);
	expect((JSON.parse(output) as unknown[]).length).toBe(400);
});
