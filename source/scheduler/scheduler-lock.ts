/**
 * Exactly one active scheduler per data directory across the processes of a
 * machine (the daemon, TUI windows).
 *
 * The holder is recorded in `<dataDir>/locks/scheduler.json` (pid, its start
 * time, kind, host, a random token) and proves it is alive by touching the
 * file's mtime every `heartbeatMs`. Node has no flock, so a holder counts as
 * gone when its process has ended (checked with the pid and its start time,
 * so a reused pid does not count) and it missed two heartbeats, or when its
 * heartbeat is older than `staleMs` (a hung process, or one on another host
 * sharing the directory). The two missed heartbeats keep a live holder whose
 * pid is not visible here (another pid namespace with the same host name)
 * from being taken over again and again.
 * Other processes try every `pollMs`; taking over, and giving up, happen
 * inside a short inter-process critical section, so two contenders never
 * both win. A holder whose file now names someone else has lost the lock and
 * says so ('lost'), then waits like the others.
 */
import {randomBytes} from 'node:crypto';
import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {processAlive, processStartTicks} from '../jobs/process-info.js';

export type SchedulerKind = 'daemon' | 'tui';

export type SchedulerHolder = {
	pid: number;
	pidStartTicks?: number;
	kind: SchedulerKind;
	host: string;
	token: string;
	since: string;
	/** How often the holder touches the file. */
	heartbeatMs?: number;
};

export type SchedulerStatus = {mode: 'this-process'} | {mode: 'other'; pid: number; kind: SchedulerKind} | {mode: 'off'};

export type SchedulerLockOptions = {heartbeatMs?: number; staleMs?: number; pollMs?: number};

const defaults = {heartbeatMs: 2000, staleMs: 10_000, pollMs: 1000};

export function schedulerLockPath(dataDir: string): string {
	return path.join(dataDir, 'locks', 'scheduler.json');
}

function readHolderFile(file: string): {holder: SchedulerHolder; mtimeMs: number} | undefined {
	try {
		const text = fs.readFileSync(file, 'utf8');
		const mtimeMs = fs.statSync(file).mtimeMs;
		const holder = JSON.parse(text) as SchedulerHolder;
		if (typeof holder.pid !== 'number' || typeof holder.token !== 'string') return undefined;
		return {holder, mtimeMs};
	} catch {
		return undefined;
	}
}

function holderAlive(entry: {holder: SchedulerHolder; mtimeMs: number}, staleMs: number, now: number): boolean {
	const age = now - entry.mtimeMs;
	if (age > staleMs) return false;
	if (entry.holder.host !== os.hostname()) return true;
	if (processAlive(entry.holder.pid, entry.holder.pidStartTicks)) return true;
	return age <= 2 * (entry.holder.heartbeatMs ?? defaults.heartbeatMs);
}

/** The live holder of the scheduler lock, if any. */
export function readSchedulerHolder(dataDir: string, options: {staleMs?: number; now?: number} = {}): SchedulerHolder | undefined {
	const entry = readHolderFile(schedulerLockPath(dataDir));
	if (!entry) return undefined;
	return holderAlive(entry, options.staleMs ?? defaults.staleMs, options.now ?? Date.now()) ? entry.holder : undefined;
}

/** Who runs the schedules, for a process that does not take part (e.g. `cloudsync task list`). */
export function schedulerStatus(dataDir: string): SchedulerStatus {
	const holder = readSchedulerHolder(dataDir);
	if (!holder) return {mode: 'off'};
	if (holder.pid === process.pid && holder.host === os.hostname()) return {mode: 'this-process'};
	return {mode: 'other', pid: holder.pid, kind: holder.kind};
}

/** "schedules run in the daemon (pid 4242)", "schedules run in this window", ... */
export function describeSchedulerStatus(status: SchedulerStatus): string {
	if (status.mode === 'this-process') return 'schedules run in this window';
	if (status.mode === 'other') return status.kind === 'daemon' ? `schedules run in the daemon (pid ${status.pid})` : `schedules run in another window (pid ${status.pid})`;
	return 'no scheduler is running: schedules wait until cloudsync or `cloudsync daemon` runs';
}

/** 'waiting' comes after a failed attempt whenever the holder differs from the one last reported. */
export class SchedulerLock extends EventEmitter<{acquired: []; lost: []; waiting: [status: SchedulerStatus & {mode: 'other'}]}> {
	readonly dataDir: string;
	readonly kind: SchedulerKind;
	readonly #options: Required<SchedulerLockOptions>;
	readonly #file: string;
	#token?: string;
	#timer?: NodeJS.Timeout;
	#contending = false;
	#busy = false;
	#closed = false;
	#reportedHolder?: string;
	readonly #onExit = () => this.releaseSync();

	constructor(dataDir: string, kind: SchedulerKind, options: SchedulerLockOptions = {}) {
		super();
		this.dataDir = dataDir;
		this.kind = kind;
		this.#options = {...defaults, ...options};
		this.#file = schedulerLockPath(dataDir);
	}

	get held(): boolean {
		return this.#token !== undefined;
	}

	/** Reads the file: is it still ours? (A cheap check before each scheduled start.) */
	stillHeld(): boolean {
		return this.#token !== undefined && readHolderFile(this.#file)?.holder.token === this.#token;
	}

	status(): SchedulerStatus {
		if (this.held) return {mode: 'this-process'};
		return schedulerStatus(this.dataDir);
	}

	/** Takes the lock now if it is free, and keeps trying (and, once held, heartbeating) until `release()`. */
	start(): void {
		if (this.#contending) return;
		this.#contending = true;
		this.#closed = false;
		process.on('exit', this.#onExit);
		void this.#step();
	}

	/** One attempt: true when this process holds the lock afterwards. */
	async tryAcquire(): Promise<boolean> {
		if (this.held) return true;
		const token = randomBytes(8).toString('hex');
		const won = await this.#critical(() => {
			// release() may have come while this attempt waited for the section.
			if (this.#closed) return false;
			const current = readHolderFile(this.#file);
			if (current && holderAlive(current, this.#options.staleMs, Date.now())) return false;
			const holder: SchedulerHolder = {
				pid: process.pid,
				pidStartTicks: processStartTicks(process.pid),
				kind: this.kind,
				host: os.hostname(),
				token,
				since: new Date().toISOString(),
				heartbeatMs: this.#options.heartbeatMs,
			};
			const temp = `${this.#file}.${process.pid}.${token}.tmp`;
			fs.writeFileSync(temp, JSON.stringify(holder), {mode: 0o600});
			fs.renameSync(temp, this.#file);
			this.#token = token;
			return true;
		});
		if (won) {
			this.#reportedHolder = undefined;
			this.emit('acquired');
		}
		return won === true;
	}

	/** Stops trying; removes the lock file if it is still ours, so another process takes over at once. */
	async release(): Promise<void> {
		this.#closed = true;
		this.#stopTimers();
		const token = this.#token;
		this.#token = undefined;
		if (token === undefined) return;
		const done = await this.#critical(() => this.#removeIfOurs(token));
		if (done === undefined) this.#removeIfOurs(token);
	}

	/** For exit handlers, where nothing can be awaited. */
	releaseSync(): void {
		this.#closed = true;
		this.#stopTimers();
		const token = this.#token;
		this.#token = undefined;
		if (token !== undefined) this.#removeIfOurs(token);
	}

	#removeIfOurs(token: string): true {
		if (readHolderFile(this.#file)?.holder.token === token) fs.rmSync(this.#file, {force: true});
		return true;
	}

	#stopTimers(): void {
		this.#contending = false;
		process.off('exit', this.#onExit);
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	async #step(): Promise<void> {
		if (!this.#contending || this.#busy) return;
		this.#busy = true;
		try {
			if (this.held) this.#heartbeat();
			else if (!(await this.tryAcquire())) this.#reportWaiting();
		} catch {
			// A failed attempt or touch is tried again on the next step.
		} finally {
			this.#busy = false;
		}
		if (!this.#contending) return;
		this.#timer = setTimeout(() => void this.#step(), this.held ? this.#options.heartbeatMs : this.#options.pollMs);
	}

	#reportWaiting(): void {
		const holder = readSchedulerHolder(this.dataDir, {staleMs: this.#options.staleMs});
		if (!holder || holder.token === this.#reportedHolder) return;
		this.#reportedHolder = holder.token;
		this.emit('waiting', {mode: 'other', pid: holder.pid, kind: holder.kind});
	}

	#heartbeat(): void {
		if (!this.stillHeld()) {
			this.#token = undefined;
			this.emit('lost');
			return;
		}
		const now = new Date();
		fs.utimesSync(this.#file, now, now);
	}

	/** Runs `action` while no other process is electing; undefined when the section could not be entered. */
	async #critical<T>(action: () => T): Promise<T | undefined> {
		const target = path.join(path.dirname(this.#file), 'scheduler-election');
		fs.mkdirSync(path.dirname(this.#file), {recursive: true, mode: 0o700});
		let unlock: () => Promise<void>;
		try {
			unlock = await lockfile.lock(target, {
				realpath: false,
				stale: 10_000,
				retries: {retries: 20, factor: 1.3, minTimeout: 10, maxTimeout: 200, randomize: true},
			});
		} catch {
			return undefined;
		}
		try {
			return action();
		} finally {
			await unlock().catch(() => undefined);
		}
	}
}
