import {describe, expect, test} from 'vitest';
import {parseRetryAfter} from '../../source/core/retry-after.js';

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-27T10:00:00Z');
	test('seconds, whole or decimal', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
		expect(parseRetryAfter('0', now)).toBe(0);
	});
	test('an HTTP date, never a negative wait', () => {
		expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfter('Fri, 27 Nov 2026 09:59:00 GMT', now)).toBe(0);
	});
	test('absent or unreadable: no wait asked for', () => {
		for (const value of [undefined, null, '', '  ', 'soon']) expect(parseRetryAfter(value, now)).toBeUndefined();
	});
});
