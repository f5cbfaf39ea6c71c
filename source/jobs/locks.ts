/**
 * One run per task across every cloudsync process on the machine (TUI,
 * daemon, `cloudsync task run`): a lock file per task under
 * `<dataDir>/locks/`, created exclusively (a hard link of a complete temp
 * file, so nobody ever reads half a lock) and holding the pid and start time
 * of the process that runs the task. Node has no flock; a lock whose process
 * is gone is stale and taken over.
 *
 * A second start while a run is active is refused, not queued: the caller
 * (the scheduler) knows whether to try again, and a queue would need a
 * process to stay alive for it. Two tasks whose local paths overlap (same
 * folder, or one inside the other) may not run at once in opposite
 * directions. Checks and creation happen inside a short inter-process
 * critical section, so two racing starts cannot both pass.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {CloudSyncError} from '../core/errors.js';
import type {Direction} from '../core/model.js';
import {writeFileAtomic} from './atomic.js';
import {processAlive, processStartTicks, signalGroup} from './process-info.js';

export type LockInfo = {
	taskId: number;
	runId: string;
	pid: number;
	pidStartTicks?: number;
	startedAt: string;
	/** The task's local path, resolved. */
	path: string;
	direction: Direction;
	dryRun: boolean;
	/** Process groups of the run's scripts while they run (a run in a command's own process records them). */
	scripts?: Array<{pgid: number; startTicks?: number}>;
};

export function locksDir(dataDir: string): string {
	return path.join(dataDir, 'locks');
}

export function taskLockPath(dataDir: string, taskId: number): string {
	return path.join(locksDir(dataDir), `task-${taskId}.lock`);
}

function readLockFile(file: string): LockInfo | undefined {
	try {
		const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
		return typeof info.pid === 'number' && typeof info.runId === 'string' ? info : undefined;
	} catch {
		return undefined;
	}
}

function lockAlive(info: LockInfo | undefined): info is LockInfo {
	return info !== undefined && processAlive(info.pid, info.pidStartTicks);
}

/** The lock of a task whose run is in progress, or undefined. */
export function readTaskLock(dataDir: string, taskId: number): LockInfo | undefined {
	const info = readLockFile(taskLockPath(dataDir, taskId));
	return lockAlive(info) ? info : undefined;
}

/** Every live lock. */
export function liveLocks(dataDir: string): LockInfo[] {
	let names: string[];
	try {
		names = fs.readdirSync(locksDir(dataDir));
	} catch {
		return [];
	}
	return names
		.filter(name => /^task-\d+\.lock$/.test(name))
		.map(name => readLockFile(path.join(locksDir(dataDir), name)))
		.filter(lockAlive);
}

/** The path as the file system knows it (symlinks resolved where it exists). */
export function canonicalPath(p: string): string {
	const resolved = path.resolve(p);
	try {
		return fs.realpathSync(resolved);
	} catch {
		return resolved;
	}
}

/** Same folder, or one inside the other. */
export function pathsOverlap(a: string, b: string): boolean {
	const x = a.endsWith(path.sep) ? a : a + path.sep;
	const y = b.endsWith(path.sep) ? b : b + path.sep;
	return x.startsWith(y) || y.startsWith(x);
}

export function clockTime(iso: string): string {
	const date = new Date(iso);
	return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function alreadyRunning(info: LockInfo): CloudSyncError {
	return new CloudSyncError('conflict', `task ${info.taskId} is already running (started ${clockTime(info.startedAt)} by ${info.pid})`);
}

async function withStartLock<T>(dataDir: string, action: () => T): Promise<T> {
	fs.mkdirSync(locksDir(dataDir), {recursive: true, mode: 0o700});
	const target = path.join(locksDir(dataDir), 'start');
	let release: () => Promise<void>;
	try {
		release = await lockfile.lock(target, {
			realpath: false,
			stale: 10_000,
			retries: {retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true},
		});
	} catch (error) {
		throw new CloudSyncError('conflict', `another cloudsync process holds ${target}.lock and does not let go; if none is running, remove it`, {cause: error});
	}
	try {
		return action();
	} finally {
		await release();
	}
}

export class TaskLock {
	constructor(
		readonly dataDir: string,
		public info: LockInfo,
	) {}

	get file(): string {
		return taskLockPath(this.dataDir, this.info.taskId);
	}

	/** Records the process that now does the work (the run's worker). */
	handOver(pid: number): void {
		const current = readLockFile(this.file);
		if (current?.runId !== this.info.runId) return;
		this.info = {...this.info, pid, pidStartTicks: processStartTicks(pid)};
		writeFileAtomic(this.file, JSON.stringify(this.info));
	}

	/** Records the process groups of the scripts running now, so whoever takes over a stale lock can stop them. */
	recordScripts(pgids: Iterable<number>): void {
		const current = readLockFile(this.file);
		if (current?.runId !== this.info.runId) return;
		this.info = {...this.info, scripts: [...pgids].map(pgid => ({pgid, startTicks: processStartTicks(pgid)}))};
		writeFileAtomic(this.file, JSON.stringify(this.info));
	}

	/** Removes the lock if it is still this run's. */
	release(): void {
		releaseTaskLock(this.dataDir, this.info.taskId, this.info.runId);
	}
}

/** A killed run's scripts may still run in their own process groups; the next run of the task must not overlap them. */
function stopLeftScripts(stale: LockInfo | undefined): void {
	for (const script of stale?.scripts ?? []) {
		if (processAlive(script.pgid, script.startTicks)) signalGroup(script.pgid, 'SIGKILL');
	}
}

export function releaseTaskLock(dataDir: string, taskId: number, runId: string): void {
	const file = taskLockPath(dataDir, taskId);
	if (readLockFile(file)?.runId === runId) fs.rmSync(file, {force: true});
}

/**
 * Takes the lock of `info.taskId` for `info.runId`, or throws
 * CloudSyncError('conflict') naming the run that is in the way.
 */
export async function acquireTaskLock(dataDir: string, request: Omit<LockInfo, 'pid' | 'pidStartTicks' | 'path'> & {path: string}): Promise<TaskLock> {
	const info: LockInfo = {
		...request,
		path: canonicalPath(request.path),
		pid: process.pid,
		pidStartTicks: processStartTicks(process.pid),
	};
	return withStartLock(dataDir, () => {
		const file = taskLockPath(dataDir, info.taskId);
		const existing = readLockFile(file);
		if (lockAlive(existing)) throw alreadyRunning(existing);
		if (!info.dryRun) {
			for (const other of liveLocks(dataDir)) {
				if (other.taskId === info.taskId || other.dryRun || other.direction === info.direction) continue;
				if (!pathsOverlap(info.path, other.path)) continue;
				throw new CloudSyncError(
					'conflict',
					`task ${info.taskId} cannot start: its path ${info.path} overlaps ${other.path} of task ${other.taskId}, which is running in the opposite direction (${other.direction}, started ${clockTime(other.startedAt)} by ${other.pid}); wait for task ${other.taskId} to finish`,
				);
			}
		}
		// Stale (its process is gone) or unreadable: safe to replace inside the critical section.
		stopLeftScripts(existing);
		fs.rmSync(file, {force: true});
		const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
		fs.writeFileSync(temp, JSON.stringify(info), {mode: 0o600});
		try {
			fs.linkSync(temp, file);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const winner = readLockFile(file);
			throw winner ? alreadyRunning(winner) : new CloudSyncError('conflict', `task ${info.taskId} is being started by another process`);
		} finally {
			fs.rmSync(temp, {force: true});
		}
		return new TaskLock(dataDir, info);
	});
}
