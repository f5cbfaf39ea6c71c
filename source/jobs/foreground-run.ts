/**
 * A run inside the calling process: what `cloudsync task run` does, so the
 * command does not pay for a second Node process. The TUI and the daemon use
 * TaskRunner instead, whose worker process outlives the app and cannot stall
 * it. The same rules hold as for a worker: the task lock (naming this
 * process), the RUNNING record and log, the final record. A process killed
 * with SIGKILL leaves a RUNNING record whose pid is gone, which the next
 * reader records as FAILED (history.ts), and a stale lock the next run takes over.
 */
import {setMaxListeners} from 'node:events';
import {userMessage} from '../core/errors.js';
import type {Task} from '../core/model.js';
import type {Store} from '../store/store.js';
import {defaultRunsKept, diedMessage, isFinal, logLine, newRunId, printableText, pruneRuns, readRunFile, settleRun, startingRecord, writeRun, type RunFile} from './history.js';
import {acquireTaskLock, type TaskLock} from './locks.js';
import {performRun, RunLogger} from './perform-run.js';
import {recordRunStart} from './run-start.js';
import {signalGroup} from './process-info.js';
import {makeRedactor} from './redact.js';
import {runSecrets} from './secrets.js';
import type {RunProgress, StartOptions} from './types.js';

export type ForegroundRunOptions = StartOptions & {
	/** Runs kept per task (default 20). */
	runsKept?: number;
	/**
	 * From a cancel to giving up on a run that does not stop (default 7000 ms):
	 * then its scripts are killed and the record says ABORTED. Below
	 * TaskRunner's 8 s, after which a canceller in another process would kill
	 * this process's whole process group (a shell's job, pipes included).
	 */
	cancelGraceMs?: number;
};

export type ForegroundListeners = {
	/** One line of the run log, already free of secrets. */
	log(line: string): void;
	progress(progress: RunProgress): void;
};

export const stoppedMessage = 'the run was cancelled and its process had to be stopped';

export class ForegroundRun {
	/** Resolves with the final record, already written. */
	readonly ended: Promise<RunFile>;
	readonly #controller = new AbortController();
	readonly #logger: RunLogger;
	readonly #scriptGroups = new Set<number>();
	readonly #gaveUp: Promise<RunFile>;
	#giveUp!: (record: RunFile) => void;
	readonly #listeners: ForegroundListeners;
	readonly #lock: TaskLock;
	#graceTimer?: NodeJS.Timeout;
	/** Given up on (its record settled here): the body of the run, if it ever ends, writes nothing. */
	#abandoned = false;
	#recorded = false;

	private constructor(
		readonly store: Store,
		readonly task: Task,
		readonly runId: string,
		readonly options: ForegroundRunOptions,
		listeners: ForegroundListeners,
		lock: TaskLock,
	) {
		this.#listeners = listeners;
		this.#lock = lock;
		this.#logger = new RunLogger({dataDir: store.dir, owner: task.id, runId, dryRun: options.dryRun === true}, listeners.log);
		this.#logger.redact = makeRedactor(runSecrets(task, undefined));
		this.#gaveUp = new Promise(resolve => (this.#giveUp = resolve));
		// Every transfer and request listens to the run's signal; Node's warning about more than 10 would land on the command's stderr.
		setMaxListeners(0, this.#controller.signal);
		const finished = this.#perform().finally(() => {
			clearTimeout(this.#graceTimer);
			if (!this.#abandoned) this.#close();
		});
		this.ended = Promise.race([finished, this.#gaveUp]);
	}

	/**
	 * Takes the task's lock and starts the run; rejects with
	 * CloudSyncError('conflict', 'task N is already running (started HH:MM by PID)').
	 */
	static async start(store: Store, task: Task, options: ForegroundRunOptions, listeners: ForegroundListeners): Promise<ForegroundRun> {
		const dataDir = store.dir;
		const dryRun = options.dryRun === true;
		const runId = newRunId();
		const startedAt = new Date().toISOString();
		const lock = await acquireTaskLock(dataDir, {taskId: task.id, runId, startedAt, path: task.path, direction: task.direction, dryRun});
		let firstLine: string;
		try {
			({firstLine} = await recordRunStart(store, task, {dataDir, owner: task.id, runId, dryRun, startedAt}, options));
		} catch (error) {
			lock.release();
			settleRun(dataDir, task.id, runId, 'FAILED', 'the run could not be started');
			throw error;
		}
		listeners.log(firstLine);
		return new ForegroundRun(store, task, runId, options, listeners, lock);
	}

	/** Stops transfers and scripts; the run ends ABORTED (given up after the grace period). */
	cancel(): void {
		if (this.#controller.signal.aborted) return;
		this.#logger.log('WARN', 'Cancel requested: stopping transfers and scripts.');
		this.#controller.abort();
		this.#graceTimer = setTimeout(() => this.#abandon(), this.options.cancelGraceMs ?? 7000);
	}

	async #perform(): Promise<RunFile> {
		const place = this.#logger.place;
		try {
			const record = await performRun(this.#logger, {
				load: async () => ({store: this.store, task: this.task}),
				where: `pid ${process.pid}`,
				signal: this.#controller.signal,
				progress: this.#listeners.progress,
				scriptStarted: pgid => this.#scriptsChanged(() => this.#scriptGroups.add(pgid)),
				scriptEnded: pgid => this.#scriptsChanged(() => this.#scriptGroups.delete(pgid)),
			});
			if (!this.#abandoned) writeRun(place.dataDir, this.task.id, record);
			this.#recorded = true;
			return record;
		} catch (error) {
			// The record could not be read or written (the disk, or the runs folder, went away).
			const problem = printableText(this.#logger.redact(userMessage(error)));
			const settled = this.#abandoned ? undefined : settleRunQuietly(place.dataDir, this.task.id, this.runId, 'FAILED', `the run's record could not be written: ${problem}`);
			return settled ?? this.#unrecorded('FAILED', `the run's record could not be written: ${problem}`);
		}
	}

	/** Kept in the lock too: if this process is killed, the next run of the task stops them. */
	#scriptsChanged(change: () => void): void {
		change();
		try {
			this.#lock.recordScripts(this.#scriptGroups);
		} catch {
			// the lock still guards the run; only the cleanup after a kill -9 would miss the script
		}
	}

	/**
	 * The process is going down with an error nothing caught (a worker's
	 * parent would report that its process died): the run is recorded as
	 * FAILED with the reason, and `ended` resolves so the command can say so.
	 */
	crashed(error: unknown): void {
		if (this.#abandoned || this.#recorded) return;
		const detail = printableText(this.#logger.redact(userMessage(error)).split('\n')[0] ?? '');
		this.#giveUpWith('FAILED', `${diedMessage}${detail ? `: ${detail}` : ''}`);
	}

	/** The run did not stop within the grace period: record it as stopped and let the command exit. */
	#abandon(): void {
		this.#giveUpWith('ABORTED', stoppedMessage);
	}

	#giveUpWith(state: 'FAILED' | 'ABORTED', error: string): void {
		this.#abandoned = true;
		clearTimeout(this.#graceTimer);
		for (const pgid of this.#scriptGroups) signalGroup(pgid, 'SIGKILL');
		const record = settleRunQuietly(this.store.dir, this.task.id, this.runId, state, error);
		this.#listeners.log(logLine('ERROR', `Run ${state === 'ABORTED' ? 'cancelled' : 'failed'}: ${error}.`));
		this.#close();
		this.#giveUp(record && isFinal(record.state) ? record : this.#unrecorded(state, error));
	}

	#close(): void {
		for (const pgid of this.#scriptGroups) signalGroup(pgid, 'SIGKILL');
		this.#lock.release();
		try {
			pruneRuns(this.store.dir, this.task.id, this.options.runsKept ?? defaultRunsKept);
		} catch {
			// pruning is housekeeping
		}
	}

	/** What the run's record says, or would have said, when it cannot be written. */
	#unrecorded(state: 'FAILED' | 'ABORTED', error: string): RunFile {
		const started = {id: this.runId, task: this.task, dryRun: this.options.dryRun === true, trigger: this.options.trigger ?? 'manual', startedAt: new Date().toISOString()};
		return {...(readRunFile(this.store.dir, this.task.id, this.runId) ?? startingRecord(started)), state, errors: 1, error};
	}
}

function settleRunQuietly(...args: Parameters<typeof settleRun>): RunFile | undefined {
	try {
		return settleRun(...args);
	} catch {
		return undefined;
	}
}
