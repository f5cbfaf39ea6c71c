import {describe, expect, test} from 'vitest';
import {FastGraphemeSegmenter, singleUnitGraphemes, withFastGraphemes} from '../../source/ui/graphemes.js';
import {seededSamples} from '../support/samples.js';

const icu = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
const fast = new FastGraphemeSegmenter(undefined, {granularity: 'grapheme'});

const plain = (segments: Intl.Segments) => [...segments].map(({segment, index, input}) => ({segment, index, input}));

/** Deterministic pseudo-random strings from a pool that mixes easy and hard characters. */
function* samples(): Generator<string> {
	const pool = ['a', 'Z', ' ', '~', '\u001B[7m', '\u001B[39m', '\t', '\n', '\r', '\r\n', '›', '‹', '│', '—', '…', '█', '░', '→', '←', '•', 'ü', 'ß', 'é', 'e\u0301', '\u200D', '\u200C', '\uFE0F', '👍', '👨‍👩‍👧', '🇩🇪', '한', '\u1100\u1161', '\u00AD', '\u0085', '\u2028', '\u203C', '\u2190', '\u25FF', '\u2600', '\u0300', '\u0903', '\u0600', 'क्ष', '\uD800'];
	for (const item of pool) yield item;
	yield '';
	yield '› 12   Photos 2              PUSH SYNC daily at 00:00    tomorrow 00:00  SUCCESS 12:01';
	yield* seededSamples(pool, 12345, 12);
}

describe('the fast grapheme segmenter', () => {
	test('segments every sample exactly as Intl.Segmenter does, iterated and by containing()', () => {
		let fastPath = 0;
		for (const text of samples()) {
			if (singleUnitGraphemes(text)) fastPath++;
			expect(plain(fast.segment(text)), JSON.stringify(text)).toEqual(plain(icu.segment(text)));
			for (const index of [-1, -0.5, 0.5, Number.NaN, Infinity, ...Array.from({length: text.length + 1}, (_, i) => i)]) {
				const mine = fast.segment(text).containing(index);
				const theirs = icu.segment(text).containing(index);
				expect(mine && {segment: mine.segment, index: mine.index, input: mine.input}, `${JSON.stringify(text)} at ${index}`).toEqual(theirs && {segment: theirs.segment, index: theirs.index, input: theirs.input});
			}
		}
		// The samples exercise both paths.
		expect(fastPath).toBeGreaterThan(100);
	});

	test('takes the fast path only where each unit is a grapheme', () => {
		expect(singleUnitGraphemes('plain ASCII with \u001B[1mstyle\u001B[22m, › │ — … █ ░ →')).toBe(true);
		expect(singleUnitGraphemes('line\r\nbreak')).toBe(false);
		expect(singleUnitGraphemes('e\u0301')).toBe(false);
		expect(singleUnitGraphemes('a\u200Db')).toBe(false);
		expect(singleUnitGraphemes('👍')).toBe(false);
		expect(singleUnitGraphemes('한')).toBe(false);
	});

	test('other granularities go to Intl.Segmenter', () => {
		const words = new FastGraphemeSegmenter('en', {granularity: 'word'});
		const real = new Intl.Segmenter('en', {granularity: 'word'});
		expect([...words.segment('two words')].map(s => s.segment)).toEqual([...real.segment('two words')].map(s => s.segment));
		expect(words.resolvedOptions().granularity).toBe('word');
	});

	test('stands in for Intl.Segmenter only while the modules load', async () => {
		const original = Intl.Segmenter;
		const made = await withFastGraphemes(async () => new Intl.Segmenter());
		expect(made).toBeInstanceOf(FastGraphemeSegmenter);
		expect(Intl.Segmenter).toBe(original);
		await expect(
			withFastGraphemes(async () => {
				throw new Error('load failed');
			}),
		).rejects.toThrow('load failed');
		expect(Intl.Segmenter).toBe(original);
	});
});
