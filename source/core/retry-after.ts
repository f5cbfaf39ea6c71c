/**
 * Milliseconds to wait from a Retry-After header: a number of seconds or an
 * HTTP date. Undefined when the header is absent or is neither.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
	const text = value?.trim();
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
