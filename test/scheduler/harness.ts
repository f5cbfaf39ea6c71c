import {CloudSyncError} from '../../source/core/errors.js';
import type {Schedule} from '../../source/core/model.js';
import {scheduleFromCron} from '../../source/core/schedule.js';
import {FakeClock} from '../../source/scheduler/clock.js';
import {Scheduler, type ScheduledTask, type SchedulerEvent, type SchedulerOptions} from '../../source/scheduler/scheduler.js';

export const task = (id: number, line: string, enabled = true): ScheduledTask => ({id, enabled, schedule: scheduleFromCron(line)});

export const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/**
 * A Scheduler on a fake clock whose runner remembers what it was asked to
 * start and when; `busy` holds the tasks whose previous run is "still going".
 */
export function schedulerHarness(start: string, tasks: ScheduledTask[], options: Partial<SchedulerOptions> = {}) {
	const clock = new FakeClock(new Date(start));
	const starts: {taskId: number; scheduledFor: string; at: string}[] = [];
	const skips: {taskId: number; scheduledFor: string; reason: string}[] = [];
	const events: SchedulerEvent[] = [];
	const busy = new Set<number>();
	const refuse = new Map<number, string>();
	let current = tasks;
	const scheduler = new Scheduler({
		clock,
		timeZone: 'UTC',
		loadTasks: () => current,
		async startRun(taskId, {scheduledFor}) {
			const message = refuse.get(taskId);
			if (message) throw new CloudSyncError('conflict', message);
			if (busy.has(taskId)) return 'already-running';
			starts.push({taskId, scheduledFor, at: new Date(clock.now()).toISOString()});
			return 'started';
		},
		recordSkip(taskId, scheduledFor, reason) {
			skips.push({taskId, scheduledFor, reason});
		},
		onEvent: event => events.push(event),
		...options,
	});
	return {
		clock,
		scheduler,
		starts,
		skips,
		events,
		busy,
		refuse,
		setTasks(next: ScheduledTask[]) {
			current = next;
		},
		startsOf(taskId: number) {
			return starts.filter(start => start.taskId === taskId).map(start => start.scheduledFor);
		},
	};
}

export function withSchedule(base: ScheduledTask, line: string): ScheduledTask {
	const schedule: Schedule = scheduleFromCron(line);
	return {...base, schedule};
}
