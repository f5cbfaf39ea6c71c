/**
 * Exact modification times. Entry.mtime is milliseconds as a double, which
 * holds a present-day time only to about a quarter of a microsecond; where a
 * provider knows the time to the nanosecond (local disks, x-amz-meta-mtime)
 * it also gives Entry.mtimeNs, nanoseconds since the epoch, and writes use it.
 */

const nsPerMs = 1_000_000n;
const nsPerSecond = 1_000_000_000n;

/** Milliseconds from nanoseconds, as exactly as a double holds them. */
export function msFromNs(ns: bigint): number {
	return Number(ns / nsPerMs) + Number(ns % nsPerMs) / 1e6;
}

/** Nanoseconds from milliseconds, rounded to the nearest nanosecond. */
export function nsFromMs(ms: number): bigint {
	const whole = Math.floor(ms);
	return BigInt(whole) * nsPerMs + BigInt(Math.round((ms - whole) * 1e6));
}

/** The exact time of something with an mtime, from mtimeNs when it is known. */
export function exactNs(time: {mtime: number; mtimeNs?: bigint}): bigint {
	return time.mtimeNs ?? nsFromMs(time.mtime);
}

/** Whole seconds (rounded down) and the nanoseconds after them (0..999,999,999). */
export function splitNs(ns: bigint): {seconds: number; nanoseconds: number} {
	let seconds = ns / nsPerSecond;
	let rest = ns % nsPerSecond;
	if (rest < 0n) {
		seconds -= 1n;
		rest += nsPerSecond;
	}
	return {seconds: Number(seconds), nanoseconds: Number(rest)};
}

/** Decimal seconds with up to nine fractional digits, trailing zeros dropped ("1700000000.5"). */
export function formatSecondsNs(ns: bigint): string {
	const sign = ns < 0n ? '-' : '';
	const magnitude = ns < 0n ? -ns : ns;
	const seconds = magnitude / nsPerSecond;
	const nanoseconds = magnitude % nsPerSecond;
	if (nanoseconds === 0n) return `${sign}${seconds}`;
	return `${sign}${seconds}.${String(nanoseconds).padStart(9, '0').replace(/0+$/, '')}`;
}

/**
 * Nanoseconds from decimal seconds ("1700000000.123456789", digits past the
 * ninth dropped) or, as rclone also accepts, an RFC 3339 time; undefined for
 * anything else.
 */
export function parseSecondsNs(text: string | undefined): bigint | undefined {
	if (text === undefined) return undefined;
	const match = /^\s*(-?)(\d{1,15})(?:\.(\d*))?\s*$/.exec(text);
	if (!match) {
		const rfc3339 = /^\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)\s*$/i.exec(text);
		if (!rfc3339) return undefined;
		const ms = Date.parse(text.replace(/\.\d+/, ''));
		if (!Number.isFinite(ms)) return undefined;
		return BigInt(ms) * nsPerMs + BigInt((rfc3339[1] ?? '').padEnd(9, '0'));
	}
	const [, sign, whole, fraction = ''] = match;
	const ns = BigInt(whole!) * nsPerSecond + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
	return sign === '-' ? -ns : ns;
}
