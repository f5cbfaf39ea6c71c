/**
 * When a schedule runs, in a time zone (the machine's local one unless told).
 *
 * cron-parser expands the fields; the walk over local days is ours, so the
 * result depends only on the schedule and the zone, never on where a search
 * starts (cron-parser's own iteration carries DST state from step to step).
 *
 * Daylight-saving rule, the same as cron-parser's and Vixie cron's:
 * - A local time that does not exist (spring forward, e.g. 02:30 in Berlin on
 *   the last Sunday of March) runs once, shifted by the gap: at 03:30.
 *   If that instant is also a run time of its own, it runs once.
 * - A local time that happens twice (fall back, 02:30 in Berlin on the last
 *   Sunday of October) runs once, at its first occurrence, unless the hour
 *   field is "every hour" (all 24 hours): then both real hours run, so an
 *   hourly schedule keeps running every hour.
 */
import {CloudSyncError} from './errors.js';
import type {Schedule} from './model.js';
import {assertValidSchedule, parseFieldValues, type FieldValues} from './schedule-fields.js';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let format = formatters.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
		});
		formatters.set(timeZone, format);
	}
	return format;
}

/** The problem with a time zone name, or undefined when the runtime knows it. */
export function timeZoneProblem(timeZone: string): string | undefined {
	try {
		formatter(timeZone);
		return undefined;
	} catch {
		return `time zone "${timeZone}" is not known: use an IANA name like "Europe/Berlin" or "UTC"`;
	}
}

/** The machine's zone (honours TZ). */
let zoneCache: {tz: string | undefined; zone: string} | undefined;

export function localTimeZone(): string {
	// Each lookup makes a date formatter (a large part of planning many tasks);
	// the answer changes only when TZ does (Node re-reads it when it is set).
	const tz = process.env.TZ;
	if (zoneCache === undefined || zoneCache.tz !== tz) zoneCache = {tz, zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'};
	return zoneCache.zone;
}

/**
 * The wall-clock time of an instant in `timeZone` (undefined: the machine's
 * zone), as milliseconds of a UTC date with the same fields. The machine's
 * zone is read with Date's local fields, which follow the same zone as Intl
 * (and TZ when it changes) without making an Intl object: the first one costs
 * about 25 ms, a large part of the full-screen app's start.
 */
export function wallClock(instant: number, timeZone: string | undefined): number {
	if (timeZone === undefined) {
		const date = new Date(instant);
		return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds());
	}
	const fields: Record<string, number> = {};
	for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
		if (part.type !== 'literal') fields[part.type] = Number(part.value);
	}
	return Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
}

function offsetAt(instant: number, timeZone: string | undefined): number {
	const whole = instant - (((instant % 1000) + 1000) % 1000);
	return wallClock(whole, timeZone) - whole;
}

/**
 * The instants a local wall-clock time stands for: one, two in a repeated
 * hour (earliest first), or for a time in a gap the instant shifted by it.
 */
export function resolveWallClock(wall: number, timeZone: string | undefined): number[] {
	const before = offsetAt(wall - dayMs, timeZone);
	const after = offsetAt(wall + dayMs, timeZone);
	const instants = [...new Set([wall - before, wall - after])].filter(instant => wallClock(instant, timeZone) === wall).sort((a, b) => a - b);
	return instants.length > 0 ? instants : [wall - before];
}

function dayMatches(values: FieldValues, sets: DaySets, wallDay: number): boolean {
	const date = new Date(wallDay);
	if (!sets.months.has(date.getUTCMonth() + 1)) return false;
	const dayOk = sets.days.has(date.getUTCDate());
	const weekdayOk = sets.weekdays.has(date.getUTCDay());
	if (values.daysAny && values.weekdaysAny) return true;
	if (values.daysAny) return weekdayOk;
	if (values.weekdaysAny) return dayOk;
	return dayOk || weekdayOk;
}

type DaySets = {months: Set<number>; days: Set<number>; weekdays: Set<number>};

/** The run instants whose local date is `wallDay` (UTC midnight of that date). */
function runsOnDay(values: FieldValues, wallDay: number, timeZone: string | undefined): number[] {
	const everyHour = values.hours.length === 24;
	const offsetEarly = offsetAt(wallDay - 14 * hourMs, timeZone);
	const steady = offsetEarly === offsetAt(wallDay + 38 * hourMs, timeZone);
	const instants: number[] = [];
	for (const hour of values.hours) {
		for (const minute of values.minutes) {
			const wall = wallDay + hour * hourMs + minute * minuteMs;
			if (steady) {
				instants.push(wall - offsetEarly);
				continue;
			}
			const resolved = resolveWallClock(wall, timeZone);
			instants.push(...(everyHour ? resolved : resolved.slice(0, 1)));
		}
	}
	return instants;
}

/** Longest search: every day-of-week/leap-year combination repeats within 28 years. */
const maxDays = 28 * 366;

/**
 * The next `count` run times strictly after `from`, in `timeZone` (default:
 * the machine's). Throws CloudSyncError('usage') for an invalid schedule or zone.
 */
export function nextRuns(schedule: Schedule, from: Date, count = 5, timeZone?: string): Date[] {
	assertValidSchedule(schedule);
	const zone = timeZone;
	const zoneProblem = zone === undefined ? undefined : timeZoneProblem(zone);
	if (zoneProblem) throw new CloudSyncError('usage', zoneProblem);
	const start = from.getTime();
	if (!Number.isFinite(start)) throw new CloudSyncError('usage', 'the start time for the next runs is not a valid date');
	if (count <= 0) return [];

	const values = parseFieldValues(schedule);
	const sets: DaySets = {months: new Set(values.months), days: new Set(values.days), weekdays: new Set(values.weekdays)};
	const firstWall = wallClock(start, zone);
	// A day earlier: a run in a gap just before midnight can shift into the next day.
	let wallDay = firstWall - (((firstWall % dayMs) + dayMs) % dayMs) - dayMs;
	const found = new Set<number>();
	let extraDays = -1;
	for (let day = 0; day < maxDays && extraDays !== 0; day++, wallDay += dayMs) {
		if (dayMatches(values, sets, wallDay)) {
			for (const instant of runsOnDay(values, wallDay, zone)) if (instant > start) found.add(instant);
		}
		// Shifted runs may come out of order: finish one more day before cutting.
		if (extraDays > 0) extraDays--;
		else if (extraDays < 0 && found.size >= count) extraDays = 1;
	}
	return [...found]
		.sort((a, b) => a - b)
		.slice(0, count)
		.map(instant => new Date(instant));
}

/** The next run strictly after `from`, or undefined when the schedule never runs again. */
export function nextRun(schedule: Schedule, from: Date, timeZone?: string): Date | undefined {
	return nextRuns(schedule, from, 1, timeZone)[0];
}
