/**
 * The body of `cloudsync daemon`: runs the schedules in the foreground
 * whenever this process holds the scheduler lock (waiting while a window or
 * another daemon holds it), writes one plain line per event for journald,
 * and on SIGTERM or SIGINT stops scheduling, cancels the runs it started
 * (as the runner cancels: SIGTERM, then SIGKILL after its grace period),
 * hands the lock over and resolves with exit code 0.
 */
import {CloudSyncError} from '../core/errors.js';
import type {RunRecord} from '../core/model.js';
import {describeSchedule, localTimeZone, timeZoneProblem} from '../core/schedule.js';
import type {ActiveRun} from '../jobs/types.js';
import {describeSchedulerStatus, type SchedulerLockOptions} from './scheduler-lock.js';
import type {ScheduledTask, ScheduleTrigger, StartRunResult} from './scheduler.js';
import {SchedulerService, type SchedulerServiceEvent} from './service.js';
import {counted} from '../core/words.js';

/** What the daemon needs of the TaskRunner. */
export type DaemonRunner = {
	active(): ActiveRun[];
	cancel(taskId: number): Promise<void>;
	on(event: 'end', listener: (record: RunRecord) => void): unknown;
	off(event: 'end', listener: (record: RunRecord) => void): unknown;
};

export type DaemonOptions = {
	dataDir: string;
	runner: DaemonRunner;
	loadTasks(): Promise<ScheduledTask[]>;
	startRun(taskId: number, options: ScheduleTrigger): Promise<StartRunResult>;
	recordSkip(taskId: number, scheduledFor: string, reason: string): Promise<void> | void;
	/** One line of output (stdout in the command). */
	log(line: string): void;
	timeZone?: string;
	/** Stops the daemon when aborted; SIGTERM and SIGINT also do unless `handleSignals` is false. */
	signal?: AbortSignal;
	handleSignals?: boolean;
	lock?: SchedulerLockOptions;
	reloadEveryMs?: number;
};

/** Resolves with the exit code once stopped; throws CloudSyncError('usage') for a time zone the runtime does not know. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
	const {log, runner} = options;
	const zone = options.timeZone ?? localTimeZone();
	const zoneProblem = timeZoneProblem(zone);
	if (zoneProblem) throw new CloudSyncError('usage', `the timeZone setting is not usable: ${zoneProblem}`);
	const line = (text: string) => {
		try {
			log(text);
		} catch {
			// stdout closed: nothing else to tell
		}
	};
	const service: SchedulerService = new SchedulerService({
		dataDir: options.dataDir,
		kind: 'daemon',
		loadTasks: options.loadTasks,
		startRun: options.startRun,
		recordSkip: options.recordSkip,
		timeZone: options.timeZone,
		lock: options.lock,
		reloadEveryMs: options.reloadEveryMs,
		onEvent: event => {
			const text = describeEvent(event);
			if (text) line(text);
			if (event.type === 'active') void announcePlan(service, options.loadTasks, line);
		},
	});
	const onEnd = (record: RunRecord) => {
		const counts = `${record.filesTransferred} files, ${record.bytesTransferred} bytes transferred, ${record.filesDeleted} deleted`;
		line(`task ${record.taskId}: run ${record.id} ended ${record.state} (${counts})${record.error ? `: ${record.error}` : ''}`);
	};
	runner.on('end', onEnd);

	const stopped = new Promise<string>(resolve => {
		if (options.signal?.aborted) resolve('the stop signal');
		options.signal?.addEventListener('abort', () => resolve('the stop signal'), {once: true});
		if (options.handleSignals === false) return;
		const onSignal = (name: NodeJS.Signals) => {
			process.off('SIGTERM', onSignal);
			process.off('SIGINT', onSignal);
			resolve(name);
		};
		process.on('SIGTERM', onSignal);
		process.on('SIGINT', onSignal);
		options.signal?.addEventListener('abort', () => {
			process.off('SIGTERM', onSignal);
			process.off('SIGINT', onSignal);
		});
	});

	line(`cloudsync daemon started (pid ${process.pid}, data directory ${options.dataDir}, time zone ${zone})`);
	service.start();

	const reason = await stopped;
	const active = runner.active();
	line(`received ${reason}: stopping the scheduler${active.length > 0 ? ` and cancelling ${counted(active.length, 'run')}` : ''}`);
	await service.stop();
	await Promise.allSettled(active.map(run => runner.cancel(run.taskId)));
	runner.off('end', onEnd);
	line('cloudsync daemon stopped');
	return 0;
}

function describeEvent(event: SchedulerServiceEvent): string | undefined {
	switch (event.type) {
		case 'active':
			return 'this daemon now runs the schedules';
		case 'inactive':
			return event.reason === 'lost' ? 'another process took over the schedules' : undefined;
		case 'waiting':
			return `waiting: ${describeSchedulerStatus(event.status)}; this daemon takes over when it exits`;
		case 'started':
			return `task ${event.taskId}: started the run scheduled for ${event.scheduledFor}`;
		case 'skipped':
			return `task ${event.taskId}: skipped the run scheduled for ${event.scheduledFor}: ${event.reason}`;
		case 'missed':
			return `task ${event.taskId}: missed the run scheduled for ${event.scheduledFor} (no scheduler was running, or the clock changed); it is not replayed`;
		case 'claimed-elsewhere':
			return `task ${event.taskId}: the run scheduled for ${event.scheduledFor} was already started by another process`;
		case 'not-active':
			return `task ${event.taskId}: not starting the run scheduled for ${event.scheduledFor}: this daemon no longer runs the schedules`;
		case 'error':
			return `error: ${event.message}`;
	}
}

async function announcePlan(service: SchedulerService, loadTasks: () => Promise<ScheduledTask[]>, line: (text: string) => void): Promise<void> {
	await service.settled();
	let tasks: ScheduledTask[];
	try {
		tasks = await loadTasks();
	} catch {
		return;
	}
	const enabled = tasks.filter(task => task.enabled);
	if (enabled.length === 0) line('no enabled tasks: nothing to run until one is added or enabled');
	for (const task of enabled) {
		const next = service.nextRunFor(task);
		line(`task ${task.id}: ${describeSchedule(task.schedule)}, next run ${next ? next.toISOString() : 'never'}`);
	}
}
