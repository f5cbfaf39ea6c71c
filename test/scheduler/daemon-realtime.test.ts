/**
 * Real time, real processes: two daemons on one data directory, tasks
 * scheduled every minute. Within about 70 s the next minute comes; each task
 * must run exactly once, started by the daemon that holds the scheduler lock.
 * SIGTERM to that daemon cancels its run in progress, exits 0, and the other
 * daemon takes the schedules over at once.
 *
 * The daemons are the real command, `cloudsync daemon` (source/cli.tsx run
 * by tsx, so no build is needed), with CLOUDSYNC_HOME set.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {Store} from '../../source/store/store.js';
import {tempHome} from '../support/home.js';

const cli = fileURLToPath(new URL('../../source/cli.tsx', import.meta.url));

type Daemon = {child: ChildProcess; output: string[]; exited: Promise<number | null>};

function startDaemon(dataDir: string): Daemon {
	const child = spawn(process.execPath, ['--import', 'tsx', cli, 'daemon'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CLOUDSYNC_HOME: dataDir}});
	const output: string[] = [];
	let pending = '';
	const collect = (chunk: Buffer) => {
		pending += chunk.toString('utf8');
		const lines = pending.split('\n');
		pending = lines.pop() ?? '';
		output.push(...lines);
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	return {child, output, exited: new Promise(resolve => child.on('exit', code => resolve(code)))};
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = find();
		if (found !== undefined) return found;
		if (Date.now() > deadline) {
			const outputs = daemons.map(daemon => `daemon ${daemon.child.pid}:\n${daemon.output.join('\n')}`).join('\n');
			throw new Error(`${what} did not happen within ${timeoutMs} ms\n${outputs}`);
		}
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

let home: Awaited<ReturnType<typeof tempHome>>;
const daemons: Daemon[] = [];

beforeAll(async () => {
	home = await tempHome();
});

afterAll(async () => {
	for (const daemon of daemons) {
		if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
		await daemon.exited;
	}
	await home.cleanup();
});

describe('two cloudsync daemons in real time', () => {
	it('run each occurrence of a every-minute task once, and hand over on SIGTERM', {timeout: 240_000}, async () => {
		const source = path.join(home.dir, 'source');
		const backup = path.join(home.dir, 'backup');
		fs.mkdirSync(source);
		// The destination folders exist: a PUSH into a missing one fails its listing today (reported to the lead).
		fs.mkdirSync(path.join(backup, 'quick'), {recursive: true});
		fs.mkdirSync(path.join(backup, 'slow'), {recursive: true});
		fs.writeFileSync(path.join(source, 'report.txt'), 'quarterly numbers\n');
		const store = await Store.open(home.dir);
		await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: backup}});
		const common = {credential: 'disk', direction: 'PUSH', transferMode: 'COPY', bucket: '', enabled: true} as const;
		const every = {preset: 'custom', minute: '*', hour: '*', dom: '*', month: '*', dow: '*'} as const;
		const quick = await store.addTask({...common, description: 'every minute', path: source, folder: 'quick', schedule: {...every}});
		const slow = await store.addTask({...common, description: 'long pre-script', path: source, folder: 'slow', schedule: {...every}, preScript: 'sleep 60'});

		const first = startDaemon(home.dir);
		const second = startDaemon(home.dir);
		daemons.push(first, second);
		const startedLine = (taskId: number) => (line: string) => line.startsWith(`task ${taskId}: started the run scheduled for `);

		const holder = await waitFor(() => [first, second].find(daemon => daemon.output.some(line => line === 'this daemon now runs the schedules')), 40_000, 'a daemon to take the schedules');
		const waiting = holder === first ? second : first;
		await waitFor(() => (waiting.output.some(line => line.startsWith('waiting: schedules run in the daemon')) ? true : undefined), 40_000, 'the other daemon to wait');

		const quickRun = await waitFor(() => listRuns(home.dir, quick.id).find(run => run.state !== 'RUNNING' && run.state !== 'QUEUED'), 110_000, 'the every-minute run');
		expect(quickRun.state, readRunLog(home.dir, quick.id, quickRun.id)).toBe('SUCCESS');
		expect(quickRun.trigger).toBe('schedule');
		expect(fs.readFileSync(path.join(backup, 'quick', 'report.txt'), 'utf8')).toBe('quarterly numbers\n');
		await waitFor(() => (listRuns(home.dir, slow.id).some(run => run.state === 'RUNNING') ? true : undefined), 40_000, 'the slow run to start');
		// Time for a second start of the same occurrence to show up, if there were one.
		await new Promise(resolve => setTimeout(resolve, 3000));

		// Under load the next minute may already have come: count per occurrence.
		const prefix = `task ${quick.id}: started the run scheduled for `;
		const scheduledFor = holder.output.find(startedLine(quick.id))!.slice(prefix.length);
		expect(new Date(scheduledFor).getUTCSeconds()).toBe(0);
		const everything = [...first.output, ...second.output];
		for (const taskId of [quick.id, slow.id]) {
			expect(everything.filter(line => line === `task ${taskId}: started the run scheduled for ${scheduledFor}`)).toHaveLength(1);
			const runsOfOccurrence = listRuns(home.dir, taskId).filter(run => readRunLog(home.dir, taskId, run.id).includes(`(schedule, scheduled for ${scheduledFor})`));
			expect(runsOfOccurrence).toHaveLength(1);
		}
		expect(waiting.output.filter(line => line.startsWith('task '))).toEqual([]);
		expect(quickRun.id).toBe(listRuns(home.dir, quick.id).at(-1)!.id);

		const stoppedAt = Date.now();
		holder.child.kill('SIGTERM');
		expect(await holder.exited).toBe(0);
		expect(holder.output.some(line => /^received SIGTERM: stopping the scheduler and cancelling (1 run|2 runs)$/.test(line))).toBe(true);
		expect(holder.output.at(-1)).toBe('cloudsync daemon stopped');
		const slowRun = await waitFor(() => listRuns(home.dir, slow.id).find(run => run.state !== 'RUNNING' && run.state !== 'SKIPPED'), 30_000, 'the slow run to end');
		expect(slowRun.state).toBe('ABORTED');
		await waitFor(() => (waiting.output.includes('this daemon now runs the schedules') ? true : undefined), 15_000, 'the other daemon to take over');
		expect(Date.now() - stoppedAt).toBeLessThan(30_000);
		waiting.child.kill('SIGTERM');
		expect(await waiting.exited).toBe(0);
	});
});
