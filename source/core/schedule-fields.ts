/**
 * The five cron fields of a schedule: what each accepts, the problem with a
 * field as one sentence naming it and its syntax, and the values a valid
 * schedule expands to. Expanding is ours (cron-parser gave the same values,
 * but loading it and its date library, which makes Intl objects, was ~60 ms
 * of the full-screen app's start); test/core/schedule-cron-parser.test.ts
 * checks the same answers as cron-parser's over thousands of fields.
 */
import {CloudSyncError} from './errors.js';
import type {Schedule} from './model.js';

export type ScheduleField = 'minute' | 'hour' | 'dom' | 'month' | 'dow';
export const scheduleFields: readonly ScheduleField[] = ['minute', 'hour', 'dom', 'month', 'dow'];

export function scheduleToCron(schedule: Schedule): string {
	return scheduleFields.map(field => schedule[field]).join(' ');
}

type FieldSpec = {label: string; min: number; max: number; names?: readonly string[]; syntax: string};

export const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
export const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const commonSyntax = 'a list "1,5", a range "1-5", a step "*/2" or "*"';

const fieldSpecs: Record<ScheduleField, FieldSpec> = {
	minute: {label: 'minute', min: 0, max: 59, syntax: `use 0-59, ${commonSyntax}`},
	hour: {label: 'hour', min: 0, max: 23, syntax: `use 0-23, ${commonSyntax}`},
	dom: {label: 'day of month', min: 1, max: 31, syntax: `use 1-31, ${commonSyntax}`},
	month: {label: 'month', min: 1, max: 12, names: monthNames, syntax: `use 1-12 or jan-dec, ${commonSyntax}`},
	dow: {
		label: 'day of week',
		min: 0,
		max: 7,
		names: dayNames,
		syntax: 'use 0-7 (0 and 7 are Sunday) or sun-sat, a list "1,5", a range "mon-fri", a step "*/2" or "*"',
	},
};

export function fieldLabel(field: ScheduleField): string {
	return fieldSpecs[field].label;
}

const maxFieldLength = 100;
const itemPattern = /^(?:(\*)|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/([^/]*))?$/i;

/** The number a value stands for, or undefined when it is neither a number nor a known name. */
function fieldValue(spec: FieldSpec, text: string): number | undefined {
	if (/^\d+$/.test(text)) return Number(text);
	const index = spec.names?.indexOf(text.toLowerCase() as never) ?? -1;
	if (index < 0) return undefined;
	return spec.names === monthNames ? index + 1 : index;
}

/** The problem with one field's text, or undefined when cron accepts it. */
export function fieldProblem(field: ScheduleField, text: string): string | undefined {
	const spec = fieldSpecs[field];
	const value = text.trim();
	if (value === '') return `${spec.label} is empty: ${spec.syntax}`;
	if (value.length > maxFieldLength) return `${spec.label} is longer than ${maxFieldLength} characters: ${spec.syntax}`;
	for (const item of value.split(',')) {
		if (item === '') return `${spec.label} "${value}" has an empty list item: ${spec.syntax}`;
		const match = itemPattern.exec(item);
		if (!match) return `${spec.label} "${item}" is not valid: ${spec.syntax}`;
		const [, star, first, last, step] = match;
		if (!star) {
			for (const part of last === undefined ? [first!] : [first!, last]) {
				const number = fieldValue(spec, part);
				if (number === undefined) return `${spec.label} "${part}" is not valid: ${spec.syntax}`;
				if (number < spec.min || number > spec.max) return `${spec.label} "${part}" is out of range: ${spec.syntax}`;
			}
			if (last !== undefined && fieldValue(spec, first!)! > fieldValue(spec, last)!) {
				return `${spec.label} range "${item}" goes backwards: ${spec.syntax}`;
			}
		}
		if (step !== undefined) {
			if (!/^\d+$/.test(step)) return `${spec.label} step "${item}" needs a whole number after "/": ${spec.syntax}`;
			if (Number(step) < 1) return `${spec.label} step "${item}" must be at least 1: ${spec.syntax}`;
		}
	}
	return undefined;
}

export const monthLongNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

type Problems = Partial<Record<ScheduleField, string>>;

/** Forms and the scheduler ask about the same few schedules again and again. */
function memo<T>(compute: (schedule: Schedule) => T): (schedule: Schedule) => T {
	const cache = new Map<string, T>();
	return schedule => {
		const key = JSON.stringify(scheduleFields.map(field => schedule[field]));
		let value = cache.get(key);
		if (value === undefined) {
			value = compute(schedule);
			if (cache.size >= 200) cache.clear();
			cache.set(key, value);
		}
		return value;
	};
}

const cachedProblems = memo(findProblems);

/** Problems per field; empty when the schedule is valid. */
export function scheduleProblems(schedule: Schedule): Problems {
	return {...cachedProblems(schedule)};
}

function findProblems(schedule: Schedule): Problems {
	const problems: Partial<Record<ScheduleField, string>> = {};
	for (const field of scheduleFields) {
		const problem = fieldProblem(field, typeof schedule[field] === 'string' ? schedule[field] : '');
		if (problem) problems[field] = problem;
	}
	if (Object.keys(problems).length > 0) return problems;
	const values = cachedFields(schedule);
	// With the day of week "*" only the days of month can pick a day, and cron refuses days no chosen month has.
	if (values.weekdaysAny && values.days[0]! > Math.max(...values.months.map(month => daysInMonth[month - 1]!))) {
		const months = values.months.map(month => monthLongNames[month - 1]!);
		problems.dom = `day of month "${schedule.dom}" never occurs in ${joinWords(months, 'or')}: pick days those months have, or "*"`;
	}
	return problems;
}

/** The first problem of a schedule as one sentence, or undefined. */
export function scheduleProblem(schedule: Schedule): string | undefined {
	const problems = cachedProblems(schedule);
	const field = scheduleFields.find(name => problems[name] !== undefined);
	return field === undefined ? undefined : problems[field];
}

export function assertValidSchedule(schedule: Schedule): void {
	const problem = scheduleProblem(schedule);
	if (problem) throw new CloudSyncError('usage', problem);
}

export type FieldValues = {
	minutes: number[];
	hours: number[];
	days: number[];
	months: number[];
	/** 0-6, Sunday is 0. */
	weekdays: number[];
	/** The field is exactly "*": it does not restrict the day. */
	daysAny: boolean;
	weekdaysAny: boolean;
};

/** The values each field allows; throws for an invalid schedule. */
export function parseFieldValues(schedule: Schedule): FieldValues {
	assertValidSchedule(schedule);
	return cachedFields(schedule);
}

/** Days in each month, February in a leap year (cron's rule for days that never occur). */
const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values of one field that `fieldProblem` accepts: "*" is the field's range, "a/n" runs from a to its end. */
function expandField(field: ScheduleField, text: string): number[] {
	const spec = fieldSpecs[field];
	const values = new Set<number>();
	for (const item of text.trim().split(',')) {
		const [, star, first, last, step] = itemPattern.exec(item)!;
		const from = star ? spec.min : fieldValue(spec, first!)!;
		const to = star ? spec.max : last !== undefined ? fieldValue(spec, last)! : step !== undefined ? spec.max : from;
		for (let value = from; value <= to; value += step === undefined ? 1 : Number(step)) values.add(field === 'dow' ? value % 7 : value);
	}
	return [...values].sort((a, b) => a - b);
}

/** Validating a schedule expands it, and so do its next runs: once for both. */
const cachedFields = memo(expandFields);

function expandFields(schedule: Schedule): FieldValues {
	const months = expandField('month', schedule.month);
	let days = expandField('dom', schedule.dom);
	// One month: its days that exist, as cron-parser keeps them (all of them when none exists).
	if (months.length === 1 && days.some(day => day <= daysInMonth[months[0]! - 1]!)) days = days.filter(day => day <= daysInMonth[months[0]! - 1]!);
	return {
		minutes: expandField('minute', schedule.minute),
		hours: expandField('hour', schedule.hour),
		days,
		months,
		weekdays: expandField('dow', schedule.dow),
		daysAny: schedule.dom.trim() === '*',
		weekdaysAny: schedule.dow.trim() === '*',
	};
}

export function joinWords(words: string[], conjunction = 'and'): string {
	if (words.length <= 1) return words.join('');
	return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}
