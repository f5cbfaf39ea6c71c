/**
 * Run records and logs: `<dataDir>/runs/<taskId>/<runId>.json` and `.log`,
 * one pair per run, the newest N kept per task. Dry runs of a task that is
 * not saved yet live under `runs/unsaved/`. A record left RUNNING by a
 * process that no longer exists is marked FAILED the next time it is read.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {RunRecord} from '../core/model.js';
import {writeFileAtomic} from './atomic.js';
import {processAlive, processStartTicks} from './process-info.js';
import {parseRunFile} from './run-file.js';
import type {RunFile} from './run-file-schema.js';

/** Where a run is filed: a saved task's id, or 'unsaved' for a task form's dry run. */
export type RunOwner = number | 'unsaved';

export type {RunFile} from './run-file-schema.js';

export const defaultRunsKept = 20;
export const diedMessage = "the run's process ended unexpectedly";

/** Where every owner's runs directory lives. */
function runsRoot(dataDir: string): string {
	return path.join(dataDir, 'runs');
}

export function runsDir(dataDir: string, owner: RunOwner): string {
	return path.join(runsRoot(dataDir), String(owner));
}

export function runRecordPath(dataDir: string, owner: RunOwner, runId: string): string {
	return path.join(runsDir(dataDir, owner), `${runId}.json`);
}

export function runLogPath(dataDir: string, owner: RunOwner, runId: string): string {
	return path.join(runsDir(dataDir, owner), `${runId}.log`);
}

/** The provider's mtime index of a saved task (S3: saves a HEAD per object); unsaved dry runs use none. */
export function mtimeIndexPath(dataDir: string, taskId: number): string {
	return path.join(dataDir, 'mtime-index', `task-${taskId}.json`);
}

/** Sortable by time: 20261126-234000-123-a1b2c3. */
export function newRunId(now = new Date()): string {
	const iso = now.toISOString(); // 2026-11-26T23:40:00.123Z
	const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
	return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const runIdPattern = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/;

export function isFinal(state: RunRecord['state']): boolean {
	return state !== 'RUNNING' && state !== 'QUEUED';
}

/** The record a run writes as it starts: RUNNING in this process, nothing done yet. */
export function startingRecord(run: {id: string; task: {id: number; description: string}; dryRun: boolean; trigger: RunFile['trigger']; startedAt: string; unsaved?: boolean}): RunFile {
	return {
		id: run.id,
		taskId: run.task.id,
		state: 'RUNNING',
		dryRun: run.dryRun,
		trigger: run.trigger,
		startedAt: run.startedAt,
		pid: process.pid,
		pidStartTicks: processStartTicks(process.pid),
		description: run.task.description,
		filesTransferred: 0,
		bytesTransferred: 0,
		filesDeleted: 0,
		filesChecked: 0,
		errors: 0,
		...(run.unsaved ? {unsaved: true} : {}),
	};
}

export function writeRun(dataDir: string, owner: RunOwner, record: RunFile): void {
	fs.mkdirSync(runsDir(dataDir, owner), {recursive: true, mode: 0o700});
	writeFileAtomic(runRecordPath(dataDir, owner, record.id), JSON.stringify(record, null, '\t') + '\n');
}

export function appendRunLog(dataDir: string, owner: RunOwner, runId: string, lines: string | string[]): void {
	const text = (Array.isArray(lines) ? lines : [lines]).map(line => line + '\n').join('');
	if (text === '') return;
	fs.mkdirSync(runsDir(dataDir, owner), {recursive: true, mode: 0o700});
	fs.appendFileSync(runLogPath(dataDir, owner, runId), text, {mode: 0o600});
}

function readRecordFile(file: string): RunFile | undefined {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
	try {
		return parseRunFile(JSON.parse(text));
	} catch {
		return undefined;
	}
}

/** A log line in the format every run line uses. */
export function logLine(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string, time = new Date()): string {
	return `${time.toISOString()} ${level.padEnd(5)} ${printableText(message)}`;
}

/**
 * Text safe to print on a terminal and to keep as one log line: names from a
 * remote (or script output) may hold escape sequences that would drive the
 * reader's terminal, or newlines that would forge log lines. Tabs become
 * spaces, other control characters "?".
 */
export function printableText(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * Marks a RUNNING record whose process is gone as FAILED (or `state`), unless
 * the process wrote its own end first. Returns the record as it now is.
 */
export function settleRun(dataDir: string, owner: RunOwner, runId: string, state: 'FAILED' | 'ABORTED' = 'FAILED', error = diedMessage): RunFile | undefined {
	const file = runRecordPath(dataDir, owner, runId);
	const record = readRecordFile(file);
	if (!record || isFinal(record.state)) return record;
	let endedAt = new Date();
	try {
		endedAt = fs.statSync(runLogPath(dataDir, owner, runId)).mtime;
	} catch {
		// no log: now it is
	}
	const settled: RunFile = {...record, state, endedAt: endedAt.toISOString(), error};
	writeRun(dataDir, owner, settled);
	appendRunLog(dataDir, owner, runId, logLine('ERROR', `Run ${state === 'ABORTED' ? 'cancelled' : 'failed'}: ${error}.`));
	return settled;
}

/** A run's record as stored, without the liveness check. */
export function readRunFile(dataDir: string, owner: RunOwner, runId: string): RunFile | undefined {
	return runIdPattern.test(runId) ? readRecordFile(runRecordPath(dataDir, owner, runId)) : undefined;
}

function checkLiveness(dataDir: string, owner: RunOwner, record: RunFile): RunFile {
	if (isFinal(record.state)) return record;
	if (record.pid !== undefined && processAlive(record.pid, record.pidStartTicks)) return record;
	return settleRun(dataDir, owner, record.id) ?? record;
}

/** One run's record, or undefined; a run whose process died comes back FAILED. */
export function readRun(dataDir: string, owner: RunOwner, runId: string): RunFile | undefined {
	if (!runIdPattern.test(runId)) return undefined;
	const record = readRecordFile(runRecordPath(dataDir, owner, runId));
	return record && checkLiveness(dataDir, owner, record);
}

function runIds(dataDir: string, owner: RunOwner): string[] {
	let names: string[];
	try {
		names = fs.readdirSync(runsDir(dataDir, owner));
	} catch {
		return [];
	}
	return names
		.filter(name => name.endsWith('.json'))
		.map(name => name.slice(0, -'.json'.length))
		.filter(id => runIdPattern.test(id))
		.sort()
		.reverse();
}

/** The owners (task ids, "unsaved") that have a runs directory: one directory read, for callers that would otherwise try every task's. */
export function ownersWithRuns(dataDir: string): Set<string> {
	try {
		return new Set(fs.readdirSync(runsRoot(dataDir)));
	} catch {
		return new Set();
	}
}

/** The runs of a task, newest first. */
export function listRuns(dataDir: string, owner: RunOwner): RunFile[] {
	const records: RunFile[] = [];
	for (const id of runIds(dataDir, owner)) {
		const record = readRun(dataDir, owner, id);
		if (record) records.push(record);
	}
	return records;
}

/** The newest readable run of the task that began before `runId`. */
export function runBefore(dataDir: string, owner: RunOwner, runId: string): RunFile | undefined {
	for (const id of runIds(dataDir, owner)) {
		if (id >= runId) continue;
		const record = readRun(dataDir, owner, id);
		if (record) return record;
	}
	return undefined;
}

/** The latest run (n = 1), the one before (n = 2), ... */
export function nthRun(dataDir: string, owner: RunOwner, n: number): RunFile | undefined {
	const id = runIds(dataDir, owner)[n - 1];
	return id === undefined ? undefined : readRun(dataDir, owner, id);
}

export function readRunLog(dataDir: string, owner: RunOwner, runId: string): string {
	if (!runIdPattern.test(runId)) return '';
	try {
		return fs.readFileSync(runLogPath(dataDir, owner, runId), 'utf8');
	} catch {
		return '';
	}
}

/** Removes all but the newest `keep` runs of a task; runs still in progress are kept. */
export function pruneRuns(dataDir: string, owner: RunOwner, keep = defaultRunsKept): string[] {
	const removed: string[] = [];
	for (const id of runIds(dataDir, owner).slice(Math.max(0, keep))) {
		const record = readRun(dataDir, owner, id);
		if (record && !isFinal(record.state)) continue;
		fs.rmSync(runRecordPath(dataDir, owner, id), {force: true});
		fs.rmSync(runLogPath(dataDir, owner, id), {force: true});
		removed.push(id);
	}
	return removed;
}

/**
 * Calls `onLine` for every line of a run's log, then for every line added
 * while the run goes on; resolves with the final record once the run has
 * ended and its log is read to the end, or when `signal` fires.
 */
export async function followRunLog(
	dataDir: string,
	owner: RunOwner,
	runId: string,
	onLine: (line: string) => void,
	options: {signal?: AbortSignal; pollMs?: number} = {},
): Promise<RunFile | undefined> {
	const file = runLogPath(dataDir, owner, runId);
	const pollMs = options.pollMs ?? 200;
	let offset = 0;
	let pending = '';
	const drain = () => {
		let fd: number;
		try {
			fd = fs.openSync(file, 'r');
		} catch {
			return;
		}
		try {
			const buffer = Buffer.alloc(64 * 1024);
			for (;;) {
				const read = fs.readSync(fd, buffer, 0, buffer.length, offset);
				if (read === 0) break;
				offset += read;
				pending += buffer.toString('utf8', 0, read);
				const lines = pending.split('\n');
				pending = lines.pop() ?? '';
				for (const line of lines) onLine(line);
			}
		} finally {
			fs.closeSync(fd);
		}
	};
	for (;;) {
		const record = readRun(dataDir, owner, runId);
		drain();
		if (!record || isFinal(record.state) || options.signal?.aborted) {
			drain();
			if (pending !== '') onLine(pending);
			return record;
		}
		await new Promise<void>(resolve => {
			const timer = setTimeout(done, pollMs);
			function done() {
				clearTimeout(timer);
				options.signal?.removeEventListener('abort', done);
				resolve();
			}
			options.signal?.addEventListener('abort', done, {once: true});
		});
	}
}
