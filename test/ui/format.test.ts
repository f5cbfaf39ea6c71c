import {expect, test} from 'vitest';
import {formatWhen, wrapText} from '../../source/ui/format.js';

test('a status sentence wraps at spaces over the lines a form keeps for it, and only the overflow is cut', () => {
	const sentence = 'Verify failed: cannot reach http://127.0.0.1:1: the connection was refused; check the endpoint address and the network';
	const lines = wrapText(sentence, 79, 2);
	expect(lines).toHaveLength(2);
	expect(lines.join(' ')).toBe(sentence);
	for (const line of lines) expect(line.length).toBeLessThanOrEqual(79);
	expect(wrapText('short', 79, 2)).toEqual(['short']);
	expect(wrapText('', 79, 2)).toEqual(['']);
	const long = wrapText('one two three four five six', 9, 2);
	expect(long).toEqual(['one two', 'three fo…']);
	expect(wrapText('unbreakable-word-longer-than-the-line', 10, 2)).toEqual(['unbreakab…']);
});

test('formatWhen shows the time alone today, else the English short month, day and time', () => {
	const now = new Date(2026, 10, 27, 9, 30);
	expect(formatWhen(new Date(2026, 10, 27, 14, 5), now)).toBe('14:05');
	for (let month = 0; month < 12; month++) {
		const date = new Date(2027, month, 3, 7, 9);
		expect(formatWhen(date, now)).toBe(`${date.toLocaleString('en', {month: 'short'})} 03 07:09`);
	}
});
