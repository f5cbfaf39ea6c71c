import {expect, test} from 'vitest';
import {exactNs, formatSecondsNs, msFromNs, nsFromMs, parseSecondsNs, splitNs} from '../../source/core/mtime.js';

test('decimal seconds keep all nine digits both ways, as rclone writes them', () => {
	for (const [text, ns] of [
		['1700000000.123456789', 1700000000123456789n],
		['1700000000.000000001', 1700000000000000001n],
		['1700000000.5', 1700000000500000000n],
		['1700000000', 1700000000000000000n],
		['0', 0n],
		['-1.5', -1500000000n],
	] as const) {
		expect(parseSecondsNs(text)).toBe(ns);
		expect(formatSecondsNs(ns)).toBe(text);
	}
	// Digits past the nanosecond are dropped, not rounded into the next second.
	expect(parseSecondsNs('1700000000.9999999999')).toBe(1700000000999999999n);
});

test('RFC 3339 times (which rclone also accepts) keep their fraction; anything else is not a time', () => {
	expect(parseSecondsNs('2023-11-14T22:13:20Z')).toBe(1700000000000000000n);
	expect(parseSecondsNs('2023-11-14T22:13:20.123456789Z')).toBe(1700000000123456789n);
	expect(parseSecondsNs('2023-11-14T23:13:20.5+01:00')).toBe(1700000000500000000n);
	for (const text of ['garbage', '', '12abc', '1e9', '2023-11-14', undefined]) expect(parseSecondsNs(text)).toBeUndefined();
});

test('seconds and nanoseconds split with the remainder always positive', () => {
	expect(splitNs(1700000000123456789n)).toEqual({seconds: 1700000000, nanoseconds: 123456789});
	expect(splitNs(-1n)).toEqual({seconds: -1, nanoseconds: 999999999});
	expect(splitNs(-1500000000n)).toEqual({seconds: -2, nanoseconds: 500000000});
});

test('ms and ns convert as exactly as a double allows, and exactNs prefers the exact figure', () => {
	expect(msFromNs(1700000000123456789n)).toBeCloseTo(1700000000123.456789, 3);
	expect(nsFromMs(1700000000123.5)).toBe(1700000000123500000n);
	expect(nsFromMs(999.9999999)).toBe(1000000000n);
	for (const ms of [0, 1, 1234567890123.25, 1700000000999.999]) expect(Math.abs(msFromNs(nsFromMs(ms)) - ms)).toBeLessThan(0.001);
	expect(exactNs({mtime: 5, mtimeNs: 5000123n})).toBe(5000123n);
	expect(exactNs({mtime: 5})).toBe(5000000n);
});
