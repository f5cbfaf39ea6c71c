/**
 * string-width for Ink, answered at once for the text this app draws.
 *
 * Ink measures every line of every frame with string-width. For plain ASCII
 * it answers at once, but one `›`, `│` or `…` in a line sends it through a
 * grapheme walk and an emoji regular expression per character: about 0.1 ms a
 * line, and 40 ms for the first call, which compiles the expression (most of
 * the first frame). Our rows always hold such a character.
 *
 * The bundle (source/build/library-patches.ts) points Ink's imports of string-width
 * here. A line made only of printable ASCII, the narrow symbols below and
 * colour escapes is one column per UTF-16 unit that is not part of an escape;
 * anything else goes to string-width itself.
 * test/ui/string-width.test.ts checks every listed symbol against it.
 */
import stringWidthOriginal from 'string-width';

type Options = {ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean};

/** Code points below this that are one column wide, neither emoji nor ignorable, with ambiguous width counted narrow. */
const tableSize = 0x2800;
const narrow = new Uint8Array(tableSize);

function allow(from: number, to = from): void {
	for (let code = from; code <= to; code++) narrow[code] = 1;
}

allow(0x20, 0x7e); // printable ASCII
allow(0xb5); // µ
allow(0xb7); // ·
allow(0x2010, 0x2027); // dashes, quotes, bullets, ellipsis
allow(0x2039, 0x203a); // ‹ ›
allow(0x2190, 0x2193); // ← ↑ → ↓
allow(0x2500, 0x259f); // box drawing, block elements
allow(0x25b2, 0x25b3); // ▲ △
allow(0x25bc, 0x25bf); // ▼ ▽ ▾ ▿
allow(0x25cb); // ○
allow(0x25cf); // ●
allow(0x2713); // ✓
allow(0x2717); // ✗

/** The code points measured here (for the tests). */
export function narrowSymbols(): number[] {
	return Array.from(narrow.keys()).filter(code => narrow[code] === 1);
}

/** The index after the colour escape (ESC [ digits-and-semicolons m) that starts at `start`, or -1. */
function colourEscapeEnd(text: string, start: number): number {
	if (text.charCodeAt(start + 1) !== 0x5b) return -1;
	for (let i = start + 2; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code === 0x6d) return i + 1;
		if ((code < 0x30 || code > 0x39) && code !== 0x3b) return -1;
	}
	return -1;
}

export default function stringWidth(text: string, options?: Options): number {
	if (typeof text !== 'string' || options !== undefined) return stringWidthOriginal(text, options);
	// Ink measures coloured text too: its colour escapes take no columns.
	let width = 0;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < tableSize && narrow[code] === 1) {
			width++;
			continue;
		}
		const end = code === 0x1b ? colourEscapeEnd(text, i) : -1;
		if (end === -1) return stringWidthOriginal(text);
		i = end - 1;
	}
	return width;
}
