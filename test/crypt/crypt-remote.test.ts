import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {compareKeys} from '../../source/core/paths.js';
import {CryptRemote, type CryptRemoteOptions} from '../../source/crypt/crypt-remote.js';
import {encryptedSize} from '../../source/crypt/format.js';
import {LocalRemote} from '../../source/providers/local.js';
import {collect, readAll, sortKey, storedFiles} from './helpers.js';

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

	it('gives the same byte order whichever subtrees fit the buffer', async () => {
		const dir = path.join(base, 'mixed-sizes');
		const remote = cryptOver(dir);
		const names: string[] = [];
		const segments = ['a', 'B', 'é', 'a b', 'a.b', '_', '0', 'zz'];
		for (let i = 0; i < 60; i++) {
			const depth = i % 4;
			const parts = Array.from({length: depth + 1}, (_, d) => segments[(i * 7 + d * 3) % segments.length] + (d === depth ? `-${i}` : ''));
			names.push(parts.join('/'));
		}
		for (const name of names) await remote.write(name, Readable.from([Buffer.from(name)]), {size: Buffer.byteLength(name), mtime});
		const listings = [];
		for (const limit of [1, 3, 8, 10_000]) listings.push((await collect(cryptOver(dir, {subtreeBufferLimit: limit}).list())).map(sortKey));
		const files = listings[0].filter(key => !key.endsWith('/'));
		expect(files).toEqual([...names].sort(compareKeys));
		expect([...listings[0]].sort(compareKeys)).toEqual(listings[0]);
		for (const listing of listings.slice(1)) expect(listing).toEqual(listings[0]);
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
