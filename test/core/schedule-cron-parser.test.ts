/**
 * Our expansion of the five cron fields against cron-parser's, the library
 * that did it before: for thousands of generated fields that our validation
 * accepts, both accept or refuse the same schedules and give the same values.
 */
import {CronExpressionParser} from 'cron-parser';
import {describe, expect, test} from 'vitest';
import type {Schedule} from '../../source/core/model.js';
import {fieldProblem, parseFieldValues, scheduleFields, scheduleProblem, scheduleToCron, type ScheduleField} from '../../source/core/schedule-fields.js';

const ranges: Record<ScheduleField, {min: number; max: number; names?: string[]}> = {
	minute: {min: 0, max: 59},
	hour: {min: 0, max: 23},
	dom: {min: 1, max: 31},
	month: {min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']},
	dow: {min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']},
};

let seed = 2026;
const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;

function value(field: ScheduleField): string {
	const {min, max, names} = ranges[field];
	if (names && next(4) === 0) return names[next(names.length)]!.toUpperCase().slice(0, 3 - next(2) * 0);
	return String(min + next(max - min + 2));
}

function item(field: ScheduleField): string {
	const step = next(3) === 0 ? `/${1 + next(12)}` : '';
	switch (next(4)) {
		case 0:
			return `*${step}`;
		case 1:
			return `${value(field)}${step}`;
		default:
			return `${value(field)}-${value(field)}${step}`;
	}
}

function field(name: ScheduleField): string {
	if (next(3) === 0) return '*';
	return Array.from({length: 1 + next(3)}, () => item(name)).join(',');
}

function cronParserValues(schedule: Schedule) {
	const {fields} = CronExpressionParser.parse(scheduleToCron(schedule), {tz: 'UTC'});
	const numbers = (values: readonly (number | string)[]) => [...new Set(values.filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
	return {
		minutes: numbers(fields.minute.values),
		hours: numbers(fields.hour.values),
		days: numbers(fields.dayOfMonth.values),
		months: numbers(fields.month.values),
		weekdays: numbers(fields.dayOfWeek.values.map(day => (typeof day === 'number' ? day % 7 : day))),
		daysAny: fields.dayOfMonth.isWildcard,
		weekdaysAny: fields.dayOfWeek.isWildcard,
	};
}

/** Compares one schedule both ways; says which way it went (skipped: our validation refuses a field). */
function compare(schedule: Schedule): 'accepted' | 'refused' | 'skipped' {
	if (scheduleFields.some(name => fieldProblem(name, schedule[name]) !== undefined)) return 'skipped';
	const line = scheduleToCron(schedule);
	let theirs: ReturnType<typeof cronParserValues> | undefined;
	let refusal = '';
	try {
		theirs = cronParserValues(schedule);
	} catch (error) {
		refusal = (error as Error).message;
	}
	const problem = scheduleProblem(schedule);
	// cron-parser refuses list items that overlap ("*/5,*" in a day field); cron itself runs
	// them, and so do we (the items' values are joined, which the other cases check).
	if (/duplicate values/.test(refusal)) {
		expect(problem, line).toBeUndefined();
		return 'skipped';
	}
	if (theirs === undefined) {
		expect(problem ?? '', `${line}: cron-parser says ${refusal}`).toMatch(/never occurs/);
		return 'refused';
	}
	expect(problem, line).toBeUndefined();
	expect(parseFieldValues(schedule), line).toEqual(theirs);
	return 'accepted';
}

const pick = (items: string[]) => items[next(items.length)]!;

describe('expanding cron fields', () => {
	test('gives cron-parser values, and refuses what it refuses, for 30,000 generated schedules', () => {
		const outcomes = {accepted: 0, refused: 0, skipped: 0};
		for (let i = 0; i < 30_000; i++) {
			outcomes[compare({preset: 'custom', minute: field('minute'), hour: field('hour'), dom: field('dom'), month: field('month'), dow: field('dow')} as Schedule)]++;
		}
		// Days near the end of short months, where a day may never occur.
		for (let i = 0; i < 2000; i++) {
			const dom = pick(['29', '30', '31', '30,31', '29-31', '31/2', '28-31/3', '15,31', '*/30']);
			const month = pick(['2', 'feb', '4,6', 'apr-jun', '2,4', '9,11', '*', '1-2', 'FEB,nov', '2/2']);
			outcomes[compare({preset: 'custom', minute: '0', hour: '0', dom, month, dow: pick(['*', '*', 'mon', '0-6'])} as Schedule)]++;
		}
		expect(outcomes.accepted).toBeGreaterThan(2000);
		expect(outcomes.refused).toBeGreaterThan(100);
		// About 9 s alone (cron-parser builds dates with luxon for each of ~3,000 parses); more when CI runs files side by side.
	}, 180_000);

	test('cases worth naming', () => {
		const values = (line: string) => {
			const [minute, hour, dom, month, dow] = line.split(' ') as [string, string, string, string, string];
			return parseFieldValues({preset: 'custom', minute, hour, dom, month, dow});
		};
		expect(values('5/15 * * * *').minutes).toEqual([5, 20, 35, 50]);
		expect(values('0 0 * * 5-7').weekdays).toEqual([0, 5, 6]);
		expect(values('0 0 * * */2').weekdays).toEqual([0, 2, 4, 6]);
		expect(values('0 0 * * mon-fri').weekdays).toEqual([1, 2, 3, 4, 5]);
		expect(values('0 0 28-31 feb *').days).toEqual([28, 29]);
		expect(values('0 0 31 feb mon').days).toEqual([31]);
		expect(values('0 0 */1 * *').daysAny).toBe(false);
		expect(scheduleProblem({preset: 'custom', minute: '0', hour: '0', dom: '30,31', month: '2', dow: '*'})).toBe(
			'day of month "30,31" never occurs in February: pick days those months have, or "*"',
		);
		expect(scheduleProblem({preset: 'custom', minute: '0', hour: '0', dom: '31', month: 'apr,jun', dow: '*'})).toMatch(/never occurs in April or June/);
	});
});
