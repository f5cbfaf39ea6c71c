import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {acquireTaskLock} from '../../source/jobs/locks.js';
import type {StartOptions} from '../../source/jobs/types.js';
import {recordSkipIn, startRunWith} from '../../source/scheduler/adapters.js';
import {claimOccurrence, claimsDir} from '../../source/scheduler/claims.js';

const dirs: string[] = [];
function tempDataDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-sched-'));
	dirs.push(dir);
	return dir;
}
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('occurrence claims', () => {
	it('let the first claim of a task and time win, once', () => {
		const dataDir = tempDataDir();
		const now = Date.parse('2026-01-01T02:00:05Z');
		expect(claimOccurrence(dataDir, 1, '2026-01-01T01:00:00.000Z', now)).toBe(true);
		expect(claimOccurrence(dataDir, 1, '2026-01-01T01:00:00.000Z', now)).toBe(false);
		expect(claimOccurrence(dataDir, 1, '2026-01-01T02:00:00.000Z', now)).toBe(true);
		expect(claimOccurrence(dataDir, 2, '2026-01-01T01:00:00.000Z', now)).toBe(true);
		// Even a claim far in the past (a clock set wrong) holds until the next one is made.
		expect(claimOccurrence(dataDir, 3, '2020-01-01T00:00:00.000Z')).toBe(true);
		expect(claimOccurrence(dataDir, 3, '2020-01-01T00:00:00.000Z')).toBe(false);
		expect(() => claimOccurrence(dataDir, 1, 'yesterday')).toThrow('cannot claim task 1 at "yesterday"');
	});

	it('forget claims older than a week', () => {
		const dataDir = tempDataDir();
		const now = Date.parse('2026-02-01T00:00:00Z');
		expect(claimOccurrence(dataDir, 1, '2026-01-01T00:00:00.000Z', now - 40 * 86_400_000)).toBe(true);
		expect(claimOccurrence(dataDir, 1, '2026-01-30T00:00:00.000Z', now)).toBe(true);
		expect(fs.readdirSync(claimsDir(dataDir)).sort()).toEqual([`task-1-${Date.parse('2026-01-30T00:00:00Z')}`]);
	});
});

describe('recordSkipIn', () => {
	it('files a SKIPPED run with the reason in the task history', () => {
		const dataDir = tempDataDir();
		const record = recordSkipIn(dataDir, () => new Date('2026-01-01T02:00:01Z'));
		record(3, '2026-01-01T02:00:00.000Z', 'the previous run was still going');
		const runs = listRuns(dataDir, 3);
		expect(runs).toHaveLength(1);
		expect(runs[0]).toMatchObject({
			taskId: 3,
			state: 'SKIPPED',
			trigger: 'schedule',
			startedAt: '2026-01-01T02:00:01.000Z',
			error: 'the run scheduled for 2026-01-01T02:00:00.000Z was skipped: the previous run was still going',
		});
		expect(readRunLog(dataDir, 3, runs[0]!.id)).toContain('WARN  Skipped: the run scheduled for 2026-01-01T02:00:00.000Z was skipped');
	});
});

describe('startRunWith', () => {
	const trigger = {trigger: 'schedule' as const, scheduledFor: '2026-01-01T02:00:00.000Z'};

	it('passes the trigger to the runner and reports a start', async () => {
		const calls: [number, StartOptions | undefined][] = [];
		const start = startRunWith(
			{
				async start(taskId, options) {
					calls.push([taskId, options]);
					return {taskId, runId: 'r', dryRun: false, startedAt: '', pid: 1};
				},
			},
			tempDataDir(),
		);
		expect(await start(4, trigger)).toBe('started');
		expect(calls).toEqual([[4, trigger]]);
	});

	it('answers already-running when the task lock is held by a live run, and passes on other refusals', async () => {
		const dataDir = tempDataDir();
		const refusal = new CloudSyncError('conflict', 'task 4 is already running (started 02:00 by 1)');
		const start = startRunWith(
			{
				async start() {
					throw refusal;
				},
			},
			dataDir,
		);
		await expect(start(4, trigger)).rejects.toBe(refusal);
		const lock = await acquireTaskLock(dataDir, {taskId: 4, runId: 'run-1', startedAt: new Date().toISOString(), path: dataDir, direction: 'PUSH', dryRun: false});
		try {
			expect(await start(4, trigger)).toBe('already-running');
		} finally {
			lock.release();
		}
	});
});
