import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {FakeClock} from '../../source/scheduler/clock.js';
import {schedulerLockPath} from '../../source/scheduler/scheduler-lock.js';
import {SchedulerService, type SchedulerServiceEvent} from '../../source/scheduler/service.js';
import {task} from './harness.js';

const dirs: string[] = [];
const services: SchedulerService[] = [];
afterEach(async () => {
	for (const service of services.splice(0)) await service.stop();
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

function setup(clock: FakeClock, dataDir: string, name: string, starts: string[], events: SchedulerServiceEvent[] = []) {
	const service = new SchedulerService({
		dataDir,
		kind: 'tui',
		clock,
		timeZone: 'UTC',
		lock: {pollMs: 50, heartbeatMs: 50, staleMs: 2000},
		loadTasks: () => [task(1, '0 * * * *'), task(2, '30 2 * * *', false)],
		async startRun(taskId, {scheduledFor}) {
			starts.push(`${name} ${taskId} ${scheduledFor}`);
			return 'started';
		},
		recordSkip() {},
		onEvent: event => events.push(event),
	});
	services.push(service);
	return service;
}

describe('SchedulerService', () => {
	it('runs schedules in one of two services sharing a data directory, and hands over when that one stops', async () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-service-'));
		dirs.push(dataDir);
		const clock = new FakeClock(new Date('2026-01-01T00:30:00Z'));
		const starts: string[] = [];
		const events: SchedulerServiceEvent[] = [];
		const first = setup(clock, dataDir, 'first', starts, events);
		first.start();
		await waitUntil(() => first.active, 5000, 'the first service to become active');
		await first.settled();
		const second = setup(clock, dataDir, 'second', starts);
		second.start();
		await new Promise(resolve => setTimeout(resolve, 300));
		expect(second.active).toBe(false);
		expect(first.status()).toEqual({mode: 'this-process'});

		// Both can tell the task list when a task runs next.
		expect(first.nextRunFor(task(1, '0 * * * *'))?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
		expect(second.nextRunFor(task(1, '0 * * * *'))?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
		expect(second.nextRunFor(task(2, '30 2 * * *', false))).toBeUndefined();

		await clock.advanceTo(new Date('2026-01-01T02:30:00Z'));
		expect(starts).toEqual(['first 1 2026-01-01T01:00:00.000Z', 'first 1 2026-01-01T02:00:00.000Z']);

		await first.stop();
		expect(fs.existsSync(schedulerLockPath(dataDir))).toBe(false);
		await waitUntil(() => second.active, 3000, 'the second service to take over');
		await second.settled();
		await clock.advanceTo(new Date('2026-01-01T03:30:00Z'));
		expect(starts.slice(2)).toEqual(['second 1 2026-01-01T03:00:00.000Z']);
		expect(events.map(event => event.type)).toEqual(['active', 'started', 'started', 'inactive']);
	});

	it('stops scheduling when another process took the lock over', async () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-service-'));
		dirs.push(dataDir);
		const clock = new FakeClock(new Date('2026-01-01T00:30:00Z'));
		const starts: string[] = [];
		const events: SchedulerServiceEvent[] = [];
		const service = setup(clock, dataDir, 'only', starts, events);
		service.start();
		await waitUntil(() => service.active, 5000, 'the service to become active');
		await service.settled();
		// What a contender on another host writes after deciding our heartbeat was stale.
		const file = schedulerLockPath(dataDir);
		fs.writeFileSync(`${file}.tmp`, JSON.stringify({pid: 4242, kind: 'daemon', host: 'elsewhere', token: 'theirs', since: new Date().toISOString()}));
		fs.renameSync(`${file}.tmp`, file);
		await waitUntil(() => !service.active, 3000, 'the service to notice');
		await service.settled();
		expect(service.status()).toEqual({mode: 'other', pid: 4242, kind: 'daemon'});
		await clock.advanceTo(new Date('2026-01-01T02:30:00Z'));
		expect(starts).toEqual([]);
		expect(events).toContainEqual({type: 'inactive', reason: 'lost'});
	});
});
