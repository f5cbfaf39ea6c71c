/**
 * The five cron fields of a schedule: what each accepts, the problem with a
 * field as one sentence naming it and its syntax, and the values a valid
 * schedule expands to (by cron-parser).
 */
import {CronExpressionParser} from 'cron-parser';
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
	const line = scheduleToCron(schedule);
	try {
		CronExpressionParser.parse(line, {tz: 'UTC'});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		if (/day of month/i.test(message)) {
			const {months: monthNumbers} = parseFieldValues({...schedule, dom: '*'});
			const months = monthNumbers.map(month => monthLongNames[month - 1]!);
			problems.dom = `day of month "${schedule.dom}" never occurs in ${joinWords(months, 'or')}: pick days those months have, or "*"`;
		} else {
			problems.minute = `the cron line "${line}" is not accepted (${message}): check each field`;
		}
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

/** The values each field allows, expanded by cron-parser; throws for an invalid schedule. */
export const parseFieldValues: (schedule: Schedule) => FieldValues = memo(expandFields);

function expandFields(schedule: Schedule): FieldValues {
	const {fields} = CronExpressionParser.parse(scheduleToCron(schedule), {tz: 'UTC'});
	const numbers = (values: readonly (number | string)[]) => values.filter((value): value is number => typeof value === 'number');
	const weekdays = [...new Set(numbers(fields.dayOfWeek.values).map(day => day % 7))].sort((a, b) => a - b);
	return {
		minutes: numbers(fields.minute.values),
		hours: numbers(fields.hour.values),
		days: numbers(fields.dayOfMonth.values),
		months: numbers(fields.month.values),
		weekdays,
		daysAny: fields.dayOfMonth.isWildcard,
		weekdaysAny: fields.dayOfWeek.isWildcard,
	};
}

export function joinWords(words: string[], conjunction = 'and'): string {
	if (words.length <= 1) return words.join('');
	return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}
