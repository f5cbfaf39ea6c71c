/**
 * The only door from the screens to the rest of cloudsync: the store, the
 * provider registry, schedules, the runner and run history. Screens get a
 * `Services` object and never import those modules themselves.
 */
import type {EventEmitter} from 'node:events';
import type {Attributes, ProviderDescription, ProviderId} from '../core/fields.js';
import type {Credential, RunRecord, Schedule, Task} from '../core/model.js';
import type {FieldProblem} from '../core/task-rules.js';
import type {RestoreOptions, RestoredTask} from '../core/restore.js';
import type {ActiveRun, RunnerEvents, StartOptions} from '../jobs/types.js';
import type {LocationBrowser} from '../providers/remote.js';
import type {NewTask} from '../store/store.js';
import type {TaskWarning} from '../services/task-checks.js';

/** A saved task's id, or the task form's unsaved dry runs. */
export type RunOwner = number | 'unsaved';

/** 'starting': this window will run the schedules once its first frame is drawn. */
export type SchedulerStatus = {mode: 'this-process'} | {mode: 'other'; pid: number; kind: string} | {mode: 'off'} | {mode: 'starting'};

export type DropboxLogin = {authorizeUrl: string; codeVerifier: string};

export type RunnerLike = EventEmitter<RunnerEvents> & {
	start(taskId: number, options?: StartOptions): Promise<ActiveRun>;
	dryRunUnsaved(task: Task): Promise<ActiveRun>;
	cancel(taskId: number): Promise<void>;
	active(): ActiveRun[];
};

export type Services = {
	// Store
	listTasks(): Promise<Task[]>;
	listCredentials(): Promise<Credential[]>;
	saveCredential(credential: Credential, options: {replace: boolean}): Promise<void>;
	deleteCredential(name: string): Promise<void>;
	addTask(input: NewTask): Promise<Task>;
	updateTask(id: number, patch: Partial<NewTask>): Promise<Task>;
	deleteTask(id: number): Promise<void>;

	// Providers
	providers: Record<ProviderId, ProviderDescription>;
	validateAttributes(provider: ProviderId, attributes: Attributes): string[];
	verifyCredential(credential: Credential): Promise<void>;
	browser(credential: Credential): LocationBrowser;
	/** Sub-directories of an absolute local directory, sorted. */
	localDirectories(dir: string): Promise<string[]>;
	startDropboxLogin(attributes: Attributes): Promise<DropboxLogin>;
	/** Exchanges the pasted code; returns the attributes to store (tokens). */
	finishDropboxLogin(attributes: Attributes, code: string, codeVerifier: string): Promise<Attributes>;

	// Tasks
	/** Problems to show next to the fields; an empty list means the task can be saved. */
	checkTask(task: Task): Promise<FieldProblem[]>;
	/** Things worth saying about a task that do not stop a save (a PUSH folder that does not exist yet). */
	taskWarnings(task: Pick<Task, 'direction' | 'path'>): Promise<TaskWarning[]>;
	describeSchedule(schedule: Schedule): string;
	/** Per-field problems of a schedule ("minute: 61 is out of range 0-59"). */
	scheduleProblems(schedule: Schedule): Partial<Record<'minute' | 'hour' | 'dom' | 'month' | 'dow', string>>;
	nextRuns(schedule: Schedule, from: Date, count: number): Date[];
	presetSchedule(preset: Schedule['preset']): Schedule;
	restoreTask(task: Task, options: RestoreOptions): RestoredTask;

	// Runs
	runner: RunnerLike;
	/** The most recent finished run of each task. */
	lastRuns(): Promise<Map<number, RunRecord>>;
	/** Runs of one task (or of the form's unsaved dry runs), newest first. */
	listRuns(owner: RunOwner): Promise<RunRecord[]>;
	/**
	 * Every line of a run's log, then new lines while it runs; resolves with
	 * the final record when the run has ended and its log is read, or on abort.
	 */
	followRunLog(owner: RunOwner, runId: string, onLine: (line: string) => void, signal: AbortSignal): Promise<RunRecord | undefined>;
	schedulerStatus(): SchedulerStatus;
	/** Resolves when `providers` and the other registry-backed parts can be used (absent: always ready). */
	ready?(): Promise<void>;
	/** Whether `ready()` has resolved already. */
	isReady?(): boolean;
	/** The first screen shows its data: background work that would have delayed it (registry, scheduler) may start. */
	screenDrawn?(): void;
	/** Reads the tasks before the first frame, so that frame can show them (`takeStartTasks`). */
	preloadTasks?(): Promise<void>;
	/** The tasks `preloadTasks` read, once: the first Tasks screen starts with them instead of "loading…". */
	takeStartTasks?(): Task[] | undefined;
	/** Stops background work (scheduler, watchers); runs are cancelled by the caller first. */
	close(): Promise<void>;
};
