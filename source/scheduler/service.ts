/**
 * What the TUI and `cloudsync daemon` run: contend for the scheduler lock,
 * and while this process holds it, run the Scheduler. Every process can
 * answer "who runs the schedules" and "when does this task run next".
 */
import {userMessage} from '../core/errors.js';
import {nextRun} from '../core/schedule.js';
import {claimOccurrence} from './claims.js';
import {realClock, type Clock} from './clock.js';
import {Scheduler, type ScheduledTask, type SchedulerEvent, type SchedulerOptions} from './scheduler.js';
import {SchedulerLock, type SchedulerKind, type SchedulerLockOptions, type SchedulerStatus} from './scheduler-lock.js';

export type SchedulerServiceEvent =
	| SchedulerEvent
	| {type: 'active'}
	| {type: 'inactive'; reason: 'lost' | 'stopped'}
	/** Another process holds the lock (reported again when the holder changes). */
	| {type: 'waiting'; status: SchedulerStatus & {mode: 'other'}};

export type SchedulerServiceOptions = Pick<SchedulerOptions, 'loadTasks' | 'startRun' | 'recordSkip' | 'timeZone' | 'lateToleranceMs' | 'recheckMs'> & {
	dataDir: string;
	kind: SchedulerKind;
	clock?: Clock;
	lock?: SchedulerLockOptions;
	/**
	 * While active, read the tasks again this often (default 10 s), so edits
	 * made by other processes (the CLI, another window) reach the schedule.
	 */
	reloadEveryMs?: number;
	onEvent?(event: SchedulerServiceEvent): void;
};

export class SchedulerService {
	readonly #options: SchedulerServiceOptions;
	readonly #lock: SchedulerLock;
	readonly #clock: Clock;
	#scheduler?: Scheduler;
	#reloadTimer?: NodeJS.Timeout;
	#stopped = false;
	#transition: Promise<void> = Promise.resolve();

	constructor(options: SchedulerServiceOptions) {
		this.#options = options;
		this.#clock = options.clock ?? realClock();
		this.#lock = new SchedulerLock(options.dataDir, options.kind, options.lock);
		this.#lock.on('acquired', () => this.#then(() => this.#activate()));
		this.#lock.on('lost', () => this.#then(() => this.#deactivate('lost')));
		this.#lock.on('waiting', status => this.#emit({type: 'waiting', status}));
	}

	/** Starts contending for the lock; schedules run here once it is held. */
	start(): void {
		this.#stopped = false;
		this.#lock.start();
	}

	/** Resolves once the transitions so far (becoming active, losing the lock) are done. */
	settled(): Promise<void> {
		return this.#transition;
	}

	/** Call after tasks were added, edited, enabled, disabled or deleted. */
	async reload(): Promise<void> {
		await this.#transition;
		await this.#scheduler?.reload();
	}

	get active(): boolean {
		return this.#scheduler !== undefined;
	}

	status(): SchedulerStatus {
		return this.#lock.status();
	}

	/** When the task runs next (for the task list), whichever process runs the schedules. */
	nextRunFor(task: ScheduledTask): Date | undefined {
		if (!task.enabled) return undefined;
		const planned = this.#scheduler?.nextRunFor(task.id);
		if (planned) return planned;
		try {
			return nextRun(task.schedule, new Date(this.#clock.now()), this.#options.timeZone);
		} catch {
			return undefined;
		}
	}

	/** Stops scheduling and gives the lock to the next process; runs already started go on. */
	async stop(): Promise<void> {
		this.#stopped = true;
		await this.#then(() => this.#deactivate('stopped'));
		await this.#lock.release();
	}

	#then(step: () => Promise<void>): Promise<void> {
		this.#transition = this.#transition.then(step).catch(error => {
			this.#emit({type: 'error', message: `the scheduler could not change state: ${userMessage(error)}`});
		});
		return this.#transition;
	}

	#emit(event: SchedulerServiceEvent): void {
		try {
			this.#options.onEvent?.(event);
		} catch {
			// Logging must not break scheduling.
		}
	}

	async #activate(): Promise<void> {
		if (this.#scheduler || this.#stopped || !this.#lock.held) return;
		const {dataDir} = this.#options;
		const scheduler = new Scheduler({
			clock: this.#clock,
			loadTasks: this.#options.loadTasks,
			startRun: this.#options.startRun,
			recordSkip: this.#options.recordSkip,
			timeZone: this.#options.timeZone,
			lateToleranceMs: this.#options.lateToleranceMs,
			recheckMs: this.#options.recheckMs,
			claimOccurrence: (taskId, scheduledFor) => claimOccurrence(dataDir, taskId, scheduledFor),
			mayStart: () => this.#lock.stillHeld(),
			onEvent: event => this.#emit(event),
		});
		this.#scheduler = scheduler;
		this.#emit({type: 'active'});
		await scheduler.start();
		this.#reloadTimer = setInterval(() => void scheduler.reload().catch(() => undefined), this.#options.reloadEveryMs ?? 10_000);
	}

	async #deactivate(reason: 'lost' | 'stopped'): Promise<void> {
		const scheduler = this.#scheduler;
		if (!scheduler) return;
		this.#scheduler = undefined;
		clearInterval(this.#reloadTimer);
		this.#reloadTimer = undefined;
		await scheduler.stop();
		this.#emit({type: 'inactive', reason});
	}
}
