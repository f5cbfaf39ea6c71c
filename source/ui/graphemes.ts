/**
 * A grapheme segmenter with a fast path for text in which every UTF-16 unit
 * is a grapheme of its own, for the terminal libraries Ink uses.
 *
 * Ink turns every line of every frame into cells (ansi-tokenize, slice-ansi,
 * string-width), and each of them walks the line with `Intl.Segmenter`: about
 * 1.5 µs a character, most of a frame's cost. Our frames are almost all ASCII
 * and a few symbols (› │ — … █ ░ →). For those, Unicode's grapheme rules
 * (UAX #29) break between every two units (none is Extend, ZWJ, SpacingMark,
 * Prepend, Regional Indicator or Hangul; CR LF is the one pair that stays
 * together and is left to the real segmenter), so the segments are the units
 * themselves. Any other text goes to `Intl.Segmenter` as before.
 */

/** Whether every unit of `text` is its own grapheme (conservatively: false when unsure). */
export function singleUnitGraphemes(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x300) {
			// C0/C1 controls, ASCII, Latin-1 and Latin Extended: Control, CR, LF or Other.
			if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) return false;
			continue;
		}
		// General punctuation without the zero-width joiners (U+200C, U+200D): dashes, quotes, bullet, ellipsis, ‹ ›.
		if (c >= 0x2010 && c <= 0x205e) continue;
		// Arrows, box drawing, block elements, geometric shapes.
		if ((c >= 0x2190 && c <= 0x21ff) || (c >= 0x2500 && c <= 0x25ff)) continue;
		return false;
	}
	return true;
}

type Segment = {segment: string; index: number; input: string};

class UnitSegments {
	constructor(readonly input: string) {}

	containing(index = 0): Segment | undefined {
		// As Intl does: NaN and undefined are 0, fractions are cut, -0 is 0.
		const at = Math.trunc(Number(index) || 0) + 0;
		if (at < 0 || at >= this.input.length) return undefined;
		return {segment: this.input[at]!, index: at, input: this.input};
	}

	*[Symbol.iterator](): IterableIterator<Segment> {
		const {input} = this;
		for (let index = 0; index < input.length; index++) yield {segment: input[index]!, index, input};
	}
}

/**
 * Stands in for `Intl.Segmenter`: grapheme segmentation skips ICU for text
 * made of single-unit graphemes. The ICU segmenter itself (about 3 ms to
 * create) is made on first use.
 */
export class FastGraphemeSegmenter {
	readonly #locales: string | string[] | undefined;
	readonly #options: Intl.SegmenterOptions | undefined;
	readonly #graphemes: boolean;
	#icu: Intl.Segmenter | undefined;

	constructor(locales?: string | string[], options?: Intl.SegmenterOptions) {
		this.#locales = locales;
		this.#options = options;
		this.#graphemes = (options?.granularity ?? 'grapheme') === 'grapheme';
	}

	#real(): Intl.Segmenter {
		return (this.#icu ??= new icuSegmenter(this.#locales, this.#options));
	}

	segment(input: string): Intl.Segments {
		const text = String(input);
		if (this.#graphemes && singleUnitGraphemes(text)) return new UnitSegments(text) as unknown as Intl.Segments;
		return this.#real().segment(text);
	}

	resolvedOptions(): Intl.ResolvedSegmenterOptions {
		return this.#real().resolvedOptions();
	}

	static supportedLocalesOf(locales: string | string[], options?: {localeMatcher?: 'lookup' | 'best fit'}): string[] {
		return icuSegmenter.supportedLocalesOf(locales, options);
	}
}

const icuSegmenter = Intl.Segmenter;

/**
 * Runs `load` while `Intl.Segmenter` is the fast one, so the segmenters the
 * modules loaded by `load` create at their top level are fast ones; the global
 * is put back after.
 */
export async function withFastGraphemes<T>(load: () => Promise<T>): Promise<T> {
	const original = Object.getOwnPropertyDescriptor(Intl, 'Segmenter');
	if (!original?.configurable) return load();
	Object.defineProperty(Intl, 'Segmenter', {...original, value: FastGraphemeSegmenter});
	try {
		return await load();
	} finally {
		Object.defineProperty(Intl, 'Segmenter', original);
	}
}
