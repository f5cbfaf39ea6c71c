/**
 * Bandwidth limits in rclone's `--bwlimit` syntax. Pure: no I/O, no clock.
 *
 * - `"10M"`: one rate all the time. A bare number is KiB/s; suffixes B, K, M,
 *   G, T (binary multiples, case-insensitive); `off` (or `0`) means unlimited.
 * - `"08:00,512k 12:00,10M 23:00,off"`: a daily timetable. Each entry holds
 *   from its time until the next one; before the first entry of the day the
 *   last entry (from the day before) still holds.
 * - `"Mon-08:00,512k Sat-00:00,off"`: a weekly timetable (Sun Mon Tue Wed Thu
 *   Fri Sat). Times must increase along the list.
 * - `"10M:1M"`: an upload:download pair; cloudsync applies the first (upload)
 *   figure to pushes and the second to pulls via `rateAt(..., 'download')`.
 */
import {CloudSyncError} from './errors.js';

/** Bytes per second; undefined means unlimited. */
export type Rate = number | undefined;

export type BwSlot = {
	/** Minutes since Sunday 00:00 (a daily entry is copied to every day). */
	minuteOfWeek: number;
	upload: Rate;
	download: Rate;
};

export type BwTimetable = {
	/** Sorted by minuteOfWeek; empty means unlimited. */
	slots: BwSlot[];
	/** The text it was parsed from, for logs. */
	text: string;
};

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const UNITS: Record<string, number> = {b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5};

function invalid(text: string, why: string): CloudSyncError {
	return new CloudSyncError('usage', `The bandwidth limit "${text}" is not valid: ${why}.`);
}

/** "512k" -> 524288 bytes/s; "off" -> undefined. */
export function parseRate(text: string, whole = text): Rate {
	const t = text.trim().toLowerCase();
	if (t === 'off' || t === '') return undefined;
	const match = /^(\d+(?:\.\d+)?)([bkmgtp])?(?:i?b)?(?:\/s)?$/.exec(t);
	if (!match) throw invalid(whole, `"${text}" is not a rate like 512k, 10M or off`);
	const value = Number(match[1]) * UNITS[match[2] ?? 'k']!;
	return value === 0 ? undefined : Math.max(1, Math.round(value));
}

function parsePair(text: string, whole: string): {upload: Rate; download: Rate} {
	const parts = text.split(':');
	if (parts.length > 2) throw invalid(whole, `"${text}" has more than one ':'`);
	const upload = parseRate(parts[0]!, whole);
	const download = parts.length === 2 ? parseRate(parts[1]!, whole) : upload;
	return {upload, download};
}

function parseTime(text: string, whole: string): {day?: number; minute: number} {
	const match = /^(?:([a-z]{3})-)?(\d{1,2}):(\d{2})$/i.exec(text.trim());
	if (!match) throw invalid(whole, `"${text}" is not a time like 08:00 or Mon-08:00`);
	let day: number | undefined;
	if (match[1] !== undefined) {
		day = DAYS.indexOf(match[1].toLowerCase());
		if (day < 0) throw invalid(whole, `"${match[1]}" is not a day (use Sun, Mon, Tue, Wed, Thu, Fri or Sat)`);
	}
	const hours = Number(match[2]);
	const minutes = Number(match[3]);
	if (hours > 23 || minutes > 59) throw invalid(whole, `"${text}" is not a time of day`);
	return {day, minute: hours * 60 + minutes};
}

export function parseBwLimit(text: string | undefined): BwTimetable {
	const whole = (text ?? '').trim();
	if (whole === '' || whole.toLowerCase() === 'off') return {slots: [], text: whole};
	const items = whole.split(/\s+/);
	if (items.length === 1 && !items[0]!.includes(',')) {
		const pair = parsePair(items[0]!, whole);
		return {slots: [{minuteOfWeek: 0, ...pair}], text: whole};
	}
	const parsed = items.map(item => {
		const comma = item.indexOf(',');
		if (comma < 0) throw invalid(whole, `"${item}" should be TIME,RATE like 08:00,512k`);
		return {...parseTime(item.slice(0, comma), whole), ...parsePair(item.slice(comma + 1), whole)};
	});
	const weekly = parsed.some(p => p.day !== undefined);
	if (weekly && parsed.some(p => p.day === undefined)) {
		throw invalid(whole, 'either give every entry a day (Mon-08:00) or none');
	}
	let previous = -1;
	for (const p of parsed) {
		const at = (p.day ?? 0) * 1440 + p.minute;
		if (at <= previous) throw invalid(whole, 'bwlimit times must increase along the list');
		previous = at;
	}
	const slots: BwSlot[] = [];
	if (weekly) {
		for (const p of parsed) slots.push({minuteOfWeek: p.day! * 1440 + p.minute, upload: p.upload, download: p.download});
	} else {
		for (let day = 0; day < 7; day++) {
			for (const p of parsed) slots.push({minuteOfWeek: day * 1440 + p.minute, upload: p.upload, download: p.download});
		}
	}
	return {slots, text: whole};
}

/** The slot in force at local time `timeMs`. */
export function slotAt(table: BwTimetable, timeMs: number): BwSlot | undefined {
	if (table.slots.length === 0) return undefined;
	const date = new Date(timeMs);
	const minute = date.getDay() * 1440 + date.getHours() * 60 + date.getMinutes();
	let current = table.slots[table.slots.length - 1]!;
	for (const slot of table.slots) {
		if (slot.minuteOfWeek <= minute) current = slot;
		else break;
	}
	return current;
}

/** Bytes per second allowed at `timeMs`, or undefined for unlimited. */
export function rateAt(table: BwTimetable, timeMs: number, direction: 'upload' | 'download' = 'upload'): Rate {
	return slotAt(table, timeMs)?.[direction];
}

export function formatRate(rate: Rate): string {
	if (rate === undefined) return 'off';
	for (const [unit, size] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
		if (rate >= size) return `${Number((rate / size).toFixed(2))}${unit}iB/s`;
	}
	return `${rate}B/s`;
}
