/**
 * DropboxRemote through the real SDK and real HTTP against the local Dropbox
 * API server (test/support/dropbox-server.ts): uploads (single and session),
 * downloads with ranges, listings across pages in byte order, metadata,
 * deletes, folders, and the errors a user sees.
 */
import {createHash} from 'node:crypto';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {compareKeys} from '../../source/core/paths.js';
import {dropboxContentHash, DropboxContentHasher, DropboxRemote, dropboxDescription} from '../../source/providers/dropbox.js';
import type {Entry} from '../../source/providers/remote.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';
import {caught} from '../support/errors.js';

const MiB = 1024 * 1024;
let server: DropboxServer;

beforeAll(async () => {
	server = await startDropboxServer({pageSize: 3});
});

afterAll(async () => {
	await server.stop();
});

function remote(folder: string, attributes: Record<string, string | number> = {}): DropboxRemote {
	return new DropboxRemote({token: server.token, api_url: server.url, chunk_size: 4, ...attributes}, {folder});
}

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Deterministic bytes, produced piece by piece so no test holds a whole large file twice. */
function* pattern(size: number, seed: number, piece = 64 * 1024): Generator<Buffer> {
	let state = seed;
	for (let offset = 0; offset < size; offset += piece) {
		const length = Math.min(piece, size - offset);
		const chunk = Buffer.allocUnsafe(Math.ceil(length / 4) * 4);
		for (let i = 0; i < chunk.length; i += 4) {
			state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
			chunk.writeUInt32LE(state, i);
		}
		yield chunk.subarray(0, length);
	}
}

function endpointsSince(mark: number): string[] {
	return server.requests.slice(mark).map(request => request.endpoint);
}

describe('content_hash', () => {
	test('is the sha256 of the 4 MiB block digests, however the input is split', () => {
		const data = Buffer.concat([...pattern(9 * MiB + 123, 7)]);
		const blocks = [0, 4 * MiB, 8 * MiB].map(start => createHash('sha256').update(data.subarray(start, start + 4 * MiB)).digest());
		const expected = createHash('sha256').update(Buffer.concat(blocks)).digest('hex');
		expect(dropboxContentHash(data)).toBe(expected);
		const hasher = new DropboxContentHasher();
		for (let offset = 0; offset < data.length; offset += 1_000_003) hasher.update(data.subarray(offset, offset + 1_000_003));
		expect(hasher.digest()).toBe(expected);
		expect(dropboxContentHash(Buffer.alloc(0))).toBe(createHash('sha256').digest('hex'));
	});
});

describe('write', () => {
	test('a small file goes up in one files/upload with client_modified in whole seconds', async () => {
		const mark = server.requests.length;
		const content = Buffer.from('hello dropbox\n');
		const entry = await remote('w1').write('docs/hello.txt', Readable.from([content]), {size: content.length, mtime: 1_700_000_000_999});
		expect(endpointsSince(mark)).toEqual(['files/upload']);
		const stored = server.file('/w1/docs/hello.txt');
		expect(stored?.content.equals(content)).toBe(true);
		expect(stored?.clientModified).toBe('2023-11-14T22:13:20Z');
		expect(entry).toMatchObject({path: 'docs/hello.txt', isDir: false, size: content.length, mtime: 1_700_000_000_000, hashes: {dropbox: dropboxContentHash(content)}});
	});

	test('an empty file is uploaded and listed', async () => {
		const entry = await remote('w0').write('empty', Readable.from([]), {size: 0, mtime: 0});
		expect(entry.size).toBe(0);
		expect(server.file('/w0/empty')?.content.length).toBe(0);
	});

	test('20 MB streams through an upload session in 4 MiB chunks and round-trips byte for byte', async () => {
		const size = 20_000_000;
		const mark = server.requests.length;
		const sha = createHash('sha256');
		for (const piece of pattern(size, 42)) sha.update(piece);
		const entry = await remote('w2').write('big.bin', Readable.from(pattern(size, 42)), {size, mtime: 1_600_000_000_000});
		// 20,000,000 bytes = 4 whole chunks and a partial one: start, 3 appends, finish.
		expect(endpointsSince(mark)).toEqual([
			'files/upload_session/start',
			'files/upload_session/append_v2',
			'files/upload_session/append_v2',
			'files/upload_session/append_v2',
			'files/upload_session/finish',
		]);
		expect(server.openSessions()).toBe(0);
		const stored = server.file('/w2/big.bin');
		expect(stored?.content.length).toBe(size);
		expect(createHash('sha256').update(stored!.content).digest('hex')).toBe(sha.digest('hex'));
		expect(entry.hashes?.dropbox).toBe(stored?.contentHash);
		const back = await readAll(await remote('w2').read('big.bin'));
		expect(back.equals(stored!.content)).toBe(true);
	});

	test('a file of exactly one chunk uses files/upload; one byte more uses a session', async () => {
		let mark = server.requests.length;
		await remote('w3').write('one-chunk', Readable.from(pattern(4 * MiB, 1)), {size: 4 * MiB, mtime: 0});
		expect(endpointsSince(mark)).toEqual(['files/upload']);
		mark = server.requests.length;
		await remote('w3').write('one-chunk-plus', Readable.from(pattern(4 * MiB + 1, 1)), {size: 4 * MiB + 1, mtime: 0});
		expect(endpointsSince(mark)).toEqual(['files/upload_session/start', 'files/upload_session/finish']);
		expect(server.file('/w3/one-chunk-plus')?.content.length).toBe(4 * MiB + 1);
	});

	test('overwrites an existing file and keeps the casing Dropbox already has', async () => {
		server.putFile('/w4/Report.TXT', 'old');
		const entry = await remote('w4').write('report.txt', Readable.from([Buffer.from('new')]), {size: 3, mtime: 0});
		expect(server.file('/w4/report.txt')?.content.toString()).toBe('new');
		expect(server.paths().filter(path => path.startsWith('/w4/'))).toEqual(['/w4/Report.TXT']);
		expect(entry.size).toBe(3);
	});

	test('a source that changes size while it is read commits nothing', async () => {
		const error = await caught(remote('w5').write('short', Readable.from([Buffer.from('abc')]), {size: 10, mtime: 0}));
		expect(error.kind).toBe('transient');
		expect(error.message).toBe('short changed while it was uploaded: expected 10 bytes, got 3');
		const big = await caught(remote('w5').write('long', Readable.from(pattern(9 * MiB, 3)), {size: 8 * MiB, mtime: 0}));
		expect(big.message).toContain('changed while it was uploaded');
		expect(server.paths().filter(path => path.startsWith('/w5'))).toEqual([]);
	});

	test('a source that fails while it is read commits nothing and says so', async () => {
		function* failing(): Generator<Buffer> {
			yield Buffer.alloc(5 * MiB, 1);
			throw new Error('EIO: i/o error, read');
		}
		const error = await caught(remote('w8').write('broken', Readable.from(failing()), {size: 6 * MiB, mtime: 0}));
		expect(error.message).toBe('reading broken for the upload failed: EIO: i/o error, read');
		expect(server.file('/w8/broken')).toBeUndefined();
	});

	test('content that does not match the hash the source claims commits nothing', async () => {
		const error = await caught(
			remote('w6').write('x', Readable.from([Buffer.from('abc')]), {size: 3, mtime: 0, hashes: {dropbox: dropboxContentHash(Buffer.from('abd'))}}),
		);
		expect(error.kind).toBe('corrupt');
		expect(server.file('/w6/x')).toBeUndefined();
	});

	test('a folder in the way is one clear sentence', async () => {
		server.store.createFolder('/w7/taken');
		const error = await caught(remote('w7').write('taken', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0}));
		expect(error.kind).toBe('permanent');
		expect(error.message).toBe('cannot upload "/w7/taken" on Dropbox: a folder is in the way on Dropbox; move or delete it');
	});
});

describe('read', () => {
	test('whole files and byte ranges', async () => {
		server.putFile('/r1/digits.txt', '0123456789abcdef');
		const r = remote('r1');
		expect((await readAll(await r.read('digits.txt'))).toString()).toBe('0123456789abcdef');
		expect((await readAll(await r.read('digits.txt', {start: 5, end: 9}))).toString()).toBe('56789');
		expect((await readAll(await r.read('digits.txt', {start: 10}))).toString()).toBe('abcdef');
	});

	test('names beyond ASCII travel escaped in Dropbox-API-Arg both ways', async () => {
		const r = remote('r-ü');
		const name = 'ünï/\u{1F600} \u00e9t\u00e9.txt';
		await r.write(name, Readable.from([Buffer.from('smile')]), {size: 5, mtime: 0});
		expect(server.file(`/r-ü/${name}`)?.content.toString()).toBe('smile');
		expect((await readAll(await r.read(name))).toString()).toBe('smile');
		expect((await collect(r.list())).map(entry => entry.path)).toEqual(['ünï', name]);
	});

	test('a missing file is not_found (Dropbox 409 path/not_found)', async () => {
		const error = await caught(remote('r2').read('missing.txt'));
		expect(error.kind).toBe('not_found');
		expect(error.message).toBe('cannot download "/r2/missing.txt" on Dropbox: it does not exist');
	});

	test('a folder is not a file', async () => {
		server.store.createFolder('/r3/folder');
		const error = await caught(remote('r3').read('folder'));
		expect(error.message).toBe('cannot download "/r3/folder" on Dropbox: it is a folder, not a file');
	});

	test('names outside the remote are refused before any request', async () => {
		const mark = server.requests.length;
		const error = await caught(remote('r4').read('../escape'));
		expect(error.kind).toBe('unsafe_path');
		expect(server.requests.length).toBe(mark);
	});
});

describe('list', () => {
	test('walks every folder across pages, byte-ordered by full path (a folder sorts as name + "/")', async () => {
		const names = ['a.txt', 'a/b', 'a/c/d', 'a-b', 'a0', 'B', 'z', '\u{1F600}', '\uFFFD', 'é/x', 'ab', 'a/c/e', 'a/c/f', 'a/c/g'];
		for (const name of names) server.putFile(`/l1/${name}`, name, '2020-01-02T03:04:05Z');
		server.store.createFolder('/l1/empty');
		const mark = server.requests.length;
		const entries = await collect(remote('l1').list());
		const keys = entries.map(entry => (entry.isDir ? `${entry.path}/` : entry.path));
		expect(keys).toEqual([...keys].sort(compareKeys));
		expect(keys).toEqual(['B', 'a-b', 'a.txt', 'a/', 'a/b', 'a/c/', 'a/c/d', 'a/c/e', 'a/c/f', 'a/c/g', 'a0', 'ab', 'empty/', 'z', 'é/', 'é/x', '\uFFFD', '\u{1F600}']);
		expect(endpointsSince(mark)).toContain('files/list_folder/continue');
		const file = entries.find(entry => entry.path === 'a/c/d');
		expect(file).toMatchObject({isDir: false, size: 5, mtime: Date.UTC(2020, 0, 2, 3, 4, 5), hashes: {dropbox: dropboxContentHash(Buffer.from('a/c/d'))}});
		expect(entries.find(entry => entry.path === 'a/c')).toMatchObject({isDir: true, size: 0});
	});

	test('lists a sub-folder with paths relative to the remote', async () => {
		server.putFile('/l2/sub/x/y.txt', 'y');
		const entries = await collect(remote('l2').list('sub'));
		expect(entries.map(entry => entry.path)).toEqual(['sub/x', 'sub/x/y.txt']);
	});

	test('a location that does not exist yet is empty; one that is a file is an error', async () => {
		expect(await collect(remote('l3-missing').list())).toEqual([]);
		server.putFile('/l4', 'file');
		const error = await caught(collect(remote('l4').list()));
		expect(error.message).toBe('cannot list "/l4" on Dropbox: it is a file, not a folder');
	});

	test('a sub-folder that keeps failing goes to onError and the walk goes on; one failure is retried', async () => {
		server.putFile('/l5/a/1', '1');
		server.putFile('/l5/b/2', '2');
		const r = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'l5'}, {retry: {baseDelayMs: 5}});
		const problems: string[] = [];
		const walk = r.list('', {onError: (path, error) => problems.push(`${path}: ${error.message}`)})[Symbol.asyncIterator]();
		const first = await walk.next();
		expect(first.value?.path).toBe('a');
		server.failNext(3, 503, {}, {endpoint: 'files/list_folder'});
		const rest: string[] = [];
		for (let next = await walk.next(); !next.done; next = await walk.next()) rest.push(next.value.path);
		expect(rest).toEqual(['b', 'b/2']);
		expect(problems).toEqual(['a: Dropbox had a server error (HTTP 503) trying to list "/l5/a" on Dropbox: try again later']);

		server.failNext(1, 503, {}, {endpoint: 'files/list_folder'});
		expect((await collect(r.list())).map(entry => entry.path)).toEqual(['a', 'a/1', 'b', 'b/2']);

		server.failNext(3, 503, {}, {endpoint: 'files/list_folder'});
		const error = await caught(collect(r.list()));
		expect(error.kind).toBe('transient');
	});

	test('listFolders shows only folders, sorted', async () => {
		for (const name of ['zeta/f', 'Alpha/f', 'mid/f', 'file.txt']) server.putFile(`/b1/${name}`, 'x');
		expect(await remote('').listFolders(undefined, 'b1')).toEqual(['Alpha', 'mid', 'zeta']);
		expect(await remote('b1').listFolders(undefined, '')).toEqual(['Alpha', 'mid', 'zeta']);
	});
});

describe('stat, delete and folders', () => {
	test('stat reports size, mtime, hash and the stored casing; a missing path is undefined', async () => {
		server.putFile('/s1/Mixed/Case.txt', 'content', '2021-06-07T08:09:10Z');
		const r = remote('s1');
		expect(await r.stat('mixed/case.TXT')).toMatchObject({
			path: 'mixed/Case.txt',
			isDir: false,
			size: 7,
			mtime: Date.UTC(2021, 5, 7, 8, 9, 10),
			hashes: {dropbox: dropboxContentHash(Buffer.from('content'))},
		});
		expect(await r.stat('Mixed')).toMatchObject({isDir: true});
		expect(await r.stat('nothing')).toBeUndefined();
		expect(await r.stat('')).toMatchObject({path: '', isDir: true});
	});

	test('delete removes a file, ignores a missing one, and refuses a folder', async () => {
		server.putFile('/d1/f.txt', 'x');
		server.putFile('/d1/dir/inside.txt', 'keep me');
		const r = remote('d1');
		await r.delete('f.txt');
		expect(server.file('/d1/f.txt')).toBeUndefined();
		await r.delete('f.txt');
		const error = await caught(r.delete('dir'));
		expect(error.message).toBe('cannot delete "/d1/dir" on Dropbox as a file: it is a folder');
		expect(server.file('/d1/dir/inside.txt')?.content.toString()).toBe('keep me');
	});

	test('mkdir is idempotent; rmdir removes only empty folders', async () => {
		const r = remote('m1');
		await r.mkdir('a/b');
		await r.mkdir('a/b');
		expect(server.store.get('/m1/a/b')?.kind).toBe('folder');
		const notEmpty = await caught(r.rmdir('a'));
		expect(notEmpty.message).toBe('cannot remove the folder "/m1/a" on Dropbox: it is not empty');
		await r.rmdir('a/b');
		await r.rmdir('a');
		await r.rmdir('a');
		expect(server.store.get('/m1/a')).toBeUndefined();
		server.putFile('/m1/file', 'x');
		const error = await caught(r.mkdir('file'));
		expect(error.message).toBe('cannot create the folder "/m1/file" on Dropbox: a file is in the way on Dropbox; move or delete it');
	});
});

describe('verify and description', () => {
	test('verify checks the account and that the folder is not a file', async () => {
		await remote('').verify();
		await remote('v-missing').verify();
		server.store.createFolder('/v1');
		await remote('v1').verify();
		server.putFile('/v2', 'x');
		const error = await caught(remote('v2').verify());
		expect(error.message).toBe('"/v2" on Dropbox is a file, not a folder: choose a folder');
	});

	test('the description lists the fields forms and the CLI use', () => {
		const byName = Object.fromEntries(dropboxDescription.fields.map(field => [field.name, field]));
		expect(dropboxDescription).toMatchObject({id: 'dropbox', oauth: true});
		expect(Object.keys(byName).sort()).toEqual(['api_url', 'chunk_size', 'client_id', 'client_secret', 'refresh_token', 'token', 'token_expiry']);
		expect([byName.token.secret, byName.refresh_token.secret, byName.client_secret.secret]).toEqual([true, true, true]);
		expect([byName.api_url.hidden, byName.token_expiry.hidden]).toEqual([true, true]);
		const features = remote('').features;
		expect(features).toMatchObject({hashes: ['dropbox'], precisionMs: 1000, canSetMtime: false, caseInsensitive: true});
	});

	test('a chunk size Dropbox cannot take is refused with the reason', () => {
		expect(() => remote('', {chunk_size: 6})).toThrow('chunk_size must be a multiple of 4 between 4 and 148 (MiB), not "6"');
		expect(() => remote('', {chunk_size: 152})).toThrow(CloudSyncError);
	});
});
