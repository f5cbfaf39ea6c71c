import {describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {stillRunningReason} from '../../source/scheduler/scheduler.js';
import {schedulerHarness, task, withSchedule} from './harness.js';

const hour = 3600_000;
const day = 24 * hour;

function hourlyTimes(from: string, count: number): string[] {
	const start = new Date(from).getTime();
	return Array.from({length: count}, (_, i) => new Date(start + i * hour).toISOString());
}

describe('Scheduler on a fake clock', () => {
	it('starts each enabled task at each of its times over three simulated days, exactly once', async () => {
		// 2026-01-02 is a Friday.
		const h = schedulerHarness('2026-01-02T00:10:00Z', [
			task(1, '0 * * * *'),
			task(2, '30 2 * * *'),
			task(3, '*/20 9-10 * * 1-5'),
			task(4, '* * * * *', false),
		]);
		await h.scheduler.start();
		expect(h.scheduler.nextRunFor(1)?.toISOString()).toBe('2026-01-02T01:00:00.000Z');
		expect(h.scheduler.nextRunFor(4)).toBeUndefined();
		await h.clock.advance(3 * day);
		expect(h.startsOf(1)).toEqual(hourlyTimes('2026-01-02T01:00:00Z', 72));
		expect(h.startsOf(2)).toEqual(['2026-01-02T02:30:00.000Z', '2026-01-03T02:30:00.000Z', '2026-01-04T02:30:00.000Z']);
		expect(h.startsOf(3)).toEqual([
			'2026-01-02T09:00:00.000Z',
			'2026-01-02T09:20:00.000Z',
			'2026-01-02T09:40:00.000Z',
			'2026-01-02T10:00:00.000Z',
			'2026-01-02T10:20:00.000Z',
			'2026-01-02T10:40:00.000Z',
		]);
		expect(h.startsOf(4)).toEqual([]);
		// Started on time, not after.
		for (const start of h.starts) expect(start.at).toBe(start.scheduledFor);
		expect(h.skips).toEqual([]);
		expect(h.events.filter(event => event.type !== 'started')).toEqual([]);
		expect(h.scheduler.nextRuns()).toEqual(
			new Map([
				[1, new Date('2026-01-05T01:00:00Z')],
				[2, new Date('2026-01-05T02:30:00Z')],
				[3, new Date('2026-01-05T09:00:00Z')],
			]),
		);
		await h.scheduler.stop();
	});

	it('runs in the configured zone across both DST changes, each local time once', async () => {
		const spring = schedulerHarness('2026-03-28T00:00:00Z', [task(1, '30 2 * * *'), task(2, '0 * * * *')], {timeZone: 'Europe/Berlin'});
		await spring.scheduler.start();
		await spring.clock.advanceTo(new Date('2026-03-30T00:00:00Z'));
		expect(spring.startsOf(1)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z']);
		expect(spring.startsOf(2)).toEqual(hourlyTimes('2026-03-28T00:00:00Z', 49).slice(1));
		await spring.scheduler.stop();

		const fall = schedulerHarness('2026-10-31T12:00:00Z', [task(1, '30 1 * * *'), task(2, '59 * * * *')], {timeZone: 'America/New_York'});
		await fall.scheduler.start();
		await fall.clock.advanceTo(new Date('2026-11-02T12:00:00Z'));
		expect(fall.startsOf(1)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
		const hourly = fall.startsOf(2);
		expect(hourly).toHaveLength(48);
		expect(new Set(hourly).size).toBe(48);
		expect(hourly).toContain('2026-11-01T05:59:00.000Z');
		expect(hourly).toContain('2026-11-01T06:59:00.000Z');
		await fall.scheduler.stop();
	});

	it('records a skip when the previous run is still going, and runs again once it ended', async () => {
		const h = schedulerHarness('2026-01-01T00:30:00Z', [task(1, '0 * * * *')]);
		await h.scheduler.start();
		await h.clock.advanceTo(new Date('2026-01-01T01:30:00Z'));
		h.busy.add(1);
		await h.clock.advanceTo(new Date('2026-01-01T02:30:00Z'));
		h.busy.delete(1);
		await h.clock.advanceTo(new Date('2026-01-01T03:30:00Z'));
		expect(h.startsOf(1)).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T03:00:00.000Z']);
		expect(h.skips).toEqual([{taskId: 1, scheduledFor: '2026-01-01T02:00:00.000Z', reason: stillRunningReason}]);
		expect(h.events).toContainEqual({type: 'skipped', taskId: 1, scheduledFor: '2026-01-01T02:00:00.000Z', reason: stillRunningReason});
		await h.scheduler.stop();
	});

	it('records a skip with the reason when the run cannot start, and keeps the other tasks going', async () => {
		const h = schedulerHarness('2026-01-01T00:30:00Z', [task(1, '0 * * * *'), task(2, '0 * * * *')]);
		h.refuse.set(1, 'task 1 cannot start: its path /srv overlaps /srv/a of task 7, which is running in the opposite direction');
		await h.scheduler.start();
		await h.clock.advanceTo(new Date('2026-01-01T01:30:00Z'));
		expect(h.skips).toEqual([
			{taskId: 1, scheduledFor: '2026-01-01T01:00:00.000Z', reason: 'task 1 cannot start: its path /srv overlaps /srv/a of task 7, which is running in the opposite direction'},
		]);
		expect(h.startsOf(2)).toEqual(['2026-01-01T01:00:00.000Z']);
		await h.scheduler.stop();
	});

	it('reports a failure to record a skip without stopping', async () => {
		const h = schedulerHarness('2026-01-01T00:30:00Z', [task(1, '0 * * * *')], {
			recordSkip() {
				throw new CloudSyncError('permanent', 'the disk is full');
			},
		});
		h.busy.add(1);
		await h.scheduler.start();
		await h.clock.advanceTo(new Date('2026-01-01T02:30:00Z'));
		expect(h.events.filter(event => event.type === 'error')).toEqual([
			{type: 'error', taskId: 1, message: 'task 1: could not record the skipped run: the disk is full'},
			{type: 'error', taskId: 1, message: 'task 1: could not record the skipped run: the disk is full'},
		]);
		await h.scheduler.stop();
	});

	it('does not replay runs missed while the machine slept; the next future time is used', async () => {
		const h = schedulerHarness('2026-01-01T10:10:00Z', [task(1, '0 * * * *'), task(2, '30 12 * * *')]);
		await h.scheduler.start();
		// Suspended from 10:10 to 15:20: no timer fired, the wall clock moved on.
		h.clock.jump(new Date('2026-01-01T15:20:00Z'));
		await h.clock.advance(60_000);
		expect(h.starts).toEqual([]);
		expect(h.events).toEqual([
			{type: 'missed', taskId: 1, scheduledFor: '2026-01-01T11:00:00.000Z'},
			{type: 'missed', taskId: 2, scheduledFor: '2026-01-01T12:30:00.000Z'},
		]);
		expect(h.scheduler.nextRunFor(1)?.toISOString()).toBe('2026-01-01T16:00:00.000Z');
		await h.clock.advanceTo(new Date('2026-01-01T16:30:00Z'));
		expect(h.startsOf(1)).toEqual(['2026-01-01T16:00:00.000Z']);
		expect(h.startsOf(2)).toEqual([]);
		await h.scheduler.stop();
	});

	it('does not run a time that passed before it started', async () => {
		const h = schedulerHarness('2026-01-01T02:30:10Z', [task(1, '30 2 * * *')]);
		await h.scheduler.start();
		await h.clock.advance(day - 60_000);
		expect(h.starts).toEqual([]);
		await h.clock.advance(60_000);
		expect(h.startsOf(1)).toEqual(['2026-01-02T02:30:00.000Z']);
		await h.scheduler.stop();
	});

	it('still starts a run whose timer fired a little late', async () => {
		const h = schedulerHarness('2026-01-01T10:59:50Z', [task(1, '0 * * * *')]);
		await h.scheduler.start();
		// The 10 s timer fires, but the wall clock says 11:00:30 by then.
		h.clock.jump(new Date('2026-01-01T11:00:20Z'));
		await h.clock.advance(10_000);
		expect(h.starts).toEqual([{taskId: 1, scheduledFor: '2026-01-01T11:00:00.000Z', at: '2026-01-01T11:00:30.000Z'}]);
		await h.scheduler.stop();
	});

	it('never starts an occurrence twice when the clock is set back', async () => {
		const h = schedulerHarness('2026-01-01T01:50:00Z', [task(1, '0 * * * *')]);
		await h.scheduler.start();
		await h.clock.advanceTo(new Date('2026-01-01T02:00:05Z'));
		h.clock.jump(new Date('2026-01-01T01:40:00Z'));
		await h.clock.advance(2 * hour);
		expect(h.startsOf(1)).toEqual(['2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
		await h.scheduler.stop();
	});

	it('notices a clock set forward within the recheck interval', async () => {
		const h = schedulerHarness('2026-01-01T00:00:30Z', [task(1, '0 0 * * *')], {recheckMs: 30_000});
		await h.scheduler.start();
		h.clock.jump(new Date('2026-01-01T23:59:50Z'));
		await h.clock.advance(30_000);
		expect(h.startsOf(1)).toEqual(['2026-01-02T00:00:00.000Z']);
		expect(h.starts[0]!.at).toBe('2026-01-02T00:00:20.000Z');
		await h.scheduler.stop();
	});

	it('keeps only one timer, never further ahead than the recheck interval', async () => {
		const h = schedulerHarness('2026-01-01T00:00:00Z', [task(1, '0 0 1 1 *')], {recheckMs: 30_000});
		await h.scheduler.start();
		expect(h.clock.pendingTimers).toBe(1);
		await h.clock.advance(10 * 60_000);
		expect(h.clock.pendingTimers).toBe(1);
		await h.scheduler.stop();
		expect(h.clock.pendingTimers).toBe(0);
		await h.clock.advance(366 * day);
		expect(h.starts).toEqual([]);
	});

	it('reload picks up edited, disabled, added and deleted tasks; unchanged ones keep their time', async () => {
		const first = task(1, '0 * * * *');
		const second = task(2, '0 12 * * *');
		const h = schedulerHarness('2026-01-01T00:30:00Z', [first, second, task(3, '0 6 * * *')]);
		await h.scheduler.start();
		h.setTasks([{...first}, withSchedule(second, '15 1 * * *'), task(3, '0 6 * * *', false), task(5, '45 0 * * *')]);
		await h.scheduler.reload();
		expect(h.scheduler.nextRunFor(1)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
		expect(h.scheduler.nextRunFor(2)?.toISOString()).toBe('2026-01-01T01:15:00.000Z');
		expect(h.scheduler.nextRunFor(3)).toBeUndefined();
		expect(h.scheduler.nextRunFor(5)?.toISOString()).toBe('2026-01-01T00:45:00.000Z');
		await h.clock.advanceTo(new Date('2026-01-01T07:00:00Z'));
		h.setTasks([first]);
		await h.scheduler.reload();
		await h.clock.advanceTo(new Date('2026-01-02T07:00:00Z'));
		expect(h.startsOf(2)).toEqual(['2026-01-01T01:15:00.000Z']);
		expect(h.startsOf(3)).toEqual([]);
		expect(h.startsOf(5)).toEqual(['2026-01-01T00:45:00.000Z']);
		expect(h.startsOf(1)).toHaveLength(31);
		await h.scheduler.stop();
	});

	it('a reload right after a run does not start that time again', async () => {
		const h = schedulerHarness('2026-01-01T00:59:00Z', [task(1, '0 * * * *')]);
		await h.scheduler.start();
		await h.clock.advance(60_000);
		h.clock.jump(new Date('2026-01-01T00:59:30Z'));
		h.setTasks([withSchedule(task(1, '0 * * * *'), '0 */1 * * *')]);
		await h.scheduler.reload();
		await h.clock.advance(hour + 60_000);
		expect(h.startsOf(1)).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']);
		await h.scheduler.stop();
	});

	it('leaves an occurrence another process claimed, and does nothing once it is no longer the active scheduler', async () => {
		const claimed = new Set<string>(['1@2026-01-01T01:00:00.000Z']);
		let active = true;
		const h = schedulerHarness('2026-01-01T00:30:00Z', [task(1, '0 * * * *')], {
			claimOccurrence(taskId, scheduledFor) {
				const key = `${taskId}@${scheduledFor}`;
				if (claimed.has(key)) return false;
				claimed.add(key);
				return true;
			},
			mayStart: () => active,
		});
		await h.scheduler.start();
		await h.clock.advanceTo(new Date('2026-01-01T02:30:00Z'));
		active = false;
		await h.clock.advanceTo(new Date('2026-01-01T03:30:00Z'));
		expect(h.startsOf(1)).toEqual(['2026-01-01T02:00:00.000Z']);
		expect(h.events.map(event => event.type)).toEqual(['claimed-elsewhere', 'started', 'not-active']);
		await h.scheduler.stop();
	});

	it('survives tasks that cannot be read, or a schedule that is not valid', async () => {
		let fail = true;
		const broken = {...task(2, '0 * * * *'), schedule: {...task(2, '0 * * * *').schedule, preset: 'custom' as const, hour: '99'}};
		const h = schedulerHarness('2026-01-01T00:30:00Z', [], {
			loadTasks() {
				if (fail) throw new Error('db.json is not valid JSON');
				return [task(1, '0 * * * *'), broken];
			},
		});
		await h.scheduler.start();
		expect(h.events).toEqual([{type: 'error', message: 'could not read the tasks: db.json is not valid JSON'}]);
		fail = false;
		await h.scheduler.reload();
		expect(h.events[1]).toEqual({
			type: 'error',
			taskId: 2,
			message: 'task 2 has no usable schedule: hour "99" is out of range: use 0-23, a list "1,5", a range "1-5", a step "*/2" or "*"',
		});
		await h.clock.advanceTo(new Date('2026-01-01T01:30:00Z'));
		expect(h.startsOf(1)).toEqual(['2026-01-01T01:00:00.000Z']);
		expect(h.scheduler.nextRunFor(2)).toBeUndefined();
		await h.scheduler.stop();
	});
});
