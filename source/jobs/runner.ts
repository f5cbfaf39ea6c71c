/**
 * TaskRunner: starts each run in its own worker process (run-worker.ts), so
 * a crash or a CPU-heavy sync never stalls the TUI, and relays the worker's
 * progress and log lines as events. One run per task across processes (see
 * locks.ts: a second start is refused, not queued). Cancel sends SIGTERM,
 * then SIGKILL to the worker and its scripts after the grace period.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {EventEmitter} from 'node:events';
import {CloudSyncError} from '../core/errors.js';
import type {RunRecord, Task} from '../core/model.js';
import type {Store} from '../store/store.js';
import {appendRunLog, defaultRunsKept, diedMessage, isFinal, logLine, newRunId, nthRun, pruneRuns, readRun, readRunFile, settleRun, writeRun, type RunFile, type RunOwner} from './history.js';
import {acquireTaskLock, readTaskLock, type TaskLock} from './locks.js';
import {workerArgv, workerCommand, type FromWorker, type ToWorker} from './messages.js';
import {processAlive, processStartTicks, signalGroup, signalProcess} from './process-info.js';
import {recordRunStart} from './run-start.js';
import type {Redactor} from './redact.js';
import type {ActiveRun, RunnerEvents, StartOptions, TaskRunnerApi} from './types.js';

export type TaskRunnerOptions = {
	/** Runs kept per task (default 20). */
	runsKept?: number;
	/** Between SIGTERM and SIGKILL on cancel (default 8000 ms; the whole cancel stays under 10 s). */
	killGraceMs?: number;
};

type LiveRun = {
	active: ActiveRun;
	owner: RunOwner;
	child: ChildProcess;
	lock?: TaskLock;
	redact: Redactor;
	scriptGroups: Set<number>;
	cancelRequested: boolean;
	killTimer?: NodeJS.Timeout;
	stderr: string;
	ended: Promise<RunFile>;
};

const maxStderr = 4096;

export class TaskRunner extends EventEmitter<RunnerEvents> implements TaskRunnerApi {
	readonly #store: Store;
	readonly #runsKept: number;
	readonly #killGraceMs: number;
	readonly #runs = new Map<string, LiveRun>();

	constructor(store: Store, options: TaskRunnerOptions = {}) {
		super();
		this.#store = store;
		this.#runsKept = options.runsKept ?? defaultRunsKept;
		this.#killGraceMs = Math.min(options.killGraceMs ?? 8000, 9500);
	}

	get dataDir(): string {
		return this.#store.dir;
	}

	async start(taskId: number, options: StartOptions = {}): Promise<ActiveRun> {
		const task = await this.#store.requireTask(taskId);
		return this.#launch(task, taskId, options);
	}

	/** A dry run of a task form's current values; filed under runs/unsaved, no lock (it changes nothing). */
	async dryRunUnsaved(task: Task): Promise<ActiveRun> {
		// Loaded here: the app's first frame, which makes a runner, needs no zod.
		const {unsavedTaskSchema} = await import('../core/schemas.js');
		const parsed = unsavedTaskSchema.safeParse(task);
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			throw new CloudSyncError('usage', `invalid task field ${issue.path.map(String).join('.')}: ${issue.message}`);
		}
		return this.#launch(parsed.data, 'unsaved', {dryRun: true, trigger: 'manual'});
	}

	active(): ActiveRun[] {
		return [...this.#runs.values()].map(run => ({...run.active}));
	}

	async #launch(task: Task, owner: RunOwner, options: StartOptions): Promise<ActiveRun> {
		const dataDir = this.dataDir;
		const dryRun = options.dryRun === true;
		const runId = newRunId();
		const startedAt = new Date().toISOString();
		const lock =
			owner === 'unsaved'
				? undefined
				: await acquireTaskLock(dataDir, {taskId: owner, runId, startedAt, path: task.path, direction: task.direction, dryRun});
		let child: ChildProcess;
		let redact: Redactor;
		let firstLine = '';
		try {
			({redact, firstLine} = await recordRunStart(this.#store, task, {dataDir, owner, runId, dryRun, startedAt}, options));
			const {file, execArgv} = workerCommand();
			child = spawn(process.execPath, [...execArgv, file, ...workerArgv({dataDir, owner, runId, dryRun})], {
				stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
				// Its own process group: terminal signals do not reach it, and a cancel can kill all of it.
				detached: true,
				serialization: 'json',
			});
		} catch (error) {
			lock?.release();
			settleRun(dataDir, owner, runId, 'FAILED', 'the run could not be started');
			throw error;
		}
		const active: ActiveRun = {taskId: task.id, runId, dryRun, startedAt, pid: child.pid ?? process.pid};
		if (child.pid !== undefined) {
			const record = readRun(dataDir, owner, runId);
			if (record && !isFinal(record.state)) writeRun(dataDir, owner, {...record, pid: child.pid, pidStartTicks: processStartTicks(child.pid)});
			lock?.handOver(child.pid);
		}
		let resolveEnded!: (record: RunFile) => void;
		const run: LiveRun = {
			active,
			owner,
			child,
			lock,
			redact,
			scriptGroups: new Set(),
			cancelRequested: false,
			stderr: '',
			ended: new Promise(resolve => (resolveEnded = resolve)),
		};
		this.#runs.set(runId, run);
		child.stderr?.on('data', chunk => {
			run.stderr = (run.stderr + String(chunk)).slice(-maxStderr);
		});
		child.on('message', (message: FromWorker) => this.#onMessage(run, message));
		child.once('error', () => {
			// spawn failures end in 'close' as well
		});
		child.once('close', (code, signal) => resolveEnded(this.#finish(run, code, signal)));
		if (owner === 'unsaved') child.send({type: 'task', task} satisfies ToWorker);
		this.emit('start', {...active});
		this.emit('log', active.taskId, firstLine);
		return {...active};
	}

	#onMessage(run: LiveRun, message: FromWorker): void {
		switch (message?.type) {
			case 'log':
				this.emit('log', run.active.taskId, message.line);
				break;
			case 'progress':
				run.active.progress = message.progress;
				this.emit('progress', run.active.taskId, message.progress);
				break;
			case 'script-start':
				run.scriptGroups.add(message.pgid);
				break;
			case 'script-end':
				run.scriptGroups.delete(message.pgid);
				break;
			default:
				break;
		}
	}

	#finish(run: LiveRun, code: number | null, signal: NodeJS.Signals | null): RunFile {
		clearTimeout(run.killTimer);
		const {owner, active} = run;
		const dataDir = this.dataDir;
		// A worker that was killed may leave its script running.
		for (const pgid of run.scriptGroups) signalGroup(pgid, 'SIGKILL');
		let record = readRunFile(dataDir, owner, active.runId);
		if (!record || !isFinal(record.state)) {
			const detail = run.stderr.trim().split('\n').find(line => line.trim() !== '');
			const how = signal ? ` (killed by ${signal})` : code ? ` (exit status ${code})` : '';
			const error = run.cancelRequested
				? 'the run was cancelled and its process had to be stopped'
				: `${diedMessage}${how}${detail ? `: ${run.redact(detail)}` : ''}`;
			record = settleRun(dataDir, owner, active.runId, run.cancelRequested ? 'ABORTED' : 'FAILED', error) ?? record;
			this.emit('log', active.taskId, logLine('ERROR', `Run ${run.cancelRequested ? 'cancelled' : 'failed'}: ${error}.`));
		}
		run.lock?.release();
		this.#runs.delete(active.runId);
		try {
			pruneRuns(dataDir, owner, this.#runsKept);
		} catch {
			// pruning is housekeeping
		}
		const final = record ?? {
			id: active.runId,
			taskId: active.taskId,
			state: 'FAILED' as const,
			dryRun: active.dryRun,
			trigger: 'manual' as const,
			startedAt: active.startedAt,
			filesTransferred: 0,
			bytesTransferred: 0,
			filesDeleted: 0,
			filesChecked: 0,
			errors: 1,
			error: diedMessage,
		};
		this.emit('end', final);
		return final;
	}

	#localRuns(taskId: number): LiveRun[] {
		return [...this.#runs.values()].filter(run => run.active.taskId === taskId);
	}

	/**
	 * Cancels the task's run: this process's own runs directly, a run of
	 * another cloudsync process through its lock. Resolves once it ended.
	 */
	async cancel(taskId: number): Promise<void> {
		const local = this.#localRuns(taskId);
		if (local.length > 0) {
			await Promise.all(local.map(run => this.#cancelLocal(run)));
			return;
		}
		const lock = readTaskLock(this.dataDir, taskId);
		if (!lock) throw new CloudSyncError('not_found', `task ${taskId} is not running`);
		signalProcess(lock.pid, 'SIGTERM');
		const deadline = Date.now() + this.#killGraceMs;
		while (processAlive(lock.pid, lock.pidStartTicks) && Date.now() < deadline) await sleep(100);
		if (processAlive(lock.pid, lock.pidStartTicks)) {
			signalGroup(lock.pid, 'SIGKILL');
			signalProcess(lock.pid, 'SIGKILL');
			while (processAlive(lock.pid, lock.pidStartTicks)) await sleep(50);
		}
		settleRun(this.dataDir, taskId, lock.runId, 'ABORTED', 'the run was cancelled and its process had to be stopped');
	}

	async #cancelLocal(run: LiveRun): Promise<void> {
		if (!run.cancelRequested) {
			run.cancelRequested = true;
			const pid = run.child.pid;
			if (pid !== undefined) {
				appendRunLog(this.dataDir, run.owner, run.active.runId, logLine('WARN', `Cancel requested by pid ${process.pid}.`));
				signalProcess(pid, 'SIGTERM');
				run.killTimer = setTimeout(() => {
					for (const pgid of run.scriptGroups) signalGroup(pgid, 'SIGKILL');
					signalGroup(pid, 'SIGKILL');
				}, this.#killGraceMs);
			}
		}
		await run.ended;
	}

	/**
	 * The record of the task's current run once it ends: this process's own
	 * run, or (polling) one another process runs; with no run in progress,
	 * the latest record.
	 */
	async wait(taskId: number): Promise<RunRecord> {
		const local = this.#localRuns(taskId).at(-1);
		if (local) return local.ended;
		const lock = readTaskLock(this.dataDir, taskId);
		if (lock) {
			for (;;) {
				const record = readRun(this.dataDir, taskId, lock.runId);
				if (!record || isFinal(record.state)) return record ?? this.#latest(taskId);
				await sleep(200);
			}
		}
		return this.#latest(taskId);
	}

	#latest(taskId: number): RunRecord {
		const latest = nthRun(this.dataDir, taskId, 1);
		if (!latest) throw new CloudSyncError('not_found', `task ${taskId} has not run yet`);
		return latest;
	}

	/** Cancels every run this process started (for a clean exit). */
	async cancelAll(): Promise<void> {
		await Promise.all([...this.#runs.values()].map(run => this.#cancelLocal(run)));
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}
