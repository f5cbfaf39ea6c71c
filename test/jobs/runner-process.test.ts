/**
 * TaskRunner's process management with real worker processes: one run per
 * task, cancel, scripts, kill -9, history across runner instances. These
 * runs stop before the sync starts (in the pre-script), so no provider is
 * involved; runner-sync.test.ts covers the sync against s3rver.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {diedMessage, listRuns, readRun, readRunLog} from '../../source/jobs/history.js';
import {readTaskLock, taskLockPath} from '../../source/jobs/locks.js';
import {processAlive} from '../../source/jobs/process-info.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';
import {tempDir, tempHome} from '../support/home.js';
import {logged, refusal, startEntry, taskInput, waitFor} from './helpers.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let store: Store;
let folder: string;
const secretKey = 'wJalrXUtnFEMI-K7MDENG-secret';
const password = 'correct horse battery staple';

beforeAll(async () => {
	home = await tempHome();
	folder = await tempDir('cloudsync-runner-src-');
	store = await Store.open(home.dir);
	await store.saveCredential({
		name: 'aws',
		provider: 's3',
		attributes: {access_key_id: 'AKIDEXAMPLE', secret_access_key: secretKey, endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', server_side_encryption: 'AES256', force_path_style: true},
	});
});
afterAll(async () => {
	await home.cleanup();
	fs.rmSync(folder, {recursive: true, force: true});
});

describe('TaskRunner processes', () => {
	it('refuses a second start of a running task with the sentence, then allows it after the end', async () => {
		const gate = path.join(folder, 'gate-1');
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: `while [ ! -e ${gate} ]; do sleep 0.1; done; exit 1`}));
		const runner = new TaskRunner(store);
		const active = await runner.start(task.id);
		expect(active.pid).not.toBe(process.pid);
		expect(runner.active().map(run => run.runId)).toEqual([active.runId]);
		const hhmm = new Date(active.startedAt).toTimeString().slice(0, 5);
		// the lock names the worker process, which does the work
		await waitFor(() => readTaskLock(home.dir, task.id)?.pid === active.pid, 5000, 'the lock hand-over');
		expect(await refusal(new TaskRunner(store).start(task.id))).toBe(`conflict: task ${task.id} is already running (started ${hhmm} by ${active.pid})`);
		// and from another process
		const other = startEntry(new URL('./runner-entry.ts', import.meta.url), [home.dir, String(task.id)]);
		expect(await other.next()).toEqual({refused: `task ${task.id} is already running (started ${hhmm} by ${active.pid})`});
		fs.writeFileSync(gate, '');
		const record = await runner.wait(task.id);
		expect(record.state).toBe('FAILED');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		expect(runner.active()).toEqual([]);
	});

	it('refuses a task whose path overlaps a running task of the opposite direction', async () => {
		const gate = path.join(folder, 'gate-2');
		const pull = await store.addTask(taskInput({credential: 'aws', path: folder, direction: 'PULL', transferMode: 'COPY', preScript: `while [ ! -e ${gate} ]; do sleep 0.1; done; exit 1`}));
		const push = await store.addTask(taskInput({credential: 'aws', path: path.join(folder, 'inner'), preScript: 'exit 1'}));
		const runner = new TaskRunner(store);
		await runner.start(pull.id);
		expect(await refusal(runner.start(push.id))).toMatch(
			new RegExp(`^conflict: task ${push.id} cannot start: its path ${path.join(folder, 'inner')} overlaps ${folder} of task ${pull.id}, which is running in the opposite direction \\(PULL, started \\d\\d:\\d\\d by \\d+\\); wait for task ${pull.id} to finish$`),
		);
		fs.writeFileSync(gate, '');
		await runner.wait(pull.id);
		// once the PULL ended the PUSH may run
		expect((await runner.wait((await runner.start(push.id)).taskId)).state).toBe('FAILED');
	});

	it('gives scripts exactly the NAS variables and keeps every secret out of the log', async () => {
		const envFile = path.join(folder, 'env.txt');
		const task = await store.addTask(
			taskInput({
				credential: 'aws',
				path: folder,
				description: 'Env dump',
				bucket: 'bkt',
				folder: 'sub/dir',
				encryption: true,
				encryptionPassword: password,
				encryptionSalt: 'pepper-salt-value',
				attributes: {storage_class: 'STANDARD_IA'},
				preScript: `env | grep "^CLOUD_SYNC_" | sort > ${envFile}\nenv | grep "^CLOUD_SYNC_" | sort\necho "echoed: $CLOUD_SYNC_SECRET_ACCESS_KEY"\nexit 7`,
			}),
		);
		const runner = new TaskRunner(store);
		const lines: string[] = [];
		runner.on('log', (_id, line) => lines.push(line));
		await runner.start(task.id);
		const record = await runner.wait(task.id);
		expect(record.state).toBe('FAILED');
		expect(record.error).toBe('the pre-script exited with status 7; nothing was transferred');
		const log = readRunLog(home.dir, task.id, record.id);
		const env = log
			.split('\n')
			.filter(line => / \[pre-script\] CLOUD_SYNC_/.test(line))
			.map(line => line.slice(line.indexOf('[pre-script] ') + '[pre-script] '.length));
		// what the script saw
		expect(fs.readFileSync(envFile, 'utf8').trim().split('\n')).toEqual([
			'CLOUD_SYNC_ACCESS_KEY_ID=AKIDEXAMPLE',
			'CLOUD_SYNC_BUCKET=bkt',
			'CLOUD_SYNC_DESCRIPTION=Env dump',
			'CLOUD_SYNC_DIRECTION=PUSH',
			'CLOUD_SYNC_ENCRYPTION=1',
			`CLOUD_SYNC_ENCRYPTION_PASSWORD=${password}`,
			'CLOUD_SYNC_ENCRYPTION_SALT=pepper-salt-value',
			'CLOUD_SYNC_ENDPOINT=http://127.0.0.1:1',
			'CLOUD_SYNC_FILENAME_ENCRYPTION=1',
			'CLOUD_SYNC_FOLDER=sub/dir',
			'CLOUD_SYNC_FORCE_PATH_STYLE=1',
			`CLOUD_SYNC_ID=${task.id}`,
			'CLOUD_SYNC_PATH=' + folder,
			'CLOUD_SYNC_REGION=eu-west-1',
			`CLOUD_SYNC_SECRET_ACCESS_KEY=${secretKey}`,
			'CLOUD_SYNC_SERVER_SIDE_ENCRYPTION=AES256',
			'CLOUD_SYNC_SNAPSHOT=0',
			'CLOUD_SYNC_STORAGE_CLASS=STANDARD_IA',
			'CLOUD_SYNC_TRANSFER_MODE=SYNC',
		]);
		// what the log shows
		expect(env).toEqual([
			// the store treats access key ids as secret (sealed at rest), so the log hides them too
			'CLOUD_SYNC_ACCESS_KEY_ID=****',
			'CLOUD_SYNC_BUCKET=bkt',
			'CLOUD_SYNC_DESCRIPTION=Env dump',
			'CLOUD_SYNC_DIRECTION=PUSH',
			'CLOUD_SYNC_ENCRYPTION=1',
			'CLOUD_SYNC_ENCRYPTION_PASSWORD=****',
			'CLOUD_SYNC_ENCRYPTION_SALT=****',
			'CLOUD_SYNC_ENDPOINT=http://127.0.0.1:1',
			'CLOUD_SYNC_FILENAME_ENCRYPTION=1',
			'CLOUD_SYNC_FOLDER=sub/dir',
			'CLOUD_SYNC_FORCE_PATH_STYLE=1',
			`CLOUD_SYNC_ID=${task.id}`,
			'CLOUD_SYNC_PATH=' + folder,
			'CLOUD_SYNC_REGION=eu-west-1',
			'CLOUD_SYNC_SECRET_ACCESS_KEY=****',
			'CLOUD_SYNC_SERVER_SIDE_ENCRYPTION=AES256',
			'CLOUD_SYNC_SNAPSHOT=0',
			'CLOUD_SYNC_STORAGE_CLASS=STANDARD_IA',
			'CLOUD_SYNC_TRANSFER_MODE=SYNC',
		]);
		expect(log).toContain('[pre-script] echoed: ****');
		for (const text of [log, lines.join('\n'), JSON.stringify(record)]) {
			expect(text).not.toContain(secretKey);
			expect(text).not.toContain(password);
			expect(text).not.toContain('pepper-salt-value');
		}
		expect(lines.join('\n')).toContain('[pre-script] echoed: ****');
	});

	it('cancels a run in its pre-script within the grace period: ABORTED, the script group killed', async () => {
		const pidFile = path.join(folder, 'script.pid');
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: `trap '' TERM\nsleep 120 &\necho $! > ${pidFile}\necho started\nwait`}));
		const runner = new TaskRunner(store, {killGraceMs: 4000});
		const started = logged(runner, /\[pre-script\] started/);
		await runner.start(task.id);
		await started;
		const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
		const before = Date.now();
		await runner.cancel(task.id);
		expect(Date.now() - before).toBeLessThan(10_000);
		const record = readRun(home.dir, task.id, listRuns(home.dir, task.id)[0]!.id)!;
		expect(record.state).toBe('ABORTED');
		expect(record.error).toBe('the run was cancelled');
		expect(processAlive(sleeper)).toBe(false);
		expect(readRunLog(home.dir, task.id, record.id)).toContain('Cancel requested');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
	});

	it('marks a run whose worker was killed with SIGKILL as FAILED, and its script is stopped too', async () => {
		const pidFile = path.join(folder, 'killed.pid');
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: `echo $$ > ${pidFile}; echo started; sleep 120`}));
		const runner = new TaskRunner(store);
		const started = logged(runner, /\[pre-script\] started/);
		const active = await runner.start(task.id);
		await started;
		process.kill(active.pid, 'SIGKILL');
		const record = await runner.wait(task.id);
		expect(record.state).toBe('FAILED');
		expect(record.error).toBe(`${diedMessage} (killed by SIGKILL)`);
		await waitFor(() => !processAlive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000, 'the script to end');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
	});

	it('detects later, from the record alone, a run whose runner and worker both died', async () => {
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: 'echo started; sleep 120'}));
		const entry = startEntry(new URL('./runner-entry.ts', import.meta.url), [home.dir, String(task.id)]);
		const {worker, runId} = (await entry.next()) as {worker: number; runId: string};
		await waitFor(() => readRunLog(home.dir, task.id, runId).includes('[pre-script] started'), 20_000, 'the pre-script');
		entry.child.kill('SIGKILL');
		await entry.closed;
		process.kill(worker, 'SIGKILL');
		await waitFor(() => !processAlive(worker), 5000, 'the worker to die');
		// a new runner (a restarted app) reads the history
		const record = listRuns(home.dir, task.id)[0]!;
		expect(record.id).toBe(runId);
		expect(record.state).toBe('FAILED');
		expect(record.error).toBe(diedMessage);
		// the stale lock does not block the next run
		const runner = new TaskRunner(store);
		await runner.start(task.id);
		await runner.cancel(task.id);
		expect(listRuns(home.dir, task.id).map(run => run.state)).toEqual(['ABORTED', 'FAILED']);
	});

	it('cancels and waits for a run that another cloudsync process started', async () => {
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: 'echo started; sleep 120'}));
		const entry = startEntry(new URL('./runner-entry.ts', import.meta.url), [home.dir, String(task.id)]);
		const {worker, runId} = (await entry.next()) as {worker: number; runId: string};
		await waitFor(() => readRunLog(home.dir, task.id, runId).includes('[pre-script] started'), 20_000, 'the pre-script');
		const runner = new TaskRunner(store, {killGraceMs: 4000});
		expect(runner.active()).toEqual([]);
		const waited = runner.wait(task.id);
		await runner.cancel(task.id);
		expect(processAlive(worker)).toBe(false);
		expect(await waited).toMatchObject({id: runId, state: 'ABORTED'});
		// the process that started it sees the same end
		expect(((await entry.next()) as {record: {state: string}}).record.state).toBe('ABORTED');
		await entry.closed;
		expect(await refusal(runner.cancel(task.id))).toBe(`not_found: task ${task.id} is not running`);
	});

	it('keeps the history across runner instances, pruned to the newest N', async () => {
		const task = await store.addTask(taskInput({credential: 'aws', path: folder, preScript: 'echo run; exit 2'}));
		const ids: string[] = [];
		for (let n = 0; n < 3; n++) {
			const runner = new TaskRunner(store, {runsKept: 2});
			ids.push((await runner.start(task.id)).runId);
			await runner.wait(task.id);
		}
		const runs = listRuns(home.dir, task.id);
		expect(runs.map(run => run.id)).toEqual([ids[2], ids[1]]);
		expect(runs.every(run => run.state === 'FAILED' && run.trigger === 'manual' && run.endedAt !== undefined)).toBe(true);
		expect(readRunLog(home.dir, task.id, ids[1]!)).toContain('[pre-script] run');
	});
});
