import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	appendRunLog,
	diedMessage,
	followRunLog,
	listRuns,
	newRunId,
	nthRun,
	ownersWithRuns,
	pruneRuns,
	readRun,
	readRunLog,
	runBefore,
	runLogPath,
	runRecordPath,
	writeRun,
	type RunFile,
} from '../../source/jobs/history.js';
import {processStartTicks} from '../../source/jobs/process-info.js';
import {tempHome} from '../support/home.js';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
	home = await tempHome();
});
afterEach(async () => home.cleanup());

function record(id: string, patch: Partial<RunFile> = {}): RunFile {
	return {
		id,
		taskId: 1,
		state: 'SUCCESS',
		dryRun: false,
		trigger: 'manual',
		startedAt: new Date().toISOString(),
		filesTransferred: 0,
		bytesTransferred: 0,
		filesDeleted: 0,
		filesChecked: 0,
		errors: 0,
		...patch,
	};
}

/** The pid of a process that has already exited. */
function deadPid(): number {
	return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('run history', () => {
	it('keeps records and logs per task, newest first', () => {
		const ids = [0, 1, 2].map(n => newRunId(new Date(Date.UTC(2026, 10, 26, 10, n))));
		for (const id of ids) {
			writeRun(home.dir, 1, record(id));
			appendRunLog(home.dir, 1, id, [`line of ${id}`, 'second']);
		}
		expect(listRuns(home.dir, 1).map(r => r.id)).toEqual([...ids].reverse());
		expect(nthRun(home.dir, 1, 1)!.id).toBe(ids[2]);
		expect(nthRun(home.dir, 1, 3)!.id).toBe(ids[0]);
		expect(nthRun(home.dir, 1, 4)).toBeUndefined();
		expect(readRunLog(home.dir, 1, ids[1]!)).toBe(`line of ${ids[1]}\nsecond\n`);
		expect(listRuns(home.dir, 2)).toEqual([]);
		expect(readRun(home.dir, 1, '../../etc/passwd')).toBeUndefined();
	});

	it('names the owners that have runs with one directory read', () => {
		expect(ownersWithRuns(home.dir)).toEqual(new Set());
		writeRun(home.dir, 3, record(newRunId()));
		writeRun(home.dir, 'unsaved', record(newRunId()));
		expect(ownersWithRuns(home.dir)).toEqual(new Set(['3', 'unsaved']));
	});

	it('finds the run before a run, skipping records that do not read, and settles it if its process died', () => {
		const ids = [0, 1, 2, 3].map(n => newRunId(new Date(Date.UTC(2026, 10, 26, 10, n))));
		writeRun(home.dir, 1, record(ids[0]!, {state: 'RUNNING', pid: deadPid()}));
		fs.writeFileSync(runRecordPath(home.dir, 1, ids[1]!), '{"not": "a record"}');
		writeRun(home.dir, 1, record(ids[3]!));
		expect(runBefore(home.dir, 1, ids[3]!)).toMatchObject({id: ids[0], state: 'FAILED', error: diedMessage});
		expect(runBefore(home.dir, 1, ids[2]!)?.id).toBe(ids[0]);
		expect(runBefore(home.dir, 1, ids[0]!)).toBeUndefined();
	});

	it('marks a RUNNING record FAILED once its process is gone, and leaves live ones alone', () => {
		const dead = newRunId();
		const alive = newRunId();
		writeRun(home.dir, 1, record(dead, {state: 'RUNNING', pid: deadPid()}));
		writeRun(home.dir, 1, record(alive, {state: 'RUNNING', pid: process.pid, pidStartTicks: processStartTicks(process.pid)}));
		const settled = readRun(home.dir, 1, dead)!;
		expect(settled.state).toBe('FAILED');
		expect(settled.error).toBe(diedMessage);
		expect(settled.endedAt).toBeDefined();
		expect(readRunLog(home.dir, 1, dead)).toMatch(/Run failed: the run's process ended unexpectedly\.\n$/);
		expect(readRun(home.dir, 1, alive)!.state).toBe('RUNNING');
		// a reused pid (same number, other start time) is not the run's process
		writeRun(home.dir, 1, record(alive, {state: 'RUNNING', pid: process.pid, pidStartTicks: 1}));
		expect(readRun(home.dir, 1, alive)!.state).toBe('FAILED');
	});

	it('prunes to the newest N, never a run in progress', () => {
		const ids = Array.from({length: 6}, (_, n) => newRunId(new Date(Date.UTC(2026, 0, 1, 0, n))));
		for (const id of ids) writeRun(home.dir, 1, record(id));
		writeRun(home.dir, 1, record(ids[0]!, {state: 'RUNNING', pid: process.pid}));
		appendRunLog(home.dir, 1, ids[1]!, 'x');
		expect(pruneRuns(home.dir, 1, 3).sort()).toEqual([ids[1], ids[2]]);
		expect(listRuns(home.dir, 1).map(r => r.id)).toEqual([ids[5], ids[4], ids[3], ids[0]]);
		expect(fs.existsSync(runLogPath(home.dir, 1, ids[1]!))).toBe(false);
	});

	it('follows a log until the run ends', async () => {
		const id = newRunId();
		writeRun(home.dir, 1, record(id, {state: 'RUNNING', pid: process.pid, pidStartTicks: processStartTicks(process.pid)}));
		appendRunLog(home.dir, 1, id, 'first');
		const lines: string[] = [];
		const following = followRunLog(home.dir, 1, id, line => lines.push(line), {pollMs: 20});
		await new Promise(r => setTimeout(r, 100));
		appendRunLog(home.dir, 1, id, ['second', 'third']);
		await new Promise(r => setTimeout(r, 100));
		appendRunLog(home.dir, 1, id, 'last');
		writeRun(home.dir, 1, record(id, {state: 'SUCCESS'}));
		const final = await following;
		expect(final!.state).toBe('SUCCESS');
		expect(lines).toEqual(['first', 'second', 'third', 'last']);
	});

	it('stops following on abort', async () => {
		const id = newRunId();
		writeRun(home.dir, 1, record(id, {state: 'RUNNING', pid: process.pid, pidStartTicks: processStartTicks(process.pid)}));
		const controller = new AbortController();
		const following = followRunLog(home.dir, 1, id, () => {}, {signal: controller.signal, pollMs: 5000});
		setTimeout(() => controller.abort(), 50);
		expect((await following)!.state).toBe('RUNNING');
	});
});
