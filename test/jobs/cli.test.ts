/**
 * `cloudsync task run` and `cloudsync task logs` end to end: the built CLI
 * (dist/app/cli.js, as installed) in real processes against a real s3rver.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {ListObjectsV2Command, PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {PassThrough} from 'node:stream';
import {taskRunCommand} from '../../source/cli/task-run.js';
import {diedMessage, listRuns} from '../../source/jobs/history.js';
import {taskLockPath} from '../../source/jobs/locks.js';
import {processAlive} from '../../source/jobs/process-info.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';
import {cliEntry, cloudsync} from '../support/cli.js';
import {tempDir, tempHome} from '../support/home.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {s3Credential, taskInput, waitFor} from './helpers.js';

let s3: S3rverHandle;
let home: Awaited<ReturnType<typeof tempHome>>;
let store: Store;
let scratch: string;

beforeAll(async () => {
	if (!fs.existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` first (npm test does)`);
	s3 = await startS3rver();
	home = await tempHome();
	scratch = await tempDir('cloudsync-cli-run-');
	store = await Store.open(home.dir);
	await store.saveCredential(s3Credential('s3', s3.endpoint));
	await s3.createBucket('cli');
});
afterAll(async () => {
	await s3?.stop();
	await home?.cleanup();
	fs.rmSync(scratch, {recursive: true, force: true});
});

function start(args: string[], nodeArgs: string[] = []) {
	const child = spawn(process.execPath, [...nodeArgs, cliEntry, ...args], {env: {...process.env, CLOUDSYNC_HOME: home.dir, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
	const result = {stdout: '', stderr: '', code: undefined as number | undefined};
	child.stdout.on('data', chunk => (result.stdout += String(chunk)));
	child.stderr.on('data', chunk => (result.stderr += String(chunk)));
	const done = new Promise<typeof result>(resolve => child.on('close', code => resolve({...result, code: code ?? -1})));
	return {child, result, done};
}

async function keys(prefix: string): Promise<string[]> {
	const listed = await s3.client.send(new ListObjectsV2Command({Bucket: 'cli', Prefix: prefix}));
	return (listed.Contents ?? []).map(object => object.Key!).sort();
}

describe('cloudsync task run / task logs', () => {
	it('runs in the foreground: plain progress, a summary, exit 0; --json prints the record', async () => {
		const src = path.join(scratch, 'plain');
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: 'plain', preScript: 'echo hello from pre'}));
		const plain = await cloudsync(home.dir, ['task', 'run', String(task.id)]);
		expect(plain.stderr).toBe('');
		expect(plain.code).toBe(0);
		expect(plain.stdout).toContain('[pre-script] hello from pre');
		expect(plain.stdout).toMatch(new RegExp(`Task ${task.id} "test task": SUCCESS: 1 transferred, 0 deleted, 0 unchanged, 5 B in \\d+:\\d\\d\\n$`));
		expect(await keys('plain/')).toEqual(['plain/a.txt']);

		const json = await cloudsync(home.dir, ['--json', 'task', 'run', String(task.id), '--dry-run']);
		expect(json.code).toBe(0);
		expect(JSON.parse(json.stdout)).toMatchObject({taskId: task.id, state: 'SUCCESS', dryRun: true, trigger: 'cli', filesChecked: 1});

		const logs = await cloudsync(home.dir, ['task', 'logs', String(task.id)]);
		expect(logs.code).toBe(0);
		expect(logs.stdout).toContain('Dry run: the pre-script is not run.');
		const older = await cloudsync(home.dir, ['task', 'logs', String(task.id), '--run', '2']);
		expect(older.stdout).toContain('[pre-script] hello from pre');
		const missing = await cloudsync(home.dir, ['task', 'logs', String(task.id), '--run', '3']);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toBe(`cloudsync: task ${task.id} has 2 runs kept, so there is no run 3: use --run 1 to 2\n`);
		const jsonLogs = JSON.parse((await cloudsync(home.dir, ['--json', 'task', 'logs', String(task.id)])).stdout) as {run: {dryRun: boolean}; log: string[]};
		expect(jsonLogs.run.dryRun).toBe(true);
		expect(jsonLogs.log.length).toBeGreaterThan(2);
	});

	it('refuses a second concurrent `task run` of the same task with the sentence; follows its log', async () => {
		const src = path.join(scratch, 'twice');
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'a.txt'), 'a');
		const gate = path.join(scratch, 'twice-gate');
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: 'twice', preScript: `echo waiting; while [ ! -e ${gate} ]; do sleep 0.1; done`}));
		const first = start(['task', 'run', String(task.id)]);
		await waitFor(() => listRuns(home.dir, task.id)[0]?.pid !== undefined && first.result.stdout.includes('waiting'), 20_000, 'the first run');
		const follow = start(['task', 'logs', String(task.id), '--follow']);
		const second = await cloudsync(home.dir, ['task', 'run', String(task.id)]);
		expect(second.code).toBe(1);
		const pid = listRuns(home.dir, task.id)[0]!.pid!;
		expect(second.stderr).toMatch(new RegExp(`^cloudsync: task ${task.id} is already running \\(started \\d\\d:\\d\\d by ${pid}\\)\\n$`));
		fs.writeFileSync(gate, '');
		const firstDone = await first.done;
		expect(firstDone.code).toBe(0);
		const followed = await follow.done;
		expect(followed.code).toBe(0);
		expect(followed.stdout).toContain('[pre-script] waiting');
		expect(followed.stdout).toMatch(/Run succeeded: 1 transferred/);
	});

	it('Ctrl+C cancels the run cleanly: ABORTED, exit 130, nothing left behind', async () => {
		const src = path.join(scratch, 'interrupt');
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'big.bin'), randomBytes(12 * 1024 * 1024));
		await s3.client.send(new PutObjectCommand({Bucket: 'cli', Key: 'interrupt/extra.txt', Body: 'stays'}));
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: 'interrupt', bwlimit: '1M'}));
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => /\d+(\.\d)? (KiB|MiB)\/12\.0 MiB/.test(run.result.stdout) && !/ 0 B\/12/.test(run.result.stdout.split('\n').at(-2) ?? ''), 30_000, 'a progress line');
		run.child.kill('SIGINT');
		const done = await run.done;
		expect(done.code).toBe(130);
		expect(done.stderr).toContain('Cancelling the run');
		expect(done.stdout).toMatch(/ABORTED/);
		expect(listRuns(home.dir, task.id)[0]!.state).toBe('ABORTED');
		expect(await keys('interrupt/')).toEqual(['interrupt/extra.txt']);
	});

	it('exits 1 with the reason when the run fails', async () => {
		const src = path.join(scratch, 'fails');
		fs.mkdirSync(src);
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: 'fails', preScript: 'exit 5'}));
		const failed = await cloudsync(home.dir, ['task', 'run', String(task.id)]);
		expect(failed.code).toBe(1);
		expect(failed.stderr).toBe(`cloudsync: task ${task.id} failed: the pre-script exited with status 5; nothing was transferred\n`);
		const none = await cloudsync(home.dir, ['task', 'logs', '999']);
		expect(none.code).toBe(1);
		expect(none.stderr).toBe('cloudsync: there is no task 999: see `cloudsync task list`\n');
	});

	it('draws a progress bar on a terminal and clears it before the summary', async () => {
		const src = path.join(scratch, 'tty');
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'big.bin'), randomBytes(3 * 1024 * 1024));
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: 'tty', bwlimit: '2M'}));
		const terminal = Object.assign(new PassThrough(), {isTTY: true, columns: 100});
		let screen = '';
		terminal.on('data', chunk => (screen += String(chunk)));
		const stderr = new PassThrough();
		const code = await taskRunCommand(store, task.id, {}, {stdout: terminal, stderr});
		expect(code).toBe(0);
		expect(screen).toMatch(/\r\x1b\[2K\[#*-*\] +\d+% 0\/1 files, [\d.]+ (B|KiB|MiB)\/3\.0 MiB/);
		expect(screen).toMatch(/\r\x1b\[2KTask \d+ "test task": SUCCESS: 1 transferred/);
	});

	/** A task whose pre-script says "waiting" and waits for a file; the file that lets it go on. */
	async function gatedTask(name: string) {
		const src = path.join(scratch, name);
		fs.mkdirSync(src);
		fs.writeFileSync(path.join(src, 'a.txt'), 'a');
		const gate = path.join(scratch, `${name}-gate`);
		const pidFile = path.join(scratch, `${name}.pid`);
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket: 'cli', folder: name, preScript: `echo $$ > ${pidFile}; echo waiting; while [ ! -e ${gate} ]; do sleep 0.05; done`}));
		return {task, gate, pidFile};
	}

	it('runs in the command\'s own process: no worker process, the record names the command', async () => {
		const {task, gate} = await gatedTask('own');
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		expect(listRuns(home.dir, task.id)[0]).toMatchObject({state: 'RUNNING', pid: run.child.pid});
		fs.writeFileSync(gate, '');
		expect((await run.done).code).toBe(0);
		expect(listRuns(home.dir, task.id)[0]).toMatchObject({state: 'SUCCESS', pid: run.child.pid});
	});

	it('a cancel from another cloudsync process (the app) reaches the command through its lock: ABORTED, exit 130', async () => {
		const {task, pidFile} = await gatedTask('remote-cancel');
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		await new TaskRunner(store).cancel(task.id);
		const done = await run.done;
		expect(done.code).toBe(130);
		expect(done.stderr).toContain('Cancelling the run');
		expect(listRuns(home.dir, task.id)[0]).toMatchObject({state: 'ABORTED', error: 'the run was cancelled'});
		expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
	});

	it('a hang-up (the SSH session closed) does not stop the run: it finishes and records SUCCESS', async () => {
		const {task, gate} = await gatedTask('hangup');
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		run.child.kill('SIGHUP');
		await new Promise(resolve => setTimeout(resolve, 300));
		fs.writeFileSync(gate, '');
		const done = await run.done;
		expect(done.code).toBe(0);
		expect(done.stdout).not.toContain('SUCCESS');
		expect(listRuns(home.dir, task.id)[0]!.state).toBe('SUCCESS');
		expect(await keys('hangup/')).toEqual(['hangup/a.txt']);
	});

	it('a reader that went away (closed pipe) does not stop the run', async () => {
		const {task, gate} = await gatedTask('epipe');
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		run.child.stdout.destroy();
		fs.writeFileSync(gate, '');
		const done = await run.done;
		expect(done.code).toBe(0);
		expect(listRuns(home.dir, task.id)[0]!.state).toBe('SUCCESS');
		expect(await keys('epipe/')).toEqual(['epipe/a.txt']);
	});

	it('kill -9 of the command: its script stops by itself; the next run records the killed run as FAILED, takes over its lock and succeeds', async () => {
		const {task, gate, pidFile} = await gatedTask('killed');
		const run = start(['task', 'run', String(task.id)]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		const killedRun = listRuns(home.dir, task.id)[0]!;
		run.child.kill('SIGKILL');
		await run.done;
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(true);
		// Its script runs in its own process group; that group's watchdog sees the command gone and stops it.
		const script = Number(fs.readFileSync(pidFile, 'utf8'));
		await waitFor(() => !processAlive(script), 5000, 'the script to stop after the command was killed');
		const again = start(['task', 'run', String(task.id)]);
		await waitFor(() => again.result.stdout.includes('waiting'), 20_000, 'the pre-script of the next run');
		fs.writeFileSync(gate, '');
		const done = await again.done;
		expect(done.code, done.stderr).toBe(0);
		const runs = listRuns(home.dir, task.id);
		expect(runs.map(r => r.state)).toEqual(['SUCCESS', 'FAILED']);
		expect(runs[1]).toMatchObject({id: killedRun.id, error: diedMessage});
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
	});

	it('an error nothing caught ends the command with the run recorded as FAILED, its script stopped, exit 1', async () => {
		const {task, pidFile} = await gatedTask('crash');
		const preload = new URL('../fixtures/preload/crash-on-sigusr2.mjs', import.meta.url).href;
		const run = start(['task', 'run', String(task.id)], ['--import', preload]);
		await waitFor(() => run.result.stdout.includes('waiting'), 20_000, 'the pre-script');
		run.child.kill('SIGUSR2');
		const done = await run.done;
		expect(done.code).toBe(1);
		expect(done.stderr).toBe(`cloudsync: task ${task.id} failed: ${diedMessage}: injected crash\n`);
		expect(listRuns(home.dir, task.id)[0]).toMatchObject({state: 'FAILED', error: `${diedMessage}: injected crash`});
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		await waitFor(() => !processAlive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000, 'the script to end');
	});
});
