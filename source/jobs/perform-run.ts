/**
 * One run from its RUNNING record to its final record: loads the task and its
 * credential, runs it (run-task.ts), and logs the summary. The worker process
 * (TUI, daemon) and a foreground `cloudsync task run` (in its own process)
 * both run tasks through this; the caller holds the task lock and writes the
 * record it returns.
 */
import {userMessage} from '../core/errors.js';
import type {Task} from '../core/model.js';
import type {Store} from '../store/store.js';
import {appendRunLog, diedMessage, logLine, mtimeIndexPath, printableText, readRun, runBefore, type RunFile, type RunOwner} from './history.js';
import {makeRedactor, type Redactor} from './redact.js';
import {executeRun, type LogLevel, type RunOutcome} from './run-task.js';
import {runSecrets} from './secrets.js';
import type {RunProgress} from './types.js';
import {counted} from '../core/words.js';

export type RunPlace = {dataDir: string; owner: RunOwner; runId: string; dryRun: boolean};

/** Writes a run's log lines, free of the run's secrets once they are known, and hands each on. */
export class RunLogger {
	redact: Redactor = line => line;

	constructor(
		readonly place: RunPlace,
		readonly onLine: (line: string) => void,
	) {}

	log(level: LogLevel, message: string): void {
		const line = this.redact(logLine(level, message));
		try {
			appendRunLog(this.place.dataDir, this.place.owner, this.place.runId, line);
		} catch {
			// a full disk must not stop the run; the listener still gets the line
		}
		this.onLine(line);
	}
}

export type RunHooks = {
	/** Opens the store and the task to run (inside the run, so a failure ends it FAILED). */
	load(): Promise<{store: Store; task: Task}>;
	/** Says in the log where the run executes, e.g. "worker pid 123". */
	where: string;
	signal: AbortSignal;
	progress(progress: RunProgress): void;
	scriptStarted(pgid: number): void;
	scriptEnded(pgid: number): void;
};

/** Whether the run before this one ended because its process died (kill -9, a crash, power loss). */
function previousRunDied(place: RunPlace): boolean {
	if (place.owner === 'unsaved') return false;
	const previous = runBefore(place.dataDir, place.owner, place.runId);
	return previous !== undefined && previous.state === 'FAILED' && (previous.error ?? '').startsWith(diedMessage);
}

/** Runs the task; the final record, logged but not written. Throws only when the run has no record. */
export async function performRun(logger: RunLogger, hooks: RunHooks): Promise<RunFile> {
	const {place} = logger;
	const {signal} = hooks;
	const initial = readRun(place.dataDir, place.owner, place.runId);
	if (!initial) throw new Error(`run ${place.runId} has no record`);
	const log = (level: LogLevel, message: string) => logger.log(level, message);
	let outcome: RunOutcome;
	try {
		const {store, task} = await hooks.load();
		const credential = await store.requireCredential(task.credential);
		logger.redact = makeRedactor(runSecrets(task, credential));
		log('INFO', `${place.owner === 'unsaved' ? 'Unsaved task' : `Task ${task.id}`} "${task.description}": ${task.direction} ${task.transferMode}${place.dryRun ? ' (dry run)' : ''}, local ${task.path}, ${hooks.where}.`);
		outcome = await executeRun({
			task,
			credential,
			runId: place.runId,
			dryRun: place.dryRun,
			signal,
			startedAt: new Date(initial.startedAt),
			previousRunDied: previousRunDied(place),
			mtimeIndexFile: place.owner === 'unsaved' ? undefined : mtimeIndexPath(place.dataDir, task.id),
			saveCredentialAttributes: async attributes => {
				const current = await store.requireCredential(credential.name);
				await store.saveCredential({...current, attributes: {...current.attributes, ...attributes}}, {replace: true});
			},
			log,
			progress: hooks.progress,
			scriptStarted: hooks.scriptStarted,
			scriptEnded: hooks.scriptEnded,
		});
	} catch (error) {
		outcome = signal.aborted ? {state: 'ABORTED', error: 'the run was cancelled'} : {state: 'FAILED', error: userMessage(error)};
	}
	const counts = outcome.result?.counts;
	const error = outcome.error === undefined ? undefined : printableText(logger.redact(outcome.error));
	const record: RunFile = {
		...initial,
		pid: process.pid,
		state: outcome.state,
		endedAt: new Date().toISOString(),
		filesTransferred: counts?.copied ?? 0,
		bytesTransferred: outcome.result?.bytes ?? 0,
		filesDeleted: counts?.deleted ?? 0,
		filesChecked: counts?.checked ?? 0,
		filesUpdated: counts?.updated ?? 0,
		filesSkipped: counts?.skipped ?? 0,
		errors: counts?.errors ?? (outcome.state === 'FAILED' ? 1 : 0),
		...(error === undefined ? {} : {error}),
		...(outcome.result?.errors.length ? {errorList: outcome.result.errors.slice(0, 20).map(e => ({path: printableText(logger.redact(e.path)), message: printableText(logger.redact(e.message))}))} : {}),
	};
	log(outcome.state === 'SUCCESS' ? 'INFO' : 'ERROR', summary(record, place.dryRun));
	return record;
}

function summary(record: RunFile, dryRun: boolean): string {
	if (record.state === 'SUCCESS') {
		return dryRun
			? `Dry run succeeded: would transfer ${counted(record.filesTransferred, 'file')} (${record.bytesTransferred} bytes) and delete ${record.filesDeleted}; ${record.filesChecked} unchanged.`
			: `Run succeeded: ${record.filesTransferred} transferred, ${record.filesDeleted} deleted, ${record.filesChecked} unchanged, ${record.bytesTransferred} bytes.`;
	}
	if (record.state === 'ABORTED') return `Run cancelled: ${record.filesTransferred} transferred before it stopped; nothing unverified was deleted.`;
	return `Run failed: ${record.error}.`;
}
