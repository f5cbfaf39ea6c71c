/**
 * ForegroundRun: a run inside the calling process (what `cloudsync task run`
 * uses). The same lock, records and scripts as a worker's run, with this
 * process named as the one running it; and the ways it ends early: cancel,
 * a run that does not stop in time, a record that cannot be written.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {diedMessage, listRuns, readRun, readRunLog, runRecordPath} from '../../source/jobs/history.js';
import {ForegroundRun, stoppedMessage} from '../../source/jobs/foreground-run.js';
import {readTaskLock, taskLockPath} from '../../source/jobs/locks.js';
import {processAlive} from '../../source/jobs/process-info.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';
import {tempDir, tempHome} from '../support/home.js';
import {refusal, taskInput, waitFor} from './helpers.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let store: Store;
let folder: string;

beforeAll(async () => {
	home = await tempHome();
	folder = await tempDir('cloudsync-foreground-');
	store = await Store.open(home.dir);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: path.join(folder, 'cloud')}});
	fs.mkdirSync(path.join(folder, 'cloud'));
});
afterAll(async () => {
	await home.cleanup();
	fs.rmSync(folder, {recursive: true, force: true});
});

function listen() {
	const lines: string[] = [];
	return {lines, listeners: {log: (line: string) => lines.push(line), progress: () => {}}};
}

async function sourceTask(name: string, preScript: string) {
	const src = path.join(folder, name);
	fs.mkdirSync(src);
	fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
	return store.addTask(taskInput({credential: 'disk', path: src, folder: name, preScript}));
}

describe('ForegroundRun', () => {
	it('runs in this process: the lock and the record name it, a second start is refused, the run succeeds', async () => {
		const gate = path.join(folder, 'gate');
		const task = await sourceTask('locked', `while [ ! -e ${gate} ]; do sleep 0.05; done`);
		const {lines, listeners} = listen();
		const run = await ForegroundRun.start(store, task, {trigger: 'cli'}, listeners);
		expect(readTaskLock(home.dir, task.id)).toMatchObject({pid: process.pid, runId: run.runId});
		expect(readRun(home.dir, task.id, run.runId)).toMatchObject({state: 'RUNNING', pid: process.pid, trigger: 'cli'});
		const hhmm = new Date(readRun(home.dir, task.id, run.runId)!.startedAt).toTimeString().slice(0, 5);
		const sentence = `conflict: task ${task.id} is already running (started ${hhmm} by ${process.pid})`;
		expect(await refusal(ForegroundRun.start(store, task, {}, listeners))).toBe(sentence);
		expect(await refusal(new TaskRunner(store).start(task.id))).toBe(sentence);
		fs.writeFileSync(gate, '');
		const record = await run.ended;
		expect(record).toMatchObject({state: 'SUCCESS', filesTransferred: 1, pid: process.pid});
		expect(readRun(home.dir, task.id, run.runId)).toMatchObject({state: 'SUCCESS'});
		expect(fs.readFileSync(path.join(folder, 'cloud', 'locked', 'a.txt'), 'utf8')).toBe('alpha');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		expect(lines[0]).toMatch(/Run \S+ of task \d+ started by pid \d+ \(cli\)\.$/);
		expect(lines.at(-1)).toMatch(/Run succeeded: 1 transferred/);
	});

	it('cancel stops the pre-script and ends ABORTED', async () => {
		const pidFile = path.join(folder, 'cancel.pid');
		const task = await sourceTask('cancel', `sleep 120 &\necho $! > ${pidFile}\nwait`);
		const run = await ForegroundRun.start(store, task, {}, listen().listeners);
		await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 20_000, 'the pre-script');
		run.cancel();
		const record = await run.ended;
		expect(record).toMatchObject({state: 'ABORTED', error: 'the run was cancelled'});
		expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
		expect(readRunLog(home.dir, task.id, run.runId)).toContain('Cancel requested');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		expect(fs.existsSync(path.join(folder, 'cloud', 'cancel'))).toBe(false);
	});

	it('gives up on a run that does not stop within the grace period: ABORTED, its script killed, the record kept', async () => {
		const pidFile = path.join(folder, 'stubborn.pid');
		const task = await sourceTask('stubborn', `trap '' TERM\nsleep 120 &\necho $! > ${pidFile}\nwait`);
		const {lines, listeners} = listen();
		const run = await ForegroundRun.start(store, task, {cancelGraceMs: 300}, listeners);
		await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 20_000, 'the pre-script');
		const before = Date.now();
		run.cancel();
		const record = await run.ended;
		// The script itself would be killed after 2 s: this is the run giving up first.
		expect(Date.now() - before).toBeLessThan(1500);
		expect(record).toMatchObject({state: 'ABORTED', error: stoppedMessage});
		await waitFor(() => !processAlive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000, 'the script to end');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		expect(lines.at(-1)).toContain(`Run cancelled: ${stoppedMessage}.`);
		// The body of the run ends later and does not write over the record.
		await new Promise(resolve => setTimeout(resolve, 2500));
		expect(readRun(home.dir, task.id, run.runId)).toMatchObject({state: 'ABORTED', error: stoppedMessage});
	});

	it('a crash of the process records the run as FAILED with the reason and stops its script', async () => {
		const pidFile = path.join(folder, 'crash.pid');
		const task = await sourceTask('crash', `sleep 120 &\necho $! > ${pidFile}\nwait`);
		const run = await ForegroundRun.start(store, task, {}, listen().listeners);
		await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 20_000, 'the pre-script');
		run.crashed(new Error('something nobody caught\n    at a stack line'));
		const record = await run.ended;
		expect(record).toMatchObject({state: 'FAILED', error: `${diedMessage}: something nobody caught`});
		expect(readRun(home.dir, task.id, run.runId)).toMatchObject({state: 'FAILED', error: `${diedMessage}: something nobody caught`});
		await waitFor(() => !processAlive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000, 'the script to end');
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
	});

	it('a record that cannot be written ends the run FAILED with the reason, and the lock is released', async () => {
		const task = await sourceTask('unwritable', '');
		const runs = path.join(home.dir, 'runs', String(task.id));
		// The pre-script puts a folder where the run's record is, so the final write fails.
		await store.updateTask(task.id, {preScript: `for f in ${runs}/*.json; do grep -q RUNNING "$f" && rm -f "$f" && mkdir "$f"; done; true`});
		const run = await ForegroundRun.start(store, await store.requireTask(task.id), {}, listen().listeners);
		const record = await run.ended;
		expect(fs.statSync(runRecordPath(home.dir, task.id, run.runId)).isDirectory()).toBe(true);
		expect(record.state).toBe('FAILED');
		expect(record.error).toMatch(/^the run's record could not be written: /);
		expect(fs.existsSync(taskLockPath(home.dir, task.id))).toBe(false);
		expect(listRuns(home.dir, task.id)).toEqual([]);
	});
});
