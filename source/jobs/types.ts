import type {RunRecord, Task} from '../core/model.js';

/** Live progress of one run, as the engine reports it (throttled to ~10 per second). */
export type RunProgress = {
	filesDone: number;
	filesTotal: number;
	bytesDone: number;
	bytesTotal: number;
	/** Bytes per second over the last few seconds. */
	speed: number;
	/** Seconds, when it can be estimated. */
	etaSeconds?: number;
	currentFiles: {path: string; bytesDone: number; size: number}[];
	/** 'listing' while walking both sides, 'transferring', 'deleting', 'scripts'. */
	phase: string;
};

export type ActiveRun = {
	taskId: number;
	runId: string;
	dryRun: boolean;
	startedAt: string;
	pid: number;
	progress?: RunProgress;
};

export type StartOptions = {
	dryRun?: boolean;
	trigger?: RunRecord['trigger'];
	scheduledFor?: string;
};

/** Events a TaskRunner emits; the TUI and the CLI subscribe. */
export type RunnerEvents = {
	start: [run: ActiveRun];
	progress: [taskId: number, progress: RunProgress];
	/** One line of the run log, already free of secrets. */
	log: [taskId: number, line: string];
	end: [record: RunRecord];
};

/**
 * Runs tasks in child processes, one run per task at a time across every
 * cloudsync process on the machine. Implemented in runner.ts.
 */
export interface TaskRunnerApi {
	/** Starts a run; rejects with CloudSyncError('conflict', 'task N is already running (started HH:MM by PID)'). */
	start(taskId: number, options?: StartOptions): Promise<ActiveRun>;
	/** Dry run of a task that is not saved (the task form's Dry Run). */
	dryRunUnsaved(task: Task): Promise<ActiveRun>;
	/** SIGTERM, then SIGKILL after a grace period; the run ends ABORTED. */
	cancel(taskId: number): Promise<void>;
	/** Runs in progress started by this process. */
	active(): ActiveRun[];
	/** Resolves with the run record when the run ends. */
	wait(taskId: number): Promise<RunRecord>;
}
