import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {RunRecord} from '../../source/core/model.js';
import type {ActiveRun} from '../../source/jobs/types.js';
import {runDaemon} from '../../source/scheduler/daemon.js';
import {SchedulerLock} from '../../source/scheduler/scheduler-lock.js';
import {task} from './harness.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function tempDataDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-daemon-'));
	dirs.push(dir);
	return dir;
}

/** Stands in for the TaskRunner's bookkeeping: which runs are active, and cancel requests. */
class RecordingRunner extends EventEmitter<{end: [RunRecord]}> {
	runs: ActiveRun[] = [];
	cancelled: number[] = [];
	active(): ActiveRun[] {
		return this.runs;
	}
	async cancel(taskId: number): Promise<void> {
		this.cancelled.push(taskId);
	}
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

describe('runDaemon', () => {
	it('logs its state in plain lines, and on stop cancels its runs, hands the lock over and returns 0', async () => {
		const dataDir = tempDataDir();
		const lines: string[] = [];
		const runner = new RecordingRunner();
		const stop = new AbortController();
		const done = runDaemon({
			dataDir,
			runner,
			loadTasks: async () => [task(3, '30 2 * * 1-5'), task(4, '0 * * * *', false)],
			startRun: async () => 'started',
			recordSkip() {},
			log: line => lines.push(line),
			timeZone: 'Europe/Berlin',
			signal: stop.signal,
			handleSignals: false,
			lock: {pollMs: 50},
		});
		await waitFor(() => lines.some(line => line.startsWith('task 3: ')), 5000, 'the plan');
		expect(lines[0]).toBe(`cloudsync daemon started (pid ${process.pid}, data directory ${dataDir}, time zone Europe/Berlin)`);
		expect(lines).toContain('this daemon now runs the schedules');
		expect(lines.find(line => line.startsWith('task 3: '))).toMatch(/^task 3: at 02:30 on Mon-Fri, next run \d{4}-\d\d-\d\dT0[01]:30:00\.000Z$/);
		expect(lines.some(line => line.startsWith('task 4'))).toBe(false);

		runner.emit('end', {id: 'r1', taskId: 3, state: 'SUCCESS', dryRun: false, trigger: 'schedule', startedAt: '', filesTransferred: 2, bytesTransferred: 10, filesDeleted: 0, filesChecked: 2, errors: 0});
		expect(lines.at(-1)).toBe('task 3: run r1 ended SUCCESS (2 files, 10 bytes transferred, 0 deleted)');

		runner.runs = [{taskId: 3, runId: 'r2', dryRun: false, startedAt: '', pid: 1}];
		stop.abort();
		expect(await done).toBe(0);
		expect(runner.cancelled).toEqual([3]);
		expect(lines.slice(-2)).toEqual(['received the stop signal: stopping the scheduler and cancelling 1 run', 'cloudsync daemon stopped']);
		const next = new SchedulerLock(dataDir, 'tui');
		expect(await next.tryAcquire()).toBe(true);
		next.releaseSync();
	});

	it('refuses a time zone the runtime does not know, in one sentence', async () => {
		const options = {dataDir: tempDataDir(), runner: new RecordingRunner(), loadTasks: async () => [], startRun: async () => 'started' as const, recordSkip() {}, log() {}, handleSignals: false};
		await expect(runDaemon({...options, timeZone: 'Europe/Atlantis'})).rejects.toThrow(
			'the timeZone setting is not usable: time zone "Europe/Atlantis" is not known: use an IANA name like "Europe/Berlin" or "UTC"',
		);
	});

	it('waits while another process runs the schedules, and says so', async () => {
		const dataDir = tempDataDir();
		fs.mkdirSync(path.join(dataDir, 'locks'));
		fs.writeFileSync(
			path.join(dataDir, 'locks', 'scheduler.json'),
			JSON.stringify({pid: 4242, kind: 'tui', host: 'another-host', token: 't', since: new Date().toISOString()}),
		);
		const lines: string[] = [];
		const stop = new AbortController();
		const done = runDaemon({
			dataDir,
			runner: new RecordingRunner(),
			loadTasks: async () => [],
			startRun: async () => 'started',
			recordSkip() {},
			log: line => lines.push(line),
			signal: stop.signal,
			handleSignals: false,
		});
		await waitFor(() => lines.length >= 2, 2000, 'the waiting line');
		expect(lines[1]).toBe('waiting: schedules run in another window (pid 4242); this daemon takes over when it exits');
		stop.abort();
		expect(await done).toBe(0);
		expect(lines).not.toContain('this daemon now runs the schedules');
	});
});
