import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {
	describeSchedulerStatus,
	readSchedulerHolder,
	SchedulerLock,
	schedulerLockPath,
	schedulerStatus,
} from '../../source/scheduler/scheduler-lock.js';

const script = fileURLToPath(new URL('lock-contender.ts', import.meta.url));

type Line = {event: string; pid: number; at: number};

class Contender {
	readonly child: ChildProcess;
	readonly lines: Line[] = [];
	readonly exited: Promise<number | null>;
	#waiters: (() => void)[] = [];

	constructor(dataDir: string, kind: string, staleMs?: number | 'defaults') {
		this.child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, kind, ...(staleMs ? [String(staleMs)] : [])], {stdio: ['ignore', 'pipe', 'inherit']});
		let pending = '';
		this.child.stdout!.on('data', (chunk: Buffer) => {
			pending += chunk.toString('utf8');
			const parts = pending.split('\n');
			pending = parts.pop() ?? '';
			for (const part of parts) if (part.trim()) this.lines.push(JSON.parse(part) as Line);
			for (const wake of this.#waiters.splice(0)) wake();
		});
		this.exited = new Promise(resolve => this.child.on('exit', code => resolve(code)));
	}

	get pid(): number {
		return this.child.pid!;
	}

	has(event: string): boolean {
		return this.lines.some(line => line.event === event);
	}

	count(event: string): number {
		return this.lines.filter(line => line.event === event).length;
	}

	async waitFor(event: string, timeoutMs: number): Promise<Line> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const line = this.lines.find(candidate => candidate.event === event);
			if (line) return line;
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`process ${this.pid} did not report "${event}" within ${timeoutMs} ms (saw ${JSON.stringify(this.lines)})`);
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, Math.min(left, 100));
				this.#waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}
}

const children: Contender[] = [];
const dirs: string[] = [];

function tempDataDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-lock-'));
	dirs.push(dir);
	return dir;
}

function contender(dataDir: string, kind = 'daemon', staleMs?: number | 'defaults'): Contender {
	const child = new Contender(dataDir, kind, staleMs);
	children.push(child);
	return child;
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

afterEach(async () => {
	for (const child of children.splice(0)) {
		if (child.child.exitCode === null && child.child.signalCode === null) {
			child.child.kill('SIGCONT');
			child.child.kill('SIGKILL');
			await child.exited;
		}
	}
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('scheduler lock across real processes', () => {
	it('exactly one of three competing processes holds it, and every process sees which one', {timeout: 120_000}, async () => {
		const dataDir = tempDataDir();
		const group = [contender(dataDir), contender(dataDir), contender(dataDir, 'tui')];
		await Promise.all(group.map(child => child.waitFor('started', 40_000)));
		await waitUntil(() => group.some(child => child.has('acquired')), 10_000, 'a holder');
		// Several poll rounds of the others: still one holder.
		await new Promise(resolve => setTimeout(resolve, 1500));
		const holders = group.filter(child => child.has('acquired'));
		expect(holders).toHaveLength(1);
		expect(group.every(child => !child.has('lost'))).toBe(true);
		const holder = holders[0]!;
		const status = schedulerStatus(dataDir);
		expect(status).toEqual({mode: 'other', pid: holder.pid, kind: holder === group[2] ? 'tui' : 'daemon'});
	});

	it('another process takes over within seconds when the holder is killed with SIGKILL (cloudsync timings)', {timeout: 120_000}, async () => {
		const dataDir = tempDataDir();
		const first = contender(dataDir, 'daemon', 'defaults');
		await first.waitFor('acquired', 40_000);
		const second = contender(dataDir, 'daemon', 'defaults');
		await second.waitFor('started', 40_000);
		await new Promise(resolve => setTimeout(resolve, 2500));
		expect(second.has('acquired')).toBe(false);
		const killedAt = Date.now();
		first.child.kill('SIGKILL');
		const taken = await second.waitFor('acquired', 10_000);
		expect(taken.at - killedAt).toBeLessThan(10_000);
		expect(schedulerStatus(dataDir)).toEqual({mode: 'other', pid: second.pid, kind: 'daemon'});
	});

	it('a holder that exits on SIGTERM hands over at once', {timeout: 120_000}, async () => {
		const dataDir = tempDataDir();
		const first = contender(dataDir);
		await first.waitFor('acquired', 40_000);
		const second = contender(dataDir, 'tui');
		await second.waitFor('started', 40_000);
		const stoppedAt = Date.now();
		first.child.kill('SIGTERM');
		expect(await first.exited).toBe(0);
		expect(first.has('released')).toBe(true);
		const taken = await second.waitFor('acquired', 5000);
		expect(taken.at - stoppedAt).toBeLessThan(3000);
		expect(schedulerStatus(dataDir)).toEqual({mode: 'other', pid: second.pid, kind: 'tui'});
	});

	it('a hung holder loses the lock once its heartbeat is stale, and says so when it wakes', {timeout: 120_000}, async () => {
		const dataDir = tempDataDir();
		const first = contender(dataDir, 'daemon', 1500);
		await first.waitFor('acquired', 40_000);
		const second = contender(dataDir, 'daemon', 1500);
		await second.waitFor('started', 40_000);
		const stoppedAt = Date.now();
		first.child.kill('SIGSTOP');
		const taken = await second.waitFor('acquired', 10_000);
		expect(taken.at - stoppedAt).toBeGreaterThanOrEqual(1000);
		first.child.kill('SIGCONT');
		await first.waitFor('lost', 5000);
		await new Promise(resolve => setTimeout(resolve, 700));
		expect(first.count('acquired')).toBe(1);
		expect(second.has('lost')).toBe(false);
		expect(readSchedulerHolder(dataDir)?.pid).toBe(second.pid);
	});
});

describe('scheduler lock in one process', () => {
	it('takes over a lock file left by a process that has ended', async () => {
		const dataDir = tempDataDir();
		const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
		const deadPid = Number(ended.stdout);
		fs.mkdirSync(path.dirname(schedulerLockPath(dataDir)), {recursive: true});
		const file = schedulerLockPath(dataDir);
		fs.writeFileSync(file, JSON.stringify({pid: deadPid, kind: 'daemon', host: os.hostname(), token: 'old', since: new Date().toISOString(), heartbeatMs: 2000}));
		// Its last heartbeat was just now: maybe a live process whose pid this one cannot see.
		const lock = new SchedulerLock(dataDir, 'tui');
		expect(await lock.tryAcquire()).toBe(false);
		// Two heartbeats missed: gone.
		const old = new Date(Date.now() - 4500);
		fs.utimesSync(file, old, old);
		expect(schedulerStatus(dataDir)).toEqual({mode: 'off'});
		expect(await lock.tryAcquire()).toBe(true);
		expect(lock.status()).toEqual({mode: 'this-process'});
		expect(schedulerStatus(dataDir)).toEqual({mode: 'this-process'});
		expect(lock.stillHeld()).toBe(true);
		await lock.release();
		expect(fs.existsSync(schedulerLockPath(dataDir))).toBe(false);
	});

	it('does not take a fresh lock of a live process, nor a garbled file it cannot read as stale', async () => {
		const dataDir = tempDataDir();
		const first = new SchedulerLock(dataDir, 'daemon');
		const second = new SchedulerLock(dataDir, 'tui');
		expect(await first.tryAcquire()).toBe(true);
		expect(await second.tryAcquire()).toBe(false);
		expect(second.held).toBe(false);
		expect(readSchedulerHolder(dataDir)?.kind).toBe('daemon');
		first.releaseSync();
		fs.writeFileSync(schedulerLockPath(dataDir), '{"pid": 1, "tok');
		expect(await second.tryAcquire()).toBe(true);
		second.releaseSync();
	});

	it('a lock held by another host counts until its heartbeat is stale', async () => {
		const dataDir = tempDataDir();
		const file = schedulerLockPath(dataDir);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, JSON.stringify({pid: 999_999, kind: 'daemon', host: 'other-host', token: 'x', since: new Date().toISOString()}));
		const lock = new SchedulerLock(dataDir, 'tui', {staleMs: 5000});
		expect(await lock.tryAcquire()).toBe(false);
		const old = new Date(Date.now() - 6000);
		fs.utimesSync(file, old, old);
		expect(await lock.tryAcquire()).toBe(true);
		lock.releaseSync();
	});

	it('leaves no lock behind when released while an attempt is under way', async () => {
		const dataDir = tempDataDir();
		const lock = new SchedulerLock(dataDir, 'daemon');
		const attempt = lock.tryAcquire();
		await lock.release();
		expect(await attempt).toBe(false);
		expect(lock.held).toBe(false);
		expect(fs.existsSync(schedulerLockPath(dataDir))).toBe(false);
	});

	it('describes who runs the schedules', () => {
		expect(describeSchedulerStatus({mode: 'this-process'})).toBe('schedules run in this window');
		expect(describeSchedulerStatus({mode: 'other', pid: 4242, kind: 'daemon'})).toBe('schedules run in the daemon (pid 4242)');
		expect(describeSchedulerStatus({mode: 'other', pid: 77, kind: 'tui'})).toBe('schedules run in another window (pid 77)');
		expect(describeSchedulerStatus({mode: 'off'})).toMatch(/^no scheduler is running/);
	});
});
