/** Small formatting helpers for the screens; pure. */
import {formatBytes} from '../core/bytes.js';
export {counted} from '../core/words.js';

export {formatBytes};

export function formatSpeed(bytesPerSecond: number): string {
	return `${formatBytes(bytesPerSecond)}/s`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** English short month names, as `toLocaleString('en', {month: 'short'})` gives them (the first Intl object costs ~25 ms of the app's start). */
const shortMonths = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "14:05" today, "Mar 03 14:05" otherwise. */
export function formatWhen(date: Date, now: Date = new Date()): string {
	const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
	if (date.toDateString() === now.toDateString()) return time;
	const month = shortMonths[date.getMonth()];
	return `${month} ${pad(date.getDate())} ${time}`;
}

/** "2026-03-03 14:05" */
export function formatDateTime(date: Date): string {
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Cuts `text` to `width` columns with an ellipsis, and pads it to exactly `width`. */
export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = [...text];
	if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
	return text + ' '.repeat(width - chars.length);
}

/**
 * `text` broken at spaces into at most `maxLines` lines of `width` columns;
 * what does not fit ends the last line with an ellipsis.
 */
export function wrapText(text: string, width: number, maxLines: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const candidate = line === '' ? word : `${line} ${word}`;
		if (line !== '' && [...candidate].length > width) {
			lines.push(line);
			line = word;
		} else line = candidate;
	}
	lines.push(line);
	if (lines.length > maxLines) lines.splice(maxLines - 1, lines.length, lines.slice(maxLines - 1).join(' '));
	return lines.map(each => ([...each].length > width ? fit(each, width) : each));
}

/** A bar like "██████░░░░" `width` cells wide. */
export function bar(fraction: number, width: number): string {
	const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
	const full = Math.round(clamped * width);
	return '█'.repeat(full) + '░'.repeat(width - full);
}

export function percent(done: number, total: number): number {
	if (total <= 0) return 0;
	return Math.min(100, Math.floor((done / total) * 100));
}

/** A table cell: `text` cut to `width - 1` columns plus one space of gap. */
export function cell(text: string, width: number): string {
	return width <= 0 ? '' : `${fit(text, width - 1)} `;
}
