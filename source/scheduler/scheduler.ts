/**
 * The scheduling loop: knows each enabled task's next run time and starts
 * the run when that time comes.
 *
 * - Missed runs are not replayed: a run whose time passed more than
 *   `lateToleranceMs` ago (the machine slept, the clock jumped, no scheduler
 *   was running) is reported as missed and the next future time is used.
 *   A timer that fires a little late still starts its run.
 * - One occurrence never starts twice: the last started occurrence of each
 *   task is kept, and `claimOccurrence` (a file per occurrence, shared by all
 *   processes) guards against a second scheduler that wrongly thinks it is
 *   the active one.
 * - A run still going when the next time comes is not started again; the
 *   skip goes to the task's history through `recordSkip`.
 * - Timers are armed at most `recheckMs` ahead, so a change of the system
 *   clock is noticed within that time.
 */
import {userMessage} from '../core/errors.js';
import type {Task} from '../core/model.js';
import {nextRun, scheduleToCron} from '../core/schedule.js';
import type {CancelTimer, Clock} from './clock.js';

export type ScheduledTask = Pick<Task, 'id' | 'enabled' | 'schedule'>;
export type StartRunResult = 'started' | 'already-running';
export type ScheduleTrigger = {trigger: 'schedule'; scheduledFor: string};

export type SchedulerEvent =
	| {type: 'started'; taskId: number; scheduledFor: string}
	| {type: 'skipped'; taskId: number; scheduledFor: string; reason: string}
	| {type: 'missed'; taskId: number; scheduledFor: string}
	| {type: 'claimed-elsewhere'; taskId: number; scheduledFor: string}
	| {type: 'not-active'; taskId: number; scheduledFor: string}
	| {type: 'error'; taskId?: number; message: string};

export type SchedulerOptions = {
	clock: Clock;
	/** The tasks as they are saved now; called by `start()` and `reload()`. */
	loadTasks(): Promise<ScheduledTask[]> | ScheduledTask[];
	/** Starts a run; 'already-running' when the task's previous run is still going. Throws when it cannot start. */
	startRun(taskId: number, options: ScheduleTrigger): Promise<StartRunResult>;
	/** Files a SKIPPED run in the task's history. */
	recordSkip(taskId: number, scheduledFor: string, reason: string): Promise<void> | void;
	/** False when another process already started this occurrence. */
	claimOccurrence?(taskId: number, scheduledFor: string): Promise<boolean> | boolean;
	/** Checked right before each start: false once this process is no longer the active scheduler. */
	mayStart?(): boolean;
	/** IANA zone for cron fields; the machine's zone when absent. */
	timeZone?: string;
	lateToleranceMs?: number;
	recheckMs?: number;
	onEvent?(event: SchedulerEvent): void;
};

export const stillRunningReason = 'the previous run was still going';

type Plan = {task: ScheduledTask; key: string; next?: number};

export class Scheduler {
	readonly #options: SchedulerOptions;
	readonly #lateTolerance: number;
	readonly #recheck: number;
	readonly #plans = new Map<number, Plan>();
	readonly #lastStarted = new Map<number, number>();
	readonly #inFlight = new Set<Promise<void>>();
	#timer?: CancelTimer;
	#active = false;
	#queue: Promise<void> = Promise.resolve();

	constructor(options: SchedulerOptions) {
		this.#options = options;
		this.#lateTolerance = options.lateToleranceMs ?? 60_000;
		this.#recheck = options.recheckMs ?? 30_000;
	}

	/** Reads the tasks and starts waiting for their next run times. */
	async start(): Promise<void> {
		this.#active = true;
		await this.reload();
	}

	/** Reads the tasks again (after an edit); unchanged tasks keep their next run time. */
	reload(): Promise<void> {
		return this.#serial(async () => {
			if (!this.#active) return;
			let tasks: ScheduledTask[];
			try {
				tasks = await this.#options.loadTasks();
			} catch (error) {
				this.#emit({type: 'error', message: `could not read the tasks: ${userMessage(error)}`});
				this.#arm();
				return;
			}
			const now = this.#options.clock.now();
			const seen = new Set<number>();
			for (const task of tasks) {
				if (!task.enabled) continue;
				seen.add(task.id);
				const key = scheduleToCron(task.schedule);
				const plan = this.#plans.get(task.id);
				if (plan && plan.key === key) {
					plan.task = task;
					continue;
				}
				this.#plans.set(task.id, {task, key, next: this.#nextAfter(task, now)});
			}
			for (const id of [...this.#plans.keys()]) if (!seen.has(id)) this.#plans.delete(id);
			this.#arm();
		});
	}

	/** Stops the timers and waits for starts already under way; runs themselves go on. */
	async stop(): Promise<void> {
		this.#active = false;
		this.#timer?.();
		this.#timer = undefined;
		await this.#queue;
		await Promise.allSettled([...this.#inFlight]);
	}

	/** When an enabled task runs next, or undefined (disabled, unknown, never again). */
	nextRunFor(taskId: number): Date | undefined {
		const next = this.#plans.get(taskId)?.next;
		return next === undefined ? undefined : new Date(next);
	}

	nextRuns(): Map<number, Date> {
		const result = new Map<number, Date>();
		for (const [id, plan] of this.#plans) if (plan.next !== undefined) result.set(id, new Date(plan.next));
		return result;
	}

	#serial(work: () => Promise<void> | void): Promise<void> {
		const result = this.#queue.then(work);
		this.#queue = result.catch(() => undefined);
		return result;
	}

	#emit(event: SchedulerEvent): void {
		try {
			this.#options.onEvent?.(event);
		} catch {
			// A failing logger must not stop the schedule.
		}
	}

	/** The first run time after `after` and after the last started one. */
	#nextAfter(task: ScheduledTask, after: number): number | undefined {
		const floor = Math.max(after, this.#lastStarted.get(task.id) ?? -Infinity);
		try {
			return nextRun(task.schedule, new Date(floor), this.#options.timeZone)?.getTime();
		} catch (error) {
			this.#emit({type: 'error', taskId: task.id, message: `task ${task.id} has no usable schedule: ${userMessage(error)}`});
			return undefined;
		}
	}

	#arm(): void {
		this.#timer?.();
		this.#timer = undefined;
		if (!this.#active) return;
		const now = this.#options.clock.now();
		let at = now + this.#recheck;
		for (const plan of this.#plans.values()) if (plan.next !== undefined && plan.next < at) at = plan.next;
		this.#timer = this.#options.clock.setTimer(at, () => {
			this.#timer = undefined;
			void this.#serial(() => this.#tick());
		});
	}

	#tick(): void {
		if (!this.#active) return;
		const now = this.#options.clock.now();
		for (const plan of this.#plans.values()) {
			if (plan.next === undefined || plan.next > now) continue;
			// The latest run time that is not too late: no older one is replayed.
			const recent = this.#nextAfter(plan.task, now - this.#lateTolerance - 1);
			const due = recent !== undefined && recent <= now && recent >= plan.next ? recent : undefined;
			if (due === undefined || due > plan.next) this.#emit({type: 'missed', taskId: plan.task.id, scheduledFor: new Date(plan.next).toISOString()});
			if (due !== undefined) this.#fire(plan.task, due);
			plan.next = this.#nextAfter(plan.task, now);
		}
		this.#arm();
	}

	#fire(task: ScheduledTask, at: number): void {
		if (at <= (this.#lastStarted.get(task.id) ?? -Infinity)) return;
		this.#lastStarted.set(task.id, at);
		const scheduledFor = new Date(at).toISOString();
		if (this.#options.mayStart && !this.#options.mayStart()) {
			this.#emit({type: 'not-active', taskId: task.id, scheduledFor});
			return;
		}
		const work = this.#startRun(task.id, scheduledFor).finally(() => this.#inFlight.delete(work));
		this.#inFlight.add(work);
	}

	async #startRun(taskId: number, scheduledFor: string): Promise<void> {
		try {
			if (this.#options.claimOccurrence && !(await this.#options.claimOccurrence(taskId, scheduledFor))) {
				this.#emit({type: 'claimed-elsewhere', taskId, scheduledFor});
				return;
			}
		} catch (error) {
			this.#emit({type: 'error', taskId, message: `task ${taskId}: could not claim the run of ${scheduledFor}: ${userMessage(error)}`});
			return;
		}
		let reason: string;
		try {
			const result = await this.#options.startRun(taskId, {trigger: 'schedule', scheduledFor});
			if (result === 'started') {
				this.#emit({type: 'started', taskId, scheduledFor});
				return;
			}
			reason = stillRunningReason;
		} catch (error) {
			reason = userMessage(error);
		}
		this.#emit({type: 'skipped', taskId, scheduledFor, reason});
		try {
			await this.#options.recordSkip(taskId, scheduledFor, reason);
		} catch (error) {
			this.#emit({type: 'error', taskId, message: `task ${taskId}: could not record the skipped run: ${userMessage(error)}`});
		}
	}
}
