import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {compareKeys} from '../../source/core/paths.js';
import {dropboxContentHash} from '../../source/providers/dropbox-hash.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry} from '../../source/providers/remote.js';
import {caught} from '../support/errors.js';

let root: string;
let outside: string;

beforeEach(async () => {
	const base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-local-'));
	root = path.join(base, 'root');
	outside = path.join(base, 'outside');
	await fs.mkdir(root);
	await fs.mkdir(outside);
});

afterEach(async () => {
	await fs.rm(path.dirname(root), {recursive: true, force: true});
});

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

async function put(name: string, content = name): Promise<void> {
	const full = path.join(root, name);
	await fs.mkdir(path.dirname(full), {recursive: true});
	await fs.writeFile(full, content);
}

const sortKey = (e: Entry) => (e.isDir ? `${e.path}/` : e.path);

describe('list', () => {
	test('yields files and folders byte-ordered by full path, a folder sorting as name + "/"', async () => {
		const names = ['a.txt', 'a/b', 'a/c/d', 'a-b', 'a0', 'B', 'z', '\u{1F600}', '\uFFFD', 'é/x', 'ab'];
		for (const name of names) await put(name);
		await fs.mkdir(path.join(root, 'empty'));
		const entries = await collect(new LocalRemote(root).list());
		const keys = entries.map(sortKey);
		expect(keys).toEqual([
			'B',
			'a-b',
			'a.txt',
			'a/',
			'a/b',
			'a/c/',
			'a/c/d',
			'a0',
			'ab',
			'empty/',
			'z',
			'é/',
			'é/x',
			'\uFFFD',
			'\u{1F600}',
		]);
		// The same order as sorting the UTF-8 bytes.
		const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
		expect(keys).toEqual(bytes);
		expect([...keys].sort(compareKeys)).toEqual(keys);
		const file = entries.find(e => e.path === 'a/c/d')!;
		expect(file).toMatchObject({isDir: false, size: 5});
		expect(entries.find(e => e.path === 'empty')).toMatchObject({isDir: true, size: 0});
	});

	test('lists a sub-folder with paths relative to the root', async () => {
		await put('x/y/z.txt');
		await put('x/w');
		await put('other');
		const entries = await collect(new LocalRemote(root).list('x'));
		expect(entries.map(sortKey)).toEqual(['x/w', 'x/y/', 'x/y/z.txt']);
	});

	test('reports nanosecond stat times as milliseconds and the POSIX mode', async () => {
		await put('f');
		await fs.chmod(path.join(root, 'f'), 0o640);
		execFileSync('touch', ['-d', '@1700000000.123456789', path.join(root, 'f')]);
		const [entry] = await collect(new LocalRemote(root).list());
		expect(entry.mtime).toBeCloseTo(1700000000123.456789, 3);
		expect(entry.mtimeNs).toBe(1700000000123456789n);
		expect(entry.mode).toBe(0o640);
		// Before 1970 too: whole seconds round down, the nanoseconds count up from there.
		execFileSync('touch', ['-d', '@-1.25', path.join(root, 'f')]);
		const [old] = await collect(new LocalRemote(root).list());
		expect(old.mtimeNs).toBe(-1250000000n);
		expect(old.mtime).toBe(-1250);
	});

	test('a folder of 1,000 files (several stat batches) lists in order with each file\'s exact time, size and owner', async () => {
		const names = Array.from({length: 1000}, (_, i) => `many/${String(i).padStart(4, '0')}.txt`);
		await fs.mkdir(path.join(root, 'many'));
		await Promise.all(names.map((name, i) => fs.writeFile(path.join(root, name), 'x'.repeat(i % 7))));
		const entries = (await collect(new LocalRemote(root).list())).filter(e => !e.isDir);
		expect(entries.map(e => e.path)).toEqual(names);
		for (const [i, entry] of entries.entries()) {
			const stats = await fs.stat(path.join(root, entry.path), {bigint: true});
			expect(entry).toMatchObject({size: i % 7, mtimeNs: stats.mtimeNs, uid: Number(stats.uid), gid: Number(stats.gid), mode: Number(stats.mode) & 0o7777});
		}
	});

	test('skips symlinks unless asked to follow them, and follows with loop protection', async () => {
		await put('real/file.txt');
		await fs.writeFile(path.join(outside, 'o.txt'), 'outside');
		await fs.symlink(path.join(root, 'real'), path.join(root, 'link-dir'));
		await fs.symlink(path.join(outside, 'o.txt'), path.join(root, 'link-file'));
		await fs.symlink(root, path.join(root, 'real', 'loop'));
		await fs.symlink(path.join(root, 'missing'), path.join(root, 'broken'));
		expect((await collect(new LocalRemote(root).list())).map(sortKey)).toEqual(['real/', 'real/file.txt']);

		const errors: Array<[string, string]> = [];
		const following = new LocalRemote(root, {followSymlinks: true, onError: (p, e) => errors.push([p, e.message])});
		const entries = await collect(following.list());
		expect(entries.map(sortKey)).toEqual(['link-dir/', 'link-dir/file.txt', 'link-dir/loop/', 'link-file', 'real/', 'real/file.txt', 'real/loop/']);
		expect(entries.find(e => e.path === 'link-file')?.size).toBe(7);
		expect(errors.map(e => e[0]).sort()).toEqual(['broken', 'link-dir/loop', 'real/loop']);
		expect(errors.find(e => e[0] === 'real/loop')?.[1]).toMatch(/loop/);
	});

	test('skips sockets and FIFOs without an error', async () => {
		await put('file');
		execFileSync('mkfifo', [path.join(root, 'fifo')]);
		const entries = await collect(new LocalRemote(root, {onError: (p) => {
			throw new Error(`unexpected error for ${p}`);
		}}).list());
		expect(entries.map(e => e.path)).toEqual(['file']);
	});

	test('a missing root is a clear not_found error, not an empty listing', async () => {
		const error = await caught(collect(new LocalRemote(path.join(root, 'nope')).list()));
		expect(error.kind).toBe('not_found');
		expect(error.message).toMatch(/does not exist/);
	});

	test('an unreadable folder is reported through onError and the walk goes on (or throws without a handler)', async () => {
		// Root ignores permissions, so the listing runs as an unprivileged user there.
		await put('a/ok.txt');
		await put('locked/secret.txt');
		await put('z.txt');
		await fs.chmod(path.join(root, 'locked'), 0o000);
		const moduleUrl = new URL('../../source/providers/local.ts', import.meta.url).href;
		const script = `
			const {LocalRemote} = await import(${JSON.stringify(moduleUrl)});
			const errors = [];
			const seen = [];
			for await (const e of new LocalRemote(${JSON.stringify(root)}, {onError: (p, e) => errors.push([p, e.kind, e.message])}).list()) seen.push(e.path);
			let thrown;
			try { for await (const e of new LocalRemote(${JSON.stringify(root)}).list()) {} } catch (e) { thrown = [e.kind, e.message]; }
			console.log(JSON.stringify({seen, errors, thrown}));`;
		const asRoot = process.getuid?.() === 0;
		if (asRoot) await fs.chmod(path.dirname(root), 0o755);
		const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
			cwd: fileURLToPath(new URL('../..', import.meta.url)),
			encoding: 'utf8',
			...(asRoot ? {uid: 65534, gid: 65534, env: {...process.env, HOME: os.tmpdir(), TSX_DISABLE_CACHE: '1'}} : {}),
		});
		const result = JSON.parse(output) as {seen: string[]; errors: Array<[string, string, string]>; thrown: [string, string]};
		expect(result.seen).toEqual(['a', 'a/ok.txt', 'locked', 'z.txt']);
		expect(result.errors).toHaveLength(1);
		expect(result.errors[0][0]).toBe('locked');
		expect(result.errors[0][1]).toBe('access_denied');
		expect(result.errors[0][2]).toMatch(/permission denied/);
		expect(result.thrown[0]).toBe('access_denied');
		await fs.chmod(path.join(root, 'locked'), 0o755);
	});
});

describe('write', () => {
	test('writes atomically with the mtime, mode and content, creating folders', async () => {
		const remote = new LocalRemote(root);
		const content = Buffer.from('hello world');
		const mtime = 1600000000123.457;
		const entry = await remote.write('deep/er/file.bin', Readable.from([content]), {
			size: content.length,
			mtime,
			mode: 0o604,
			hashes: {md5: createHash('md5').update(content).digest('hex')},
		});
		expect(entry).toMatchObject({path: 'deep/er/file.bin', size: 11, isDir: false, mode: 0o604});
		// An exact time given is kept to the nanosecond.
		await remote.write('exact.bin', Readable.from([content]), {size: content.length, mtime: 1600000000123.4568, mtimeNs: 1600000000123456789n});
		expect((await fs.stat(path.join(root, 'exact.bin'), {bigint: true})).mtimeNs).toBe(1600000000123456789n);
		await remote.setMtime('exact.bin', 1500000000000, 1500000000000000001n);
		expect((await remote.stat('exact.bin'))?.mtimeNs).toBe(1500000000000000001n);
		await fs.rm(path.join(root, 'exact.bin'));
		expect(Math.abs(entry.mtime - mtime)).toBeLessThan(remote.features.precisionMs);
		expect(await fs.readFile(path.join(root, 'deep/er/file.bin'))).toEqual(content);
		const stat = await remote.stat('deep/er/file.bin');
		expect(Math.abs(stat!.mtime - mtime)).toBeLessThan(0.001);
		expect(await fs.readdir(path.join(root, 'deep/er'))).toEqual(['file.bin']);
		expect(await remote.hash('deep/er/file.bin', 'md5')).toBe(createHash('md5').update(content).digest('hex'));
		expect(await remote.hash('deep/er/file.bin', 'sha256')).toBe(createHash('sha256').update(content).digest('hex'));
	});

	test('hashes a file the way Dropbox does (sha256 over the sha256 of each 4 MiB block)', async () => {
		const remote = new LocalRemote(root);
		const data = Buffer.alloc(9 * 1024 * 1024 + 5);
		for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
		await fs.writeFile(path.join(root, 'blocks.bin'), data);
		expect(await remote.hash('blocks.bin', 'dropbox')).toBe(dropboxContentHash(data));
		const blocks = [0, 1, 2].map(i => createHash('sha256').update(data.subarray(i * 4 * 1024 * 1024, (i + 1) * 4 * 1024 * 1024)).digest());
		expect(await remote.hash('blocks.bin', 'dropbox')).toBe(createHash('sha256').update(Buffer.concat(blocks)).digest('hex'));
	});

	test('a cancelled listing ends with an aborted error', async () => {
		await put('a/1');
		await put('b/2');
		const controller = new AbortController();
		const seen: string[] = [];
		const error = await caught((async () => {
			for await (const entry of new LocalRemote(root).list('', {signal: controller.signal})) {
				seen.push(entry.path);
				controller.abort();
			}
		})());
		expect(error.kind).toBe('aborted');
		expect(seen).toEqual(['a']);
	});

	test('an aborted write leaves neither the final file nor a temp file', async () => {
		const remote = new LocalRemote(root);
		await put('keep.txt', 'old content');
		const body = new PassThrough();
		const controller = new AbortController();
		const writing = remote.write('keep.txt', body, {size: 1000, mtime: Date.now(), signal: controller.signal});
		body.write(Buffer.alloc(500, 1));
		await new Promise(r => setTimeout(r, 50));
		controller.abort();
		const error = await caught(writing);
		expect(error.kind).toBe('aborted');
		expect(await fs.readdir(root)).toEqual(['keep.txt']);
		expect(await fs.readFile(path.join(root, 'keep.txt'), 'utf8')).toBe('old content');
	});

	test('a source stream that fails, a short body or a wrong hash leaves nothing behind', async () => {
		const remote = new LocalRemote(root);
		const failing = new Readable({
			read() {
				this.destroy(new Error('disk read error'));
			},
		});
		await caught(remote.write('a', failing, {size: 10, mtime: 0}));
		const short = await caught(remote.write('b', Readable.from([Buffer.from('abc')]), {size: 10, mtime: 0}));
		expect(short.message).toMatch(/expected 10 bytes, got 3/);
		const corrupt = await caught(remote.write('c', Readable.from([Buffer.from('abc')]), {size: 3, mtime: 0, hashes: {md5: '0'.repeat(32)}}));
		expect(corrupt.kind).toBe('corrupt');
		expect(await fs.readdir(root)).toEqual([]);
	});

	test('refuses unsafe names in every method', async () => {
		const remote = new LocalRemote(root);
		for (const name of ['../escape', 'a/../../b', '/etc/passwd', 'a\\b', 'a//b', 'nul\u0000', '.', 'a/./b']) {
			const error = await caught(remote.write(name, Readable.from([Buffer.from('x')]), {size: 1, mtime: 0}));
			expect(error.kind).toBe('unsafe_path');
			expect(error.message).toMatch(/^refused the name/);
			expect((await caught(remote.delete(name))).kind).toBe('unsafe_path');
			expect((await caught(remote.mkdir(name))).kind).toBe('unsafe_path');
			expect((await caught(remote.stat(name))).kind).toBe('unsafe_path');
			expect((await caught(remote.read(name))).kind).toBe('unsafe_path');
		}
		expect(await fs.readdir(path.dirname(root))).toEqual(['outside', 'root']);
	});

	test('refuses to write, delete or create folders through a symlink that leads outside the root', async () => {
		await fs.symlink(outside, path.join(root, 'escape'));
		await fs.writeFile(path.join(outside, 'victim'), 'precious');
		await fs.mkdir(path.join(root, 'inside'));
		await fs.symlink(path.join(root, 'inside'), path.join(root, 'inner-link'));
		const remote = new LocalRemote(root);
		const write = await caught(remote.write('escape/new/file', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0}));
		expect(write.kind).toBe('unsafe_path');
		expect(write.message).toMatch(/leads outside/);
		expect((await caught(remote.delete('escape/victim'))).kind).toBe('unsafe_path');
		expect((await caught(remote.mkdir('escape/dir'))).kind).toBe('unsafe_path');
		expect((await caught(remote.setMtime('escape/victim', 0))).kind).toBe('unsafe_path');
		expect(await fs.readdir(outside)).toEqual(['victim']);
		expect(await fs.readFile(path.join(outside, 'victim'), 'utf8')).toBe('precious');
		// A symlink that stays inside the root is fine.
		await remote.write('inner-link/ok', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0});
		expect(await fs.readFile(path.join(root, 'inside', 'ok'), 'utf8')).toBe('x');
	});

	test('writing over a symlink replaces the link, not the file it points to', async () => {
		await fs.writeFile(path.join(outside, 'victim'), 'precious');
		await fs.symlink(path.join(outside, 'victim'), path.join(root, 'name'));
		await new LocalRemote(root).write('name', Readable.from([Buffer.from('new')]), {size: 3, mtime: 0});
		expect(await fs.readFile(path.join(outside, 'victim'), 'utf8')).toBe('precious');
		expect((await fs.lstat(path.join(root, 'name'))).isFile()).toBe(true);
	});

	test('creates the root of a PULL when it does not exist yet', async () => {
		const fresh = new LocalRemote(path.join(root, 'new', 'place'));
		await fresh.write('f', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0});
		expect(await fs.readFile(path.join(root, 'new', 'place', 'f'), 'utf8')).toBe('x');
	});
});

describe('other operations', () => {
	test('small ranges are read in one piece; a short file, a missing file and a FIFO answer at once', async () => {
		const remote = new LocalRemote(root);
		await put('small', 'abcdef');
		const read = async (name: string, range: {start: number; end?: number}) => {
			const chunks: Buffer[] = [];
			for await (const chunk of await remote.read(name, range)) chunks.push(chunk as Buffer);
			return chunks;
		};
		// The transfer asks for the listed size plus one byte, to see a file that grew.
		expect(await read('small', {start: 0, end: 6})).toEqual([Buffer.from('abcdef')]);
		expect(Buffer.concat(await read('small', {start: 4, end: 4})).toString()).toBe('e');
		expect(await read('small', {start: 6, end: 6})).toEqual([]);
		expect((await caught(remote.read('missing', {start: 0, end: 10}))).kind).toBe('not_found');
		execFileSync('mkfifo', [path.join(root, 'fifo')]);
		expect((await caught(remote.read('fifo', {start: 0, end: 10}))).message).toMatch(/not a regular file/);
		// Beyond 64 KiB the file streams as before.
		await put('large', 'x'.repeat(200_000));
		expect(Buffer.concat(await read('large', {start: 0, end: 199_999})).length).toBe(200_000);
	});

	test('read with a range, delete, mkdir, rmdir, setMtime, listFolders', async () => {
		const remote = new LocalRemote(root);
		await put('dir/file', '0123456789');
		const chunks: Buffer[] = [];
		for await (const chunk of await remote.read('dir/file', {start: 2, end: 5})) chunks.push(chunk as Buffer);
		expect(Buffer.concat(chunks).toString()).toBe('2345');
		expect((await caught(remote.read('dir/missing'))).kind).toBe('not_found');
		await remote.setMtime('dir/file', 1234567890500);
		expect((await remote.stat('dir/file'))?.mtime).toBeCloseTo(1234567890500, 3);
		await remote.mkdir('made/here');
		await remote.mkdir('made/here');
		expect(await remote.listFolders(undefined, '')).toEqual(['dir', 'made']);
		expect(await remote.listFolders(undefined, 'made')).toEqual(['here']);
		expect((await caught(remote.rmdir('dir'))).message).toMatch(/not empty/);
		await remote.delete('dir/file');
		await remote.delete('dir/file');
		await remote.rmdir('dir');
		await remote.rmdir('dir');
		expect(await remote.stat('dir')).toBeUndefined();
		expect((await remote.stat('made'))?.isDir).toBe(true);
	});

	test('verify names a missing root, a file, and an unwritable folder in one sentence', async () => {
		await new LocalRemote(root).verify();
		const missing = await caught(new LocalRemote(path.join(root, 'missing')).verify());
		expect(missing.message).toBe(`the folder ${path.join(root, 'missing')} does not exist: create it or choose another folder`);
		await put('file');
		const file = await caught(new LocalRemote(path.join(root, 'file')).verify());
		expect(file.message).toMatch(/is a file, not a folder/);
		const readOnly = path.join(root, 'ro');
		await fs.mkdir(readOnly);
		// Root writes anywhere; a read-only bind is not available, so use a folder on a read-only path.
		if (process.getuid?.() !== 0) {
			await fs.chmod(readOnly, 0o555);
			const error = await caught(new LocalRemote(readOnly).verify());
			expect(error.message).toMatch(/is not writable/);
		} else {
			const error = await caught(new LocalRemote('/proc/self').verify());
			expect(error.message).toMatch(/is not writable/);
		}
		expect(await fs.readdir(root)).toEqual(['file', 'ro']);
	});
});
