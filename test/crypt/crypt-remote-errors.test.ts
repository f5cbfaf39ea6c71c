import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CryptRemote, type CryptRemoteOptions} from '../../source/crypt/crypt-remote.js';
import {LocalRemote} from '../../source/providers/local.js';
import {caught, collect, readAll, sortKey, storedFiles} from './helpers.js';

const password = 'correct horse';
const salt = 'pepper';
let base: string;
let storeDir: string;
let crypt: CryptRemote;
const contents = new Map<string, Buffer>();
const mtime = Date.UTC(2024, 0, 2, 3, 4, 5);

// Names chosen so that plain byte order, "dir/" ordering and encrypted order all disagree.
const tree: Array<[string, number]> = [
	['a.txt', 10],
	['a/b', 1],
	['a/c/d.bin', 3 * 65536 + 100],
	['a-b', 0],
	['a0', 65536],
	['B', 65537],
	['z/deep/er/file', 5],
	['\u{1F600}', 7],
	['é/x', 2],
	['ab', 3],
];

function cryptOver(dir: string, options: Partial<CryptRemoteOptions> = {}): CryptRemote {
	return new CryptRemote(new LocalRemote(dir), {password, salt, filenameEncryption: 'standard', ...options});
}

beforeAll(async () => {
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-crypt-'));
	storeDir = path.join(base, 'store');
	crypt = cryptOver(storeDir);
	for (const [name, size] of tree) {
		const data = randomBytes(size);
		contents.set(name, data);
		const entry = await crypt.write(name, Readable.from([data]), {size, mtime, mode: 0o640});
		expect(entry).toMatchObject({path: name, size, isDir: false});
	}
});

afterAll(async () => {
	await fs.rm(base, {recursive: true, force: true});
});

describe('CryptRemote over a local folder: damage, wrong keys, bad names', () => {
	it('detects a flipped byte with a clear error and writes nothing at the destination', async () => {
		const dir = path.join(base, 'tamper');
		const remote = cryptOver(dir);
		const data = randomBytes(200_000);
		await remote.write('victim.bin', Readable.from([data]), {size: data.length, mtime});
		const stored = path.join(dir, await remote.storedPath('victim.bin'));
		const bytes = await fs.readFile(stored);
		bytes[32 + 65552 + 1000] ^= 0x40;
		await fs.writeFile(stored, bytes);

		const error = await caught(readAll(await remote.read('victim.bin')));
		expect(error.kind).toBe('corrupt');
		expect(error.message).toBe('Cannot decrypt "victim.bin": chunk 1 failed authentication, so the stored data was changed or damaged after encryption.');

		const restoreDir = path.join(base, 'restore');
		const local = new LocalRemote(restoreDir);
		const failed = await caught(local.write('victim.bin', await remote.read('victim.bin'), {size: data.length, mtime}));
		expect(failed.message).toContain('chunk 1 failed authentication');
		expect(await fs.readdir(restoreDir)).toEqual([]);
		// Ranges that avoid the damaged chunk still read.
		expect((await readAll(await remote.read('victim.bin', {start: 140_000, end: 140_010}))).equals(data.subarray(140_000, 140_011))).toBe(true);
	});

	it('names a damaged header or a cut-off file as damage, not as a wrong password', async () => {
		const dir = path.join(base, 'damage');
		const remote = cryptOver(dir);
		const data = randomBytes(3 * 65536);
		await remote.write('f.bin', Readable.from([data]), {size: data.length, mtime});
		const stored = path.join(dir, await remote.storedPath('f.bin'));
		const good = await fs.readFile(stored);
		const badMagic = Buffer.from(good);
		badMagic[3] ^= 0x20;
		await fs.writeFile(stored, badMagic);
		const header = 'Cannot decrypt "f.bin": it does not start with an rclone crypt header, so it is damaged or was not written by crypt.';
		expect((await caught(readAll(await remote.read('f.bin')))).message).toBe(header);
		expect((await caught(remote.read('f.bin', {start: 2 * 65536}).then(readAll))).message).toBe(header);
		await fs.writeFile(stored, good.subarray(0, good.length - 65552 + 10));
		const cut = await caught(readAll(await remote.read('f.bin')));
		expect([cut.kind, cut.message]).toEqual(['corrupt', 'Cannot decrypt "f.bin": the stored file is cut short (its last chunk is incomplete); restore it from another copy.']);
	});

	it('fails a wrong password or salt with the exact sentence, in list, verify and read', async () => {
		const sentence = 'cannot decrypt: wrong password or salt, or not an encrypted remote';
		for (const wrong of [cryptOver(storeDir, {password: 'nope'}), cryptOver(storeDir, {salt: ''})]) {
			const errors: string[] = [];
			const listing = await caught(collect(wrong.list('', {onError: where => errors.push(where)})));
			expect([listing.kind, listing.message]).toEqual(['auth', sentence]);
			expect(errors).toEqual([]);
			expect((await caught(wrong.verify())).message).toBe(sentence);
		}
		// With names off the content is what proves the key.
		const offDir = path.join(base, 'off');
		await cryptOver(offDir, {filenameEncryption: 'off'}).write('plain-name.txt', Readable.from([Buffer.from('secret')]), {size: 6, mtime});
		expect(await storedFiles(offDir)).toEqual(['plain-name.txt.bin']);
		const wrongOff = cryptOver(offDir, {filenameEncryption: 'off', password: 'nope'});
		expect((await collect(wrongOff.list())).map(e => e.path)).toEqual(['plain-name.txt']);
		expect((await caught(readAll(await wrongOff.read('plain-name.txt')))).message).toBe(sentence);
		expect((await caught(wrongOff.verify())).message).toBe(sentence);
		await cryptOver(offDir, {filenameEncryption: 'off'}).verify();
		await crypt.verify();
		// A file that is not encrypted at all.
		await fs.writeFile(path.join(offDir, 'other.bin'), 'just text, not encrypted');
		expect((await caught(readAll(await cryptOver(offDir, {filenameEncryption: 'off'}).read('other')))).message).toBe(sentence);
	});

	it('reports and skips names that do not decrypt without stopping the walk', async () => {
		const dir = path.join(base, 'mixed');
		const remote = cryptOver(dir);
		await remote.write('keep/me.txt', Readable.from([Buffer.from('x')]), {size: 1, mtime});
		await remote.write('top.txt', Readable.from([Buffer.from('y')]), {size: 1, mtime});
		const storedKeepDir = (await remote.storedPath('keep/me.txt')).split('/')[0];
		await fs.writeFile(path.join(dir, 'README.txt'), 'junk');
		await fs.writeFile(path.join(dir, storedKeepDir, 'notes'), 'junk');
		await fs.mkdir(path.join(dir, 'plain-dir'));
		await fs.writeFile(path.join(dir, 'plain-dir', 'f'), 'junk');
		const goodName = await remote.storedPath('top.txt');
		await fs.writeFile(path.join(dir, storedKeepDir, goodName), 'wrong size'); // 10 bytes: no encrypted file has that size
		for (const limit of [10_000, 1]) {
			const problems: Array<[string, string]> = [];
			const entries = await collect(cryptOver(dir, {subtreeBufferLimit: limit, onError: (where, error) => problems.push([where, error.message])}).list());
			expect(entries.map(sortKey)).toEqual(['keep/', 'keep/me.txt', 'keep/top.txt', 'top.txt'].filter(k => k !== 'keep/top.txt'));
			expect(problems.map(([where]) => where).sort()).toEqual(['README.txt', `${storedKeepDir}/${goodName}`, `${storedKeepDir}/notes`, 'plain-dir'].sort());
			expect(problems.find(([where]) => where === 'README.txt')?.[1]).toBe('Skipped "README.txt": its name does not decrypt with this password and salt.');
			expect(problems.find(([where]) => where.endsWith(goodName) && where.includes('/'))?.[1]).toContain('stored size (10 bytes)');
		}
	});

	it('refuses names longer than the format allows, naming the file and the limit', async () => {
		const dir = path.join(base, 'long');
		const remote = cryptOver(dir);
		const ok = 'n'.repeat(143);
		await remote.write(`d/${ok}`, Readable.from([Buffer.from('1')]), {size: 1, mtime});
		expect((await remote.stat(`d/${ok}`))?.size).toBe(1);
		const tooLong = `d/${'n'.repeat(144)}`;
		const error = await caught(remote.write(tooLong, Readable.from([Buffer.from('1')]), {size: 1, mtime}));
		expect(error.kind).toBe('permanent');
		expect(error.message).toContain(`"${tooLong}"`);
		expect(error.message).toContain('at most 143 bytes with base32 file name encoding');
		expect((await caught(remote.mkdir(`${'é'.repeat(72)}/x`))).message).toContain('is 144 bytes');
		const base64 = cryptOver(dir, {filenameEncoding: 'base64'});
		await base64.write('n'.repeat(175), Readable.from([Buffer.from('1')]), {size: 1, mtime});
		expect((await caught(base64.write('n'.repeat(176), Readable.from([]), {size: 0, mtime}))).message).toContain('at most 175 bytes');
		expect((await caught(cryptOver(dir, {filenameEncryption: 'off'}).write('n'.repeat(252), Readable.from([]), {size: 0, mtime}))).message).toContain(
			'at most 251 bytes with file name encryption off',
		);
	});
});
