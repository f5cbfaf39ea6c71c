import {decode as decode32768, encode as encode32768} from 'base32768';

export type FilenameEncoding = 'base32' | 'base64' | 'base32768';

export type NameEncoder = {
	encode(bytes: Buffer): string;
	/** Throws on text that is not valid in this encoding. */
	decode(text: string): Buffer;
	/** Characters needed for `bytes` bytes. */
	encodedLength(bytes: number): number;
};

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/** RFC 4648 base32hex, lower case, without padding; decoding ignores case like rclone. */
const base32hex: NameEncoder = {
	encode(bytes) {
		let out = '';
		let bits = 0;
		let value = 0;
		for (const byte of bytes) {
			value = (value << 8) | byte;
			bits += 8;
			while (bits >= 5) {
				bits -= 5;
				out += BASE32HEX[(value >>> bits) & 31];
			}
			value &= (1 << bits) - 1;
		}
		if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
		return out;
	},
	decode(text) {
		// Lengths that no whole number of bytes encodes to.
		if ([1, 3, 6].includes(text.length % 8)) throw new Error('bad base32 length');
		const out: number[] = [];
		let bits = 0;
		let value = 0;
		for (const char of text.toLowerCase()) {
			const digit = BASE32HEX.indexOf(char);
			if (digit < 0) throw new Error('bad base32 character');
			value = ((value << 5) | digit) & 0xffff;
			bits += 5;
			if (bits >= 8) {
				bits -= 8;
				out.push((value >>> bits) & 0xff);
			}
		}
		return Buffer.from(out);
	},
	encodedLength: bytes => Math.ceil((bytes * 8) / 5),
};

/** URL-safe base64 without padding (Go's RawURLEncoding). */
const base64url: NameEncoder = {
	encode: bytes => bytes.toString('base64url'),
	decode(text) {
		if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('bad base64 text');
		return Buffer.from(text, 'base64url');
	},
	encodedLength: bytes => Math.ceil((bytes * 4) / 3),
};

/** base32768: 15 bits per UTF-16 character, for remotes that count characters. */
const base32768: NameEncoder = {
	encode: bytes => encode32768(bytes),
	decode: text => Buffer.from(decode32768(text)),
	encodedLength: bytes => Math.ceil((bytes * 8) / 15),
};

export const NAME_ENCODERS: Record<FilenameEncoding, NameEncoder> = {base32: base32hex, base64: base64url, base32768};
