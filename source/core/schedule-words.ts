/**
 * A schedule in words for the task list and the CLI: "daily at 00:00",
 * "hourly at :00", "weekly on Sunday at 00:00", "monthly on day 1 at 00:00",
 * "at 02:30 on Mon-Fri", "every 15 minutes"; anything without a short
 * sentence falls back to "cron 30 2 * * 1-5".
 */
import type {Schedule} from './model.js';
import {joinWords, monthLongNames, parseFieldValues, scheduleProblem, scheduleToCron, type FieldValues} from './schedule-fields.js';

const dayLongNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const dayShortNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthShortNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (value: number) => String(value).padStart(2, '0');

/** 1,2,3,5 -> ["1-3", "5"], with `name` for each value; runs of two stay a list. */
function compact(values: number[], name: (value: number) => string): string[] {
	const words: string[] = [];
	for (let i = 0; i < values.length; ) {
		let end = i;
		while (end + 1 < values.length && values[end + 1] === values[end]! + 1) end++;
		if (end - i >= 2) {
			words.push(`${name(values[i]!)}-${name(values[end]!)}`);
		} else {
			for (let k = i; k <= end; k++) words.push(name(values[k]!));
		}
		i = end + 1;
	}
	return words;
}

/** The step n when values are 0, n, 2n, ... up to the field's size (which n divides). */
function evenStep(values: number[], size: number): number | undefined {
	if (values.length < 2 || values[0] !== 0) return undefined;
	const step = values[1]!;
	if (size % step !== 0 || values.length !== size / step) return undefined;
	return values.every((value, index) => value === index * step) ? step : undefined;
}

function dayPhrase(values: FieldValues): string | undefined {
	const allWeekdays = values.weekdays.length === 7;
	const weekdays = values.weekdays.length === 1 ? dayLongNames[values.weekdays[0]!]! : joinWords(compact(values.weekdays, day => dayShortNames[day]!));
	const days = `${values.days.length === 1 ? 'day' : 'days'} ${joinWords(compact(values.days, String))}`;
	if (values.daysAny && (values.weekdaysAny || allWeekdays)) return undefined;
	if (values.daysAny) return `on ${weekdays}`;
	if (values.weekdaysAny) return values.days.length === 31 ? undefined : `on ${days}`;
	return `on ${days} or ${weekdays}`;
}

function monthPhrase(values: FieldValues): string | undefined {
	if (values.months.length === 12) return undefined;
	if (values.months.length === 1) return `in ${monthLongNames[values.months[0]! - 1]}`;
	return `in ${joinWords(compact(values.months, month => monthShortNames[month - 1]!))}`;
}

/** "every 15 minutes", "hourly at :05", "every 6 hours at :30", "at 02:30 and 14:30", or undefined. */
function timePhrase(values: FieldValues): {words: string} | undefined {
	const {minutes, hours} = values;
	const everyHour = hours.length === 24;
	if (everyHour && minutes.length === 60) return {words: 'every minute'};
	const minuteStep = evenStep(minutes, 60);
	if (everyHour && minuteStep !== undefined) return {words: `every ${minuteStep} minutes`};
	if (minutes.length !== 1) return undefined;
	const minute = minutes[0]!;
	if (everyHour) return {words: `hourly at :${pad(minute)}`};
	const hourStep = evenStep(hours, 24);
	if (hourStep !== undefined && hours.length > 4) return {words: `every ${hourStep} hours at :${pad(minute)}`};
	if (hours.length > 4) return undefined;
	return {words: `at ${joinWords(hours.map(hour => `${pad(hour)}:${pad(minute)}`))}`};
}

export function describeSchedule(schedule: Schedule): string {
	const line = scheduleToCron(schedule);
	if (scheduleProblem(schedule)) return `cron ${line} (not valid)`;
	const values = parseFieldValues(schedule);
	const time = timePhrase(values);
	if (!time) return `cron ${line}`;
	const days = dayPhrase(values);
	const months = monthPhrase(values);
	const at = time.words;
	if (!months && time.words.startsWith('at ')) {
		if (!days) return `daily ${at}`;
		if (values.daysAny && values.weekdays.length === 1) return `weekly ${days} ${at}`;
		if (values.weekdaysAny && values.days.length === 1) return `monthly ${days} ${at}`;
	}
	if (months && time.words.startsWith('at ') && values.weekdaysAny && values.days.length === 1 && values.months.length === 1) {
		return `yearly on ${monthLongNames[values.months[0]! - 1]} ${values.days[0]} ${at}`;
	}
	return [at, days, months].filter(Boolean).join(' ');
}
