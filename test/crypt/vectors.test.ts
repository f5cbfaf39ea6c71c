import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {Readable} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {decryptedSize, encryptedSize} from '../../source/crypt/format.js';
import {deriveKeys, RCLONE_DEFAULT_SALT} from '../../source/crypt/keys.js';
import {NameCipher, UndecryptableNameError} from '../../source/crypt/names.js';
import {DecryptStream} from '../../source/crypt/stream.js';
import {CloudSyncError} from '../../source/core/errors.js';

const fixtures = new URL('../fixtures/rclone-crypt/', import.meta.url);
type NameVector = {mode: string; encoding?: string; plain: string; encrypted: string; salt?: string; directory_name_encryption?: boolean};
type FileVector = {file: string; plain_name: string; size: number; plain_content_utf8?: string; plain_size?: number; plain_sha256?: string};
const vectors = JSON.parse(readFileSync(new URL('vectors.json', fixtures), 'utf8')) as {
	password: string;
	salt: string;
	names: NameVector[];
	files: FileVector[];
};

async function decrypt(data: Buffer, key: Uint8Array, pieces = 1): Promise<Buffer> {
	const step = Math.ceil(data.length / pieces);
	const parts = Array.from({length: pieces}, (_, i) => data.subarray(i * step, (i + 1) * step));
	const out: Buffer[] = [];
	for await (const chunk of Readable.from(parts).pipe(new DecryptStream(key))) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

describe('rclone crypt known answers', () => {
	it('derives 32/32/16-byte keys with scrypt and falls back to rclone\'s built-in salt', async () => {
		const keys = await deriveKeys(vectors.password, vectors.salt);
		expect([keys.dataKey.length, keys.nameKey.length, keys.nameTweak.length]).toEqual([32, 32, 16]);
		const builtIn = await deriveKeys(vectors.password, '');
		const explicit = await deriveKeys(vectors.password, RCLONE_DEFAULT_SALT.toString('latin1'));
		expect(builtIn.dataKey.equals(keys.dataKey)).toBe(false);
		// The built-in salt has bytes above 0x7f, so it cannot be typed as a UTF-8 string: only '' reaches it.
		expect(explicit.dataKey.equals(builtIn.dataKey)).toBe(false);
		await expect(deriveKeys('', 'x')).rejects.toThrow(CloudSyncError);
	});

	const everyMode = vectors.names;
	it.each(everyMode.map(vector => [`${vector.mode} ${vector.encoding ?? ''} ${vector.plain} salt=${vector.salt ?? vectors.salt} dirs=${vector.directory_name_encryption ?? true}`, vector]))(
		'name %s',
		async (_label, vector) => {
			const keys = await deriveKeys(vectors.password, vector.salt ?? vectors.salt);
			const names = new NameCipher(keys, {
				filenameEncryption: vector.mode as 'standard' | 'obfuscate' | 'off',
				filenameEncoding: vector.encoding as 'base32' | 'base64' | 'base32768' | undefined,
				directoryNameEncryption: vector.directory_name_encryption,
			});
			expect(names.encryptFile(vector.plain)).toBe(vector.encrypted);
			expect(names.decryptPath(vector.encrypted, false)).toBe(vector.plain);
		},
	);

	it('covers every required mode in the vectors', () => {
		const modes = new Set(everyMode.map(vector => `${vector.mode}/${vector.encoding ?? ''}/${vector.directory_name_encryption ?? true}/${vector.salt ?? 'salt'}`));
		expect([...modes].sort()).toEqual(['obfuscate//true/salt', 'off//true/salt', 'standard/base32/true/', 'standard/base32/false/salt', 'standard/base32/true/salt', 'standard/base32768/true/salt', 'standard/base64/true/salt'].sort());
	});

	it('decodes base32 names in any letter case, as rclone does', async () => {
		const names = new NameCipher(await deriveKeys(vectors.password, vectors.salt), {filenameEncryption: 'standard'});
		expect(names.decryptPath('9PH489UQIU6HPPKCBP0G4328C4', false)).toBe('hello.txt');
	});

	it('obfuscates and restores digits, letters, Latin-1, other Unicode and the quote character', async () => {
		const names = new NameCipher(await deriveKeys(vectors.password, vectors.salt), {filenameEncryption: 'obfuscate'});
		for (const plain of ['Report 2024!.pdf', 'ÀÉîõü ÿ', '日本語 ñ', '\u{1F600}x', 'a!!b', '9', '\u{10FFFF}']) {
			const stored = names.encryptSegment(plain);
			expect(stored).not.toBe(plain);
			expect(names.decryptSegment(stored)).toBe(plain);
		}
		expect(() => names.decryptSegment('no-dot')).toThrow();
	});

	it('rejects names that are not rclone-encrypted', async () => {
		const names = new NameCipher(await deriveKeys(vectors.password, vectors.salt), {filenameEncryption: 'standard'});
		for (const bad of ['hello.txt', 'abc', '9ph489uqiu6hppkcbp0g4329c4', '9ph489uqiu6hppkc', 'zz!']) {
			expect(() => names.decryptPath(bad, false)).toThrow(UndecryptableNameError);
		}
		const off = new NameCipher(await deriveKeys(vectors.password, vectors.salt), {filenameEncryption: 'off'});
		expect(() => off.decryptPath('hello.txt', false)).toThrow(UndecryptableNameError);
		expect(() => off.decryptPath('.bin', false)).toThrow(UndecryptableNameError);
	});

	it.each(vectors.files.map(file => [file.plain_name, file]))('decrypts the rclone-made file %s byte for byte', async (_name, file) => {
		const keys = await deriveKeys(vectors.password, vectors.salt);
		const names = new NameCipher(keys, {filenameEncryption: 'standard'});
		const stored = file.file.replace('encrypted/', '');
		expect(names.decryptPath(stored, false)).toBe(file.plain_name);
		const data = readFileSync(new URL(file.file, fixtures));
		expect(data.length).toBe(file.size);
		const plainSize = file.plain_size ?? Buffer.byteLength(file.plain_content_utf8 ?? '');
		expect(decryptedSize(file.size)).toBe(plainSize);
		expect(encryptedSize(plainSize)).toBe(file.size);
		for (const pieces of [1, 7]) {
			const plain = await decrypt(data, keys.dataKey, pieces);
			expect(plain.length).toBe(plainSize);
			if (file.plain_content_utf8 !== undefined) expect(plain.toString('utf8')).toBe(file.plain_content_utf8);
			if (file.plain_sha256) expect(createHash('sha256').update(plain).digest('hex')).toBe(file.plain_sha256);
		}
	});

	it('size formula: encrypted = 32 + n + 16 * ceil(n / 65536), and impossible sizes are refused', () => {
		for (const n of [0, 1, 65535, 65536, 65537, 131072, 10 * 1024 ** 3]) {
			expect(encryptedSize(n)).toBe(32 + n + 16 * Math.ceil(n / 65536));
			expect(decryptedSize(encryptedSize(n))).toBe(n);
		}
		for (const impossible of [0, 31, 33, 48, 32 + 65552 + 16]) expect(decryptedSize(impossible)).toBeUndefined();
	});
});
