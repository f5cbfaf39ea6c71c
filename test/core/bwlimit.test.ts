import {describe, expect, test} from 'vitest';
import {formatRate, parseBwLimit, parseRate, rateAt} from '../../source/core/bwlimit.js';

/** Local time on a known Monday (2026-11-23). */
function at(day: number, hh: number, mm: number): number {
	return new Date(2026, 10, 22 + day, hh, mm).getTime();
}

describe('bwlimit rates', () => {
	test.each([
		['512k', 512 * 1024],
		['512K', 512 * 1024],
		['10M', 10 * 1024 * 1024],
		['1.5M', 1.5 * 1024 * 1024],
		['100', 100 * 1024],
		['100B', 100],
		['2G', 2 * 1024 ** 3],
		['off', undefined],
		['0', undefined],
	])('%s', (text, bytes) => {
		expect(parseRate(text)).toBe(bytes);
	});

	test('a bad rate says what is wrong', () => {
		expect(() => parseBwLimit('fast')).toThrow('The bandwidth limit "fast" is not valid: "fast" is not a rate like 512k, 10M or off.');
		expect(() => parseBwLimit('08:00,12x')).toThrow(/"12x" is not a rate/);
	});
});

describe('bwlimit timetables', () => {
	const table = parseBwLimit('08:00,512k 12:00,10M 23:00,off');

	test('each entry holds until the next; before the first, the last one of the day before holds', () => {
		expect(rateAt(table, at(1, 7, 59))).toBeUndefined();
		expect(rateAt(table, at(1, 8, 0))).toBe(512 * 1024);
		expect(rateAt(table, at(1, 11, 59))).toBe(512 * 1024);
		expect(rateAt(table, at(1, 12, 0))).toBe(10 * 1024 * 1024);
		expect(rateAt(table, at(1, 23, 30))).toBeUndefined();
		expect(rateAt(table, at(0, 9, 0))).toBe(512 * 1024);
	});

	test('a single rate applies all the time; empty and off are unlimited', () => {
		expect(rateAt(parseBwLimit('1M'), at(3, 3, 3))).toBe(1024 * 1024);
		expect(parseBwLimit('').slots).toEqual([]);
		expect(parseBwLimit(undefined).slots).toEqual([]);
		expect(rateAt(parseBwLimit('off'), at(3, 3, 3))).toBeUndefined();
	});

	test('weekly entries and upload:download pairs', () => {
		const weekly = parseBwLimit('Mon-08:00,512k:1M Fri-18:00,off');
		expect(rateAt(weekly, at(1, 9, 0))).toBe(512 * 1024);
		expect(rateAt(weekly, at(1, 9, 0), 'download')).toBe(1024 * 1024);
		expect(rateAt(weekly, at(5, 19, 0))).toBeUndefined();
		expect(rateAt(weekly, at(0, 12, 0))).toBeUndefined();
		expect(rateAt(weekly, at(4, 12, 0))).toBe(512 * 1024);
	});

	test('clear messages for broken timetables', () => {
		expect(() => parseBwLimit('12:00,1M 08:00,off')).toThrow(/bwlimit times must increase/);
		expect(() => parseBwLimit('08:00,1M 08:00,off')).toThrow(/bwlimit times must increase/);
		expect(() => parseBwLimit('25:00,1M')).toThrow(/"25:00" is not a time of day/);
		expect(() => parseBwLimit('8h,1M 9:00,off')).toThrow(/"8h" is not a time like 08:00/);
		expect(() => parseBwLimit('Xyz-08:00,1M')).toThrow(/"Xyz" is not a day/);
		expect(() => parseBwLimit('Mon-08:00,1M 09:00,off')).toThrow(/every entry a day/);
		expect(() => parseBwLimit('08:00 12:00,1M')).toThrow(/should be TIME,RATE/);
	});

	test('formatRate', () => {
		expect(formatRate(undefined)).toBe('off');
		expect(formatRate(512 * 1024)).toBe('512KiB/s');
		expect(formatRate(10 * 1024 * 1024)).toBe('10MiB/s');
		expect(formatRate(100)).toBe('100B/s');
	});
});
