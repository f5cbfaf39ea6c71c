/**
 * Schedules: the four presets, custom five-field cron lines, their
 * validation (one sentence naming the field and the syntax it accepts), and
 * the `--schedule` option of the CLI. Run times live in schedule-times.ts,
 * the words in schedule-words.ts; both are re-exported here.
 *
 * A schedule's five fields are the truth; `preset` is how the form shows it.
 * Cron syntax: numbers, names (jan-dec, sun-sat), lists "1,5", ranges "1-5",
 * steps "*\/2" or "1-30/5", and "*". Day of week 0 and 7 are Sunday. When
 * both day of month and day of week are restricted (neither is "*"), a day
 * matching either one runs, as in every cron (and cron-parser).
 */
import {CloudSyncError} from './errors.js';
import type {Schedule, SchedulePreset} from './model.js';
import {assertValidSchedule, parseFieldValues, type FieldValues} from './schedule-fields.js';

export {
	assertValidSchedule,
	fieldLabel,
	fieldProblem,
	parseFieldValues,
	scheduleFields,
	scheduleProblem,
	scheduleProblems,
	scheduleToCron,
	type FieldValues,
	type ScheduleField,
} from './schedule-fields.js';
export {describeSchedule} from './schedule-words.js';
export {localTimeZone, nextRun, nextRuns, timeZoneProblem} from './schedule-times.js';

const presetFields: Record<Exclude<SchedulePreset, 'custom'>, string> = {
	hourly: '0 * * * *',
	daily: '0 0 * * *',
	weekly: '0 0 * * sun',
	monthly: '0 0 1 * *',
};

export const defaultPreset = 'daily';

/** The schedule of a preset; 'custom' starts from the daily fields. */
export function presetSchedule(preset: SchedulePreset = defaultPreset): Schedule {
	const line = presetFields[preset === 'custom' ? defaultPreset : preset];
	return {preset, ...splitFields(line)};
}

export const defaultSchedule: Schedule = presetSchedule(defaultPreset);

function splitFields(line: string): Omit<Schedule, 'preset'> {
	const [minute = '', hour = '', dom = '', month = '', dow = ''] = line.trim().split(/\s+/);
	return {minute, hour, dom, month, dow};
}

function sameValues(a: FieldValues, b: FieldValues): boolean {
	const key = (values: FieldValues) =>
		JSON.stringify([values.minutes, values.hours, values.days, values.months, values.weekdays, values.daysAny, values.weekdaysAny]);
	return key(a) === key(b);
}

/** The preset whose times these fields give, or 'custom'. */
export function detectPreset(schedule: Omit<Schedule, 'preset'>): SchedulePreset {
	const values = parseFieldValues({preset: 'custom', ...schedule});
	for (const preset of Object.keys(presetFields) as Exclude<SchedulePreset, 'custom'>[]) {
		if (sameValues(values, parseFieldValues(presetSchedule(preset)))) return preset;
	}
	return 'custom';
}

const usageHint = 'use hourly, daily, weekly, monthly or a cron line like "30 2 * * 1-5"';

/**
 * A schedule from a five-field cron line. A line that means the same as a
 * preset gets that preset's fields ("0 0 * * 0" becomes weekly).
 */
export function scheduleFromCron(line: string): Schedule {
	const text = line.trim();
	if (text === '') throw new CloudSyncError('usage', `the schedule is empty: ${usageHint}`);
	const parts = text.split(/\s+/);
	if (parts.length !== 5) {
		throw new CloudSyncError(
			'usage',
			`a cron line has five fields (minute hour day-of-month month day-of-week), but "${text}" has ${parts.length}: write it like "30 2 * * 1-5"`,
		);
	}
	const fields = splitFields(text);
	assertValidSchedule({preset: 'custom', ...fields});
	const preset = detectPreset(fields);
	return preset === 'custom' ? {preset, ...fields} : presetSchedule(preset);
}

const optionAliases: Record<string, Exclude<SchedulePreset, 'custom'>> = {
	hourly: 'hourly',
	daily: 'daily',
	weekly: 'weekly',
	monthly: 'monthly',
	'@hourly': 'hourly',
	'@daily': 'daily',
	'@midnight': 'daily',
	'@weekly': 'weekly',
	'@monthly': 'monthly',
};

/** The value of `--schedule`: hourly | daily | weekly | monthly | "CRON LINE". */
export function parseScheduleOption(text: string): Schedule {
	const preset = optionAliases[text.trim().toLowerCase()];
	if (preset) return presetSchedule(preset);
	// Words that are not a preset ("every day", "nightly"): name the presets rather than count cron fields.
	if (/^[^\d*]+$/.test(text.trim())) {
		throw new CloudSyncError('usage', `the schedule "${text.trim()}" is neither a preset nor a cron line: ${usageHint}`);
	}
	return scheduleFromCron(text);
}

