import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {compareKeys} from '../../source/core/paths.js';
import {CryptRemote, type CryptRemoteOptions} from '../../source/crypt/crypt-remote.js';
import {encryptedSize} from '../../source/crypt/format.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry} from '../../source/providers/remote.js';

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

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

async function caught(promise: Promise<unknown>): Promise<CloudSyncError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		return error as CloudSyncError;
	}
	throw new Error('expected a CloudSyncError');
}

async function storedFiles(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const dirent of await fs.readdir(dir, {withFileTypes: true, recursive: true})) {
		if (dirent.isFile()) out.push(path.relative(dir, path.join(dirent.parentPath, dirent.name)));
	}
	return out.sort();
}

function cryptOver(dir: string, options: Partial<CryptRemoteOptions> = {}): CryptRemote {
	return new CryptRemote(new LocalRemote(dir), {password, salt, filenameEncryption: 'standard', ...options});
}

const sortKey = (entry: Entry) => (entry.isDir ? `${entry.path}/` : entry.path);

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

describe('CryptRemote over a local folder', () => {
	it('stores encrypted names and the exact encrypted sizes', async () => {
		const stored = await storedFiles(storeDir);
		expect(stored).toHaveLength(tree.length);
		for (const [name, size] of tree) {
			const storedName = await crypt.storedPath(name);
			expect(stored).toContain(storedName);
			expect(storedName.split('/').every(segment => /^[0-9a-v]{26}$/.test(segment)), storedName).toBe(true);
			expect(storedName.split('/')).toHaveLength(name.split('/').length);
			expect((await fs.stat(path.join(storeDir, storedName))).size).toBe(encryptedSize(size));
		}
	});

	it('lists decrypted paths and sizes in byte order, with directories, in both walk strategies', async () => {
		const expected = [...new Set(tree.flatMap(([name]) => name.split('/').map((_, i, parts) => (i === parts.length - 1 ? name : `${parts.slice(0, i + 1).join('/')}/`))))].sort(compareKeys);
		for (const limit of [10_000, 1]) {
			const entries = await collect(cryptOver(storeDir, {subtreeBufferLimit: limit}).list());
			expect(entries.map(sortKey)).toEqual(expected);
			for (const entry of entries.filter(e => !e.isDir)) {
				expect(entry.size).toBe(contents.get(entry.path)?.length);
				expect(entry.mtime).toBe(mtime);
				expect(entry.mode).toBe(0o640);
				expect(entry.hashes).toBeUndefined();
			}
		}
		const sub = await collect(cryptOver(storeDir, {subtreeBufferLimit: 1}).list('a'));
		expect(sub.map(sortKey)).toEqual(['a/b', 'a/c/', 'a/c/d.bin']);
		expect(crypt.features.hashes).toEqual([]);
	});

	it('stats files and directories and reads whole files', async () => {
		expect(await crypt.stat('a/c/d.bin')).toMatchObject({path: 'a/c/d.bin', size: 3 * 65536 + 100, isDir: false, mtime});
		expect(await crypt.stat('z/deep')).toMatchObject({path: 'z/deep', isDir: true, size: 0});
		expect(await crypt.stat('nope')).toBeUndefined();
		for (const [name] of tree) expect((await readAll(await crypt.read(name))).equals(contents.get(name) as Buffer)).toBe(true);
	});

	it('reads ranges across chunk boundaries, fetching only the chunks needed', async () => {
		const plain = contents.get('a/c/d.bin') as Buffer;
		const ranges: Array<[number, number | undefined]> = [
			[0, 0],
			[0, 65535],
			[65535, 65536],
			[65530, 131080],
			[131072, undefined],
			[196607, 196700],
			[196700, 300000],
			[5, undefined],
			[plain.length, undefined],
		];
		for (const [start, end] of ranges) {
			const got = await readAll(await crypt.read('a/c/d.bin', {start, end}));
			const want = plain.subarray(start, end === undefined ? undefined : end + 1);
			expect(got.equals(want), `range ${start}-${end}`).toBe(true);
		}
		// What the inner remote is asked for: the header, then only chunks 2 and 3.
		const asked: Array<{start: number; end?: number} | undefined> = [];
		const inner = new LocalRemote(storeDir);
		const read = inner.read.bind(inner);
		inner.read = (p, range, options) => {
			asked.push(range);
			return read(p, range, options);
		};
		const spy = new CryptRemote(inner, {password, salt, filenameEncryption: 'standard'});
		const got = await readAll(await spy.read('a/c/d.bin', {start: 2 * 65536 + 1, end: 3 * 65536 + 50}));
		expect(got.equals(plain.subarray(2 * 65536 + 1, 3 * 65536 + 51))).toBe(true);
		expect(asked).toEqual([
			{start: 0, end: 31},
			{start: 32 + 2 * 65552, end: 32 + 4 * 65552 - 1},
		]);
	});

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

	it('passes mtime, mode, delete, mkdir and rmdir through to the stored object', async () => {
		const dir = path.join(base, 'meta');
		const remote = cryptOver(dir, {directoryNameEncryption: false});
		await remote.mkdir('folder/sub');
		await remote.write('folder/sub/f', Readable.from([Buffer.from('abc')]), {size: 3, mtime, mode: 0o600});
		expect(await storedFiles(dir)).toEqual([`folder/sub/${(await remote.storedPath('f')).split('/').pop()}`]);
		await remote.setMtime?.('folder/sub/f', mtime + 5000);
		expect(await remote.stat('folder/sub/f')).toMatchObject({mtime: mtime + 5000, mode: 0o600, size: 3});
		await remote.delete('folder/sub/f');
		await remote.rmdir('folder/sub');
		expect(await fs.readdir(path.join(dir, 'folder'))).toEqual([]);
	});

	it('streams a large file through encryption without holding it', async () => {
		const dir = path.join(base, 'large');
		const remote = cryptOver(dir);
		const size = 64 * 1024 * 1024 + 12345;
		const block = randomBytes(1024 * 1024);
		const sent = createHash('sha256');
		async function* source() {
			for (let left = size; left > 0; left -= block.length) {
				const part = block.subarray(0, Math.min(block.length, left));
				sent.update(part);
				yield part;
			}
		}
		await remote.write('big', Readable.from(source()), {size, mtime});
		const received = createHash('sha256');
		for await (const chunk of await remote.read('big')) received.update(chunk as Buffer);
		expect(received.digest('hex')).toBe(sent.digest('hex'));
		expect((await remote.stat('big'))?.size).toBe(size);
	});
});
