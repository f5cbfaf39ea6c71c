import {describe, expect, it} from 'vitest';
import {FakeClock, maxTimeoutMs, realClock} from '../../source/scheduler/clock.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('realClock', () => {
	it('does not fire a timer weeks ahead early (setTimeout alone would after 1 ms)', async () => {
		const clock = realClock();
		let fired = false;
		const cancel = clock.setTimer(Date.now() + 40 * 24 * 3600_000, () => {
			fired = true;
		});
		expect(40 * 24 * 3600_000).toBeGreaterThan(maxTimeoutMs);
		await sleep(100);
		expect(fired).toBe(false);
		cancel();
	});

	it('waits again when a capped wait ends before the time, then fires', async () => {
		const clock = realClock({maxDelayMs: 15});
		const start = Date.now();
		const firedAt = await new Promise<number>(resolve => clock.setTimer(start + 120, () => resolve(Date.now())));
		expect(firedAt - start).toBeGreaterThanOrEqual(120);
	});

	it('fires a time already past at once, and a cancelled timer never', async () => {
		const clock = realClock();
		const fired: string[] = [];
		clock.setTimer(Date.now() - 5000, () => fired.push('past'));
		const cancel = clock.setTimer(Date.now() + 30, () => fired.push('cancelled'));
		cancel();
		await sleep(80);
		expect(fired).toEqual(['past']);
	});
});

describe('FakeClock', () => {
	it('fires timers in time order as it advances, with now() at each timer', async () => {
		const clock = new FakeClock(new Date('2026-01-01T00:00:00Z'));
		const seen: [string, number][] = [];
		clock.setTimer(clock.now() + 3000, () => seen.push(['c', clock.now()]));
		clock.setTimer(clock.now() + 1000, () => {
			seen.push(['a', clock.now()]);
			clock.setTimer(clock.now() + 1000, () => seen.push(['b', clock.now()]));
		});
		await clock.advance(2500);
		expect(seen.map(([name]) => name)).toEqual(['a', 'b']);
		expect(clock.now()).toBe(Date.parse('2026-01-01T00:00:02.500Z'));
		await clock.advanceTo(new Date('2026-01-01T00:00:10Z'));
		expect(seen).toEqual([
			['a', Date.parse('2026-01-01T00:00:01Z')],
			['b', Date.parse('2026-01-01T00:00:02Z')],
			['c', Date.parse('2026-01-01T00:00:03Z')],
		]);
		expect(clock.pendingTimers).toBe(0);
	});

	it('a jump of the wall clock neither fires nor delays timers, as with setTimeout', async () => {
		const clock = new FakeClock(0);
		let firedAt: number | undefined;
		clock.setTimer(10_000, () => {
			firedAt = clock.now();
		});
		clock.jump(1_000_000);
		await clock.advance(5000);
		expect(firedAt).toBeUndefined();
		await clock.advance(5000);
		expect(firedAt).toBe(1_010_000);
	});
});
