import {randomBytes} from 'node:crypto';
import {Readable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {CHUNK_SIZE, cipherRange, encryptedSize, HEADER_SIZE, Nonce, SEALED_CHUNK_SIZE} from '../../source/crypt/format.js';
import {nobleSecretBox, secretBox} from '../../source/crypt/secretbox.js';
import {DecryptStream, EncryptStream, type DecryptOptions} from '../../source/crypt/stream.js';

const key = randomBytes(32);

/** Feeds `data` in pieces of varying sizes so chunk boundaries fall inside input buffers. */
function pieces(data: Buffer, sizes = [1, 7, 65535, 3, 200_000, 4096]): Buffer[] {
	const out: Buffer[] = [];
	let at = 0;
	for (let i = 0; at < data.length; i++) {
		const size = sizes[i % sizes.length];
		out.push(data.subarray(at, at + size));
		at += size;
	}
	return out;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

const encrypt = (data: Buffer, nonce?: Buffer) => collect(Readable.from(pieces(data)).pipe(new EncryptStream(key, {nonce})));
const decrypt = (data: Buffer, options: DecryptOptions = {}) => collect(Readable.from(pieces(data, [5, 70_000, 13])).pipe(new DecryptStream(key, options)));

describe('crypt stream format', () => {
	it('uses the native secretbox, which agrees with the pure-JS one', () => {
		expect(secretBox.name).toBe('sodium-native');
		const nonce = randomBytes(24);
		const plain = randomBytes(1000);
		const a = Buffer.alloc(1016);
		const b = Buffer.alloc(1016);
		secretBox.seal(a, plain, nonce, key);
		nobleSecretBox.seal(b, plain, nonce, key);
		expect(a.equals(b)).toBe(true);
		const back = Buffer.alloc(1000);
		expect(nobleSecretBox.open(back, a, nonce, key)).toBe(true);
		expect(back.equals(plain)).toBe(true);
	});

	it.each([0, 1, 65535, 65536, 65537, 3 * 65536 + 5])('round-trips %i bytes with the exact stored size', async size => {
		const plain = randomBytes(size);
		const sealed = await encrypt(plain);
		expect(sealed.length).toBe(encryptedSize(size));
		expect(sealed.subarray(0, 8).toString('latin1')).toBe('RCLONE\0\0');
		expect((await decrypt(sealed)).equals(plain)).toBe(true);
	});

	it('increments the nonce per chunk as a little-endian integer, carrying through all 24 bytes', async () => {
		const nonce = new Nonce(Buffer.from('ff'.repeat(9) + '00'.repeat(15), 'hex'));
		nonce.increment();
		expect(nonce.bytes.toString('hex')).toBe('00'.repeat(9) + '01' + '00'.repeat(14));
		const added = new Nonce(Buffer.from('fe' + 'ff'.repeat(22) + '00', 'hex'));
		added.add(3);
		expect(added.bytes.toString('hex')).toBe('01' + '00'.repeat(22) + '01');
		const big = new Nonce(Buffer.alloc(24));
		big.add(2 ** 40 + 258);
		expect(big.bytes.subarray(0, 6).toString('hex')).toBe('020100000001');

		// Chunk 1 of a file is sealed under header nonce + 1: decrypting it alone with that nonce works.
		const start = Buffer.from('ff'.repeat(24), 'hex');
		const sealed = await encrypt(randomBytes(2 * CHUNK_SIZE), start);
		const second = sealed.subarray(HEADER_SIZE + SEALED_CHUNK_SIZE);
		const next = new Nonce(start);
		next.add(1);
		expect(next.bytes.equals(Buffer.alloc(24))).toBe(true);
		expect((await decrypt(second, {nonce: next})).length).toBe(CHUNK_SIZE);
	});

	it('maps plaintext ranges to whole stored chunks', () => {
		expect(cipherRange(0, 0)).toEqual({firstChunk: 0, start: 32, end: 32 + 65552 - 1, skip: 0, limit: 1});
		expect(cipherRange(65535, 65536)).toEqual({firstChunk: 0, start: 32, end: 32 + 2 * 65552 - 1, skip: 65535, limit: 2});
		expect(cipherRange(65536 * 3 + 10)).toEqual({firstChunk: 3, start: 32 + 3 * 65552, skip: 10});
	});

	it('detects one flipped byte anywhere and emits nothing from the damaged chunk', async () => {
		const plain = randomBytes(2 * CHUNK_SIZE + 100);
		const sealed = await encrypt(plain);
		for (const [where, chunk] of [[HEADER_SIZE + 5, 0], [HEADER_SIZE + SEALED_CHUNK_SIZE + 40_000, 1], [sealed.length - 1, 2]] as const) {
			const damaged = Buffer.from(sealed);
			damaged[where] ^= 0x01;
			const received: Buffer[] = [];
			const stream = Readable.from(pieces(damaged, [SEALED_CHUNK_SIZE])).pipe(new DecryptStream(key));
			await expect(
				(async () => {
					for await (const part of stream) received.push(part as Buffer);
				})(),
			).rejects.toThrow(`chunk ${chunk} failed authentication`);
			const got = Buffer.concat(received);
			expect(got.length).toBeLessThanOrEqual(chunk * CHUNK_SIZE);
			expect(got.equals(plain.subarray(0, got.length))).toBe(true);
		}
	});

	it('refuses a wrong key, a bad header, a short file and a cut-off last chunk', async () => {
		const sealed = await encrypt(randomBytes(1000));
		await expect(collect(Readable.from([sealed]).pipe(new DecryptStream(randomBytes(32))))).rejects.toThrow('chunk 0 failed authentication');
		const badMagic = Buffer.from(sealed);
		badMagic[0] = 0x72;
		await expect(decrypt(badMagic)).rejects.toThrow('bad header');
		await expect(decrypt(sealed.subarray(0, 20))).rejects.toThrow('bad header');
		await expect(decrypt(sealed.subarray(0, HEADER_SIZE + 10))).rejects.toThrow('truncated');
	});
});
