import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {acquireTaskLock, pathsOverlap, readTaskLock, taskLockPath} from '../../source/jobs/locks.js';
import {processStartTicks} from '../../source/jobs/process-info.js';
import {tempHome} from '../support/home.js';
import {waitFor} from './helpers.js';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
	home = await tempHome();
});
afterEach(async () => home.cleanup());

const request = (taskId: number, folder: string, direction: 'PUSH' | 'PULL', dryRun = false) => ({
	taskId,
	runId: `run-${taskId}-${Math.random()}`,
	startedAt: new Date(2026, 10, 26, 9, 5).toISOString(),
	path: folder,
	direction,
	dryRun,
});

async function refusal(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as CloudSyncError).kind).toBe('conflict');
		return (error as Error).message;
	}
	return 'not refused';
}

describe('task locks', () => {
	it('refuses a second run of the same task with the sentence users see', async () => {
		const lock = await acquireTaskLock(home.dir, request(1, '/srv/a', 'PUSH'));
		expect(await refusal(acquireTaskLock(home.dir, request(1, '/srv/a', 'PUSH')))).toBe(`task 1 is already running (started 09:05 by ${process.pid})`);
		lock.release();
		const again = await acquireTaskLock(home.dir, request(1, '/srv/a', 'PUSH'));
		again.release();
		expect(fs.existsSync(taskLockPath(home.dir, 1))).toBe(false);
	});

	it('takes over a lock whose process is gone, and one with a reused pid', async () => {
		fs.mkdirSync(path.dirname(taskLockPath(home.dir, 2)), {recursive: true});
		fs.writeFileSync(taskLockPath(home.dir, 2), JSON.stringify({...request(2, '/x', 'PUSH'), pid: 2 ** 22 + 12345}));
		expect(readTaskLock(home.dir, 2)).toBeUndefined();
		(await acquireTaskLock(home.dir, request(2, '/x', 'PUSH'))).release();
		// our own pid, but a different start time: another process that got the pid later
		fs.writeFileSync(taskLockPath(home.dir, 2), JSON.stringify({...request(2, '/x', 'PUSH'), pid: process.pid, pidStartTicks: processStartTicks(process.pid)! - 1}));
		(await acquireTaskLock(home.dir, request(2, '/x', 'PUSH'))).release();
		// garbage in the lock file
		fs.writeFileSync(taskLockPath(home.dir, 2), '{not json');
		(await acquireTaskLock(home.dir, request(2, '/x', 'PUSH'))).release();
	});

	it('refuses a task whose path overlaps a running task of the opposite direction', async () => {
		const pull = await acquireTaskLock(home.dir, request(3, '/srv/data', 'PULL'));
		expect(await refusal(acquireTaskLock(home.dir, request(4, '/srv/data/photos', 'PUSH')))).toBe(
			`task 4 cannot start: its path /srv/data/photos overlaps /srv/data of task 3, which is running in the opposite direction (PULL, started 09:05 by ${process.pid}); wait for task 3 to finish`,
		);
		expect(await refusal(acquireTaskLock(home.dir, request(5, '/srv', 'PUSH')))).toMatch(/^task 5 cannot start: its path \/srv overlaps \/srv\/data of task 3/);
		expect(await refusal(acquireTaskLock(home.dir, request(6, '/srv/data/', 'PUSH')))).toMatch(/^task 6 cannot start/);
		// same direction, unrelated path, a sibling with a common prefix, and a dry run are all fine
		const locks = await Promise.all([
			acquireTaskLock(home.dir, request(7, '/srv/data/x', 'PULL')),
			acquireTaskLock(home.dir, request(8, '/srv/other', 'PUSH')),
			acquireTaskLock(home.dir, request(9, '/srv/data2', 'PUSH')),
			acquireTaskLock(home.dir, request(10, '/srv/data', 'PUSH', true)),
		]);
		for (const lock of [...locks, pull]) lock.release();
		(await acquireTaskLock(home.dir, request(4, '/srv/data/photos', 'PUSH'))).release();
	});

	it('overlap means same folder or one inside the other, not a shared prefix', () => {
		expect(pathsOverlap('/a/b', '/a/b')).toBe(true);
		expect(pathsOverlap('/a', '/a/b')).toBe(true);
		expect(pathsOverlap('/a/b/c', '/a/b')).toBe(true);
		expect(pathsOverlap('/a/b', '/a/bc')).toBe(false);
		expect(pathsOverlap('/', '/x')).toBe(true);
	});

	it('lets exactly one of several racing processes win', async () => {
		const racer = new URL('./lock-racer.ts', import.meta.url).pathname;
		const answered: string[] = [];
		const outputs = Promise.all(
			[1, 2, 3, 4].map(
				n =>
					new Promise<string>(resolve => {
						const child = spawn(process.execPath, ['--import', 'tsx', racer, home.dir, `run-${n}`, '/srv/race', 'PUSH'], {stdio: ['ignore', 'pipe', 'inherit']});
						let out = '';
						child.stdout.on('data', chunk => {
							out += String(chunk);
							if (out.endsWith('\n')) answered.push(out);
						});
						child.on('close', () => resolve(out.trim()));
					}),
			),
		);
		// the winner holds the lock until every racer has had its answer
		await waitFor(() => answered.length === 4, 60_000, 'all racers to answer');
		fs.writeFileSync(path.join(home.dir, 'release'), '');
		const results = await outputs;
		expect(results.filter(out => out === 'OK')).toHaveLength(1);
		for (const out of results.filter(out => out !== 'OK')) expect(out).toMatch(/^REFUSED task 1 is already running \(started \d\d:\d\d by \d+\)$/);
	});
});
