/**
 * rclone's "obfuscate" file-name mode: a light rotation of each character,
 * keyed by the name key, with the rotation seed written in front
 * ("162.vszzC.HLH"). It hides names from a casual look only; supported so
 * backups made with it can be read and written.
 */
const QUOTE = '!';

function keySum(nameKey: Uint8Array): number {
	let sum = 0;
	for (const byte of nameKey) sum += byte;
	return sum;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** A-Z then a-z as positions 0..51. */
const letterIndex = (c: number) => (c >= 0x61 ? c - 0x61 + 26 : c - 0x41);
const letterAt = (i: number) => String.fromCodePoint(i >= 26 ? 0x61 + i - 26 : 0x41 + i);
const validCodePoint = (c: number) => c <= 0x10ffff && (c < 0xd800 || c > 0xdfff);

export function obfuscateSegment(plain: string, nameKey: Uint8Array): string {
	if (plain === '') return '';
	// Lone surrogates are JavaScript's invalid UTF-8: rclone leaves such names unrotated.
	if (Buffer.from(plain, 'utf8').toString('utf8') !== plain) return `${QUOTE}.${plain}`;
	let seed = 0;
	for (const char of plain) seed += char.codePointAt(0) as number;
	seed %= 256;
	const dir = seed + keySum(nameKey);
	let out = `${seed}.`;
	for (const char of plain) {
		const c = char.codePointAt(0) as number;
		if (char === QUOTE) out += QUOTE + QUOTE;
		else if (isDigit(c)) out += String.fromCodePoint(0x30 + ((c - 0x30 + (dir % 9) + 1) % 10));
		else if (isLetter(c)) out += letterAt((letterIndex(c) + (dir % 25) + 1) % 52);
		else if (c >= 0xa0 && c <= 0xff) out += String.fromCodePoint(0xa0 + ((c - 0xa0 + (dir % 95) + 1) % 96));
		else if (c >= 0x100) {
			const base = c - (c % 256);
			const rotated = base + ((c - base + (dir % 127) + 1) % 256);
			out += validCodePoint(rotated) ? String.fromCodePoint(rotated) : QUOTE + char;
		} else out += char;
	}
	return out;
}

/** Throws a plain Error when `stored` is not an obfuscated name. */
export function deobfuscateSegment(stored: string, nameKey: Uint8Array): string {
	if (stored === '') return '';
	const dot = stored.indexOf('.');
	if (dot < 0) throw new Error('not an obfuscated name');
	const seedText = stored.slice(0, dot);
	if (seedText === QUOTE) return stored.slice(dot + 1);
	if (!/^\d+$/.test(seedText)) throw new Error('not an obfuscated name');
	const dir = Number(seedText) + keySum(nameKey);
	let out = '';
	let quoted = false;
	for (const char of stored.slice(dot + 1)) {
		const c = char.codePointAt(0) as number;
		if (quoted) {
			out += char;
			quoted = false;
		} else if (char === QUOTE) quoted = true;
		else if (isDigit(c)) out += String.fromCodePoint(0x30 + ((c - 0x30 - (dir % 9) - 1 + 20) % 10));
		else if (isLetter(c)) out += letterAt((letterIndex(c) - (dir % 25) - 1 + 104) % 52);
		else if (c >= 0xa0 && c <= 0xff) out += String.fromCodePoint(0xa0 + ((c - 0xa0 - (dir % 95) - 1 + 192) % 96));
		else if (c >= 0x100) {
			const base = c - (c % 256);
			let back = c - (dir % 127) - 1;
			if (back < base) back += 256;
			out += String.fromCodePoint(back);
		} else out += char;
	}
	return out;
}
