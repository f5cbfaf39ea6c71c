import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {Readable} from 'node:stream';
import {AbortMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {compareKeys} from '../../source/core/paths.js';
import type {Entry} from '../../source/providers/remote.js';
import {MemoryMtimeIndex, type MtimeIndex} from '../../source/providers/s3-mtime-index.js';
import {S3Remote} from '../../source/providers/s3.js';
import {startS3rverGateway, type S3rverGateway} from '../support/s3rver-gateway.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {caught} from '../support/errors.js';

let s3: S3rverHandle;
let gateway: S3rverGateway;
const bucket = 'cloudsync-test';

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	gateway = await startS3rverGateway(s3);
});

afterAll(async () => {
	await gateway?.stop();
	await s3?.stop();
});

function attributes(overrides: Record<string, string | number | boolean> = {}) {
	return {preset: 'other', endpoint: gateway.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, ...overrides};
}

function remote(folder: string, options: ConstructorParameters<typeof S3Remote>[2] = {}, overrides = {}): S3Remote {
	return new S3Remote(attributes(overrides), {bucket, folder}, options);
}

/** A stream of `size` random bytes in uneven chunks, with the MD5 of what it produced. */
function randomStream(size: number, options: {chunk?: number; delayMs?: number; failAt?: number} = {}) {
	const md5 = createHash('md5');
	let sent = 0;
	const chunk = options.chunk ?? 256 * 1024 + 17;
	const stream = new Readable({
		async read() {
			if (options.delayMs) await new Promise(r => setTimeout(r, options.delayMs));
			if (options.failAt !== undefined && sent >= options.failAt) {
				this.destroy(new Error('the source disk failed'));
				return;
			}
			if (sent >= size) {
				this.push(null);
				return;
			}
			const data = randomBytes(Math.min(chunk, size - sent));
			md5.update(data);
			sent += data.length;
			this.push(data);
		},
	});
	let digest: string | undefined;
	return {stream, md5: () => (digest ??= md5.digest('hex'))};
}

async function md5Of(stream: Readable): Promise<{md5: string; size: number}> {
	const hash = createHash('md5');
	let size = 0;
	for await (const chunk of stream) {
		hash.update(chunk as Buffer);
		size += (chunk as Buffer).length;
	}
	return {md5: hash.digest('hex'), size};
}

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

/** Puts an object straight into s3rver's file store, the way s3rver's own PUT leaves it. */
async function storeObject(key: string, content: string, metadata: Record<string, string>): Promise<void> {
	const file = path.join(s3.directory, bucket, ...key.split('/'));
	await fs.mkdir(path.dirname(file), {recursive: true});
	await fs.writeFile(`${file}._S3rver_object`, content);
	await fs.writeFile(`${file}._S3rver_object.md5`, createHash('md5').update(content).digest('hex'));
	await fs.writeFile(`${file}._S3rver_metadata.json`, JSON.stringify({'content-type': 'binary/octet-stream', ...metadata}));
}

/** Unfinished multipart uploads in the bucket (asked through the gateway: s3rver lacks the call). */
function gatewayClient(): S3Client {
	return new S3Client({endpoint: gateway.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: {accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey}});
}

async function pendingUploads(): Promise<string[]> {
	const client = gatewayClient();
	try {
		const output = await client.send(new ListMultipartUploadsCommand({Bucket: bucket}));
		return (output.Uploads ?? []).map(u => u.Key ?? '');
	} finally {
		client.destroy();
	}
}

describe('uploads', () => {
	test('a streamed single-part upload round-trips byte for byte with its MD5 checked', async () => {
		const r = remote('single');
		const {stream, md5} = randomStream(3 * 1024 * 1024 + 5);
		const entry = await r.write('dir/file.bin', stream, {size: 3 * 1024 * 1024 + 5, mtime: 1700000000123.456});
		expect(entry.hashes?.md5).toBe(md5());
		expect(entry.etag).toBe(md5());
		expect(await md5Of(await r.read('dir/file.bin'))).toEqual({md5: md5(), size: 3 * 1024 * 1024 + 5});
		const ranged = await md5Of(await r.read('dir/file.bin', {start: 10, end: 19}));
		expect(ranged.size).toBe(10);
	});

	test('a 50 MB file goes multipart with parallel parts and round-trips', async () => {
		const r = remote('multi', {}, {chunk_size: 5, upload_concurrency: 4});
		const size = 50 * 1000 * 1000;
		const {stream, md5} = randomStream(size, {chunk: 1024 * 1024 + 3});
		const entry = await r.write('big.bin', stream, {size, mtime: 1690000000000, mode: 0o600});
		expect(entry).toMatchObject({path: 'big.bin', size});
		// A multipart upload hashes the whole file only to check it against a known MD5.
		expect(entry.hashes).toBeUndefined();
		expect(await md5Of(await r.read('big.bin'))).toEqual({md5: md5(), size});
		const listed = await collect(remote('multi').list());
		expect(listed).toHaveLength(1);
		expect(listed[0]).toMatchObject({path: 'big.bin', size, mtime: 1690000000000, mode: 0o600});
		expect(await pendingUploads()).toEqual([]);
	});

	test('a cancelled multipart upload is aborted: no object, no unfinished upload', async () => {
		const r = remote('cancel', {}, {chunk_size: 5, upload_concurrency: 2});
		const controller = new AbortController();
		const {stream} = randomStream(40 * 1024 * 1024, {delayMs: 5});
		const writing = r.write('half.bin', stream, {size: 40 * 1024 * 1024, mtime: 0, signal: controller.signal});
		await new Promise(resolve => setTimeout(resolve, 700));
		controller.abort();
		const error = await caught(writing);
		expect(error.kind).toBe('aborted');
		expect(await pendingUploads()).toEqual([]);
		expect(await r.stat('half.bin')).toBeUndefined();
	});

	test('cancelling while the source is silent ends the upload at once, single-part or multipart', async () => {
		const r = remote('stalled', {}, {chunk_size: 5, upload_concurrency: 2});
		for (const [name, size, given] of [['small.bin', 1024 * 1024, 64 * 1024], ['large.bin', 40 * 1024 * 1024, 12 * 1024 * 1024]] as const) {
			let pushed = 0;
			const silent = new Readable({
				read() {
					if (pushed >= given) return; // then nothing more, ever
					const chunk = randomBytes(64 * 1024);
					pushed += chunk.length;
					this.push(chunk);
				},
			});
			const controller = new AbortController();
			const writing = r.write(name, silent, {size, mtime: 0, signal: controller.signal});
			await new Promise(resolve => setTimeout(resolve, 400));
			const cancelledAt = Date.now();
			controller.abort();
			expect((await caught(writing)).kind).toBe('aborted');
			expect(Date.now() - cancelledAt).toBeLessThan(5000);
		}
		expect(await pendingUploads()).toEqual([]);
		expect(await collect(r.list())).toEqual([]);
	});

	test('a source that fails mid-way, or is shorter than announced, aborts the multipart upload', async () => {
		const r = remote('broken', {}, {chunk_size: 5, upload_concurrency: 3});
		const failing = randomStream(30 * 1024 * 1024, {failAt: 12 * 1024 * 1024});
		const error = await caught(r.write('fail.bin', failing.stream, {size: 30 * 1024 * 1024, mtime: 0}));
		expect(error.message).toMatch(/the source disk failed/);
		const short = randomStream(11 * 1024 * 1024);
		const shortError = await caught(r.write('short.bin', short.stream, {size: 20 * 1024 * 1024, mtime: 0}));
		expect(shortError.message).toMatch(/changed while it was copied/);
		const wrongHash = randomStream(6 * 1024 * 1024);
		const hashError = await caught(r.write('hash.bin', wrongHash.stream, {size: 6 * 1024 * 1024, mtime: 0, hashes: {md5: 'f'.repeat(32)}}));
		expect(hashError.kind).toBe('corrupt');
		expect(await pendingUploads()).toEqual([]);
		expect(await collect(r.list())).toEqual([]);
	});
});

describe('server failures during uploads', () => {
	test('a part the server keeps failing (500), or a dropped connection, aborts the upload and leaves nothing', async () => {
		const r = remote('faults', {}, {chunk_size: 5, upload_concurrency: 2});
		for (const fault of [{status: 500}, 'drop'] as const) {
			gateway.setFault(({method, url}) => (method === 'PUT' && url.searchParams.get('partNumber') === '2' ? fault : undefined));
			try {
				const {stream} = randomStream(16 * 1024 * 1024);
				const error = await caught(r.write('faulty.bin', stream, {size: 16 * 1024 * 1024, mtime: 0}));
				expect(error.kind).toBe('transient');
			} finally {
				gateway.setFault(undefined);
			}
			expect(await pendingUploads()).toEqual([]);
			expect(await r.stat('faulty.bin')).toBeUndefined();
		}
	});

	test('when even the abort fails, the error says the unfinished upload was left', async () => {
		const r = remote('faults', {}, {chunk_size: 5, upload_concurrency: 1});
		gateway.setFault(({method, url}) => (url.searchParams.has('uploadId') && (method === 'DELETE' || url.searchParams.get('partNumber') === '2') ? {status: 503, code: 'ServiceUnavailable'} : undefined));
		try {
			const {stream} = randomStream(11 * 1024 * 1024);
			const error = await caught(r.write('stuck.bin', stream, {size: 11 * 1024 * 1024, mtime: 0}));
			expect(error.message).toMatch(/the unfinished multipart upload could not be cancelled/);
		} finally {
			gateway.setFault(undefined);
		}
		expect(await pendingUploads()).toEqual(['faults/stuck.bin']);
		// Clean up what the test left, so other tests see an empty list.
		const client = gatewayClient();
		try {
			const {Uploads = []} = await client.send(new ListMultipartUploadsCommand({Bucket: bucket}));
			for (const upload of Uploads) await client.send(new AbortMultipartUploadCommand({Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId}));
		} finally {
			client.destroy();
		}
		expect(await pendingUploads()).toEqual([]);
	});
});

describe('metadata, listing, deletes', () => {
	test('mtime, mode, uid and gid are stored the way rclone stores them and read back', async () => {
		const r = remote('meta');
		await r.write('m.txt', Readable.from([Buffer.from('meta')]), {size: 4, mtime: 1700000000123.456, mode: 0o640, uid: 1000, gid: 100});
		const head = await s3.client.send(new HeadObjectCommand({Bucket: bucket, Key: 'meta/m.txt'}));
		expect(head.Metadata).toMatchObject({mode: '100640', uid: '1000', gid: '100'});
		expect(head.Metadata?.mtime).toMatch(/^1700000000\.123456\d*$/);
		const stat = await remote('meta').stat('m.txt');
		expect(stat).toMatchObject({path: 'm.txt', size: 4, mode: 0o640, uid: 1000, gid: 100});
		expect(stat!.mtime).toBeCloseTo(1700000000123.456, 3);
		await r.setMtime('m.txt', 1600000000000);
		expect((await remote('meta').stat('m.txt'))).toMatchObject({mtime: 1600000000000, mode: 0o640});
	});

	test('lists 1,500 keys across pages in byte order, HEADs only what the index does not know', async () => {
		const names = Array.from({length: 1500}, (_, i) => `k/${String(i).padStart(4, '0')}${i % 7 === 0 ? '\u{1F600}' : i % 5 === 0 ? 'é' : ''}.txt`);
		const md5 = (i: number) => createHash('md5').update(`content ${i}`).digest('hex');
		// Arranged in s3rver's own store (thousands of PUTs would take most of a minute on s3rver).
		await Promise.all(names.map((name, i) => storeObject(`many/${name}`, `content ${i}`, {'x-amz-meta-mtime': String(1600000000 + i)})));
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'many/k/marker/', Body: Buffer.alloc(0)}));
		// The index knows all but every 15th object: those 100 need a HEAD.
		const index = new MemoryMtimeIndex();
		names.forEach((name, i) => {
			if (i % 15 !== 0) index.set(`many/${name}`, md5(i), `content ${i}`.length, {mtime: (1600000000 + i) * 1000});
		});
		let heads = 0;
		const counting: MtimeIndex = {
			get: (...args) => index.get(...args),
			getPosix: (...args) => index.getPosix(...args),
			delete: key => index.delete(key),
			flush: () => index.flush(),
			set: (...args) => {
				heads++;
				index.set(...args);
			},
		};
		const entries = await collect(remote('many', {mtimeIndex: counting}).list());
		expect(entries).toHaveLength(1501);
		const keys = entries.map(e => (e.isDir ? `${e.path}/` : e.path));
		expect([...keys].sort(compareKeys)).toEqual(keys);
		expect([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(keys);
		expect(entries.find(e => e.path === 'k/marker')).toMatchObject({isDir: true});
		for (const i of [0, 1, 15, 1499]) {
			const entry = entries.find(e => e.path === names[i])!;
			expect(entry).toMatchObject({size: `content ${i}`.length, mtime: (1600000000 + i) * 1000, hashes: {md5: md5(i)}});
		}
		expect(heads).toBe(100);
		heads = 0;
		const again = await collect(remote('many', {mtimeIndex: counting}).list());
		expect(again).toEqual(entries);
		expect(heads).toBe(0);
		expect((await collect(remote('many').list('k/marker'))).map(e => e.path)).toEqual([]);
	});

	test('deletes files and folder markers; deleting what is gone is not an error', async () => {
		const r = remote('del');
		await r.write('a/b.txt', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0});
		await r.mkdir('empty');
		expect((await collect(r.list())).map(e => `${e.path}${e.isDir ? '/' : ''}`)).toEqual(['a/b.txt', 'empty/']);
		expect((await r.stat('a'))?.isDir).toBe(true);
		await r.delete('a/b.txt');
		await r.delete('a/b.txt');
		await r.rmdir('empty');
		expect(await collect(r.list())).toEqual([]);
		expect(await r.stat('a')).toBeUndefined();
		expect((await caught(r.read('a/b.txt'))).kind).toBe('not_found');
	});

	test('lists buckets and folders for the task form', async () => {
		const r = remote('');
		await r.write('browse/one/x', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0});
		await r.write('browse/two/y', Readable.from([Buffer.from('y')]), {size: 1, mtime: 0});
		await r.write('browse/file', Readable.from([Buffer.from('z')]), {size: 1, mtime: 0});
		expect(await r.listBuckets()).toContain(bucket);
		expect(await r.listFolders(bucket, 'browse')).toEqual(['one', 'two']);
		const browser = new S3Remote(attributes(), {});
		expect(await browser.listFolders(bucket, '')).toContain('browse');
		await browser.verify();
	});
});

describe('errors are one clear sentence', () => {
	test('a wrong access key, a wrong secret, a missing bucket', async () => {
		const wrongKey = await caught(new S3Remote(attributes({access_key_id: 'NOPE'}), {bucket}).verify());
		expect(wrongKey.kind).toBe('auth');
		expect(wrongKey.message).toBe(`${gateway.endpoint} does not know this access key ID: check access_key_id`);
		const wrongSecret = await caught(new S3Remote(attributes({secret_access_key: 'not-the-secret'}), {bucket}).verify());
		expect(wrongSecret.kind).toBe('auth');
		expect(wrongSecret.message).toBe(`the secret access key is wrong for this access key ID at ${gateway.endpoint}: check secret_access_key`);
		expect(wrongSecret.message).not.toContain('not-the-secret');
		const wrongSecretBuckets = await caught(new S3Remote(attributes({secret_access_key: 'not-the-secret'}), {}).verify());
		expect(wrongSecretBuckets.message).toMatch(/secret access key is wrong/);
		const noBucket = await caught(new S3Remote(attributes(), {bucket: 'no-such-bucket'}).verify());
		expect(noBucket.kind).toBe('not_found');
		expect(noBucket.message).toBe(`bucket "no-such-bucket" does not exist at ${gateway.endpoint}: check the bucket name, or create the bucket`);
	});

	test('an unreachable endpoint and an unknown host', async () => {
		const refused = await caught(new S3Remote(attributes({endpoint: 'http://127.0.0.1:9'}), {bucket}).verify());
		expect(refused.kind).toBe('unreachable');
		expect(refused.message).toBe('cannot reach http://127.0.0.1:9: the connection was refused; check the endpoint address and the network');
		const unknown = await caught(new S3Remote(attributes({endpoint: 'http://no-such-host.invalid'}), {bucket}).verify());
		expect(unknown.kind).toBe('unreachable');
		expect(unknown.message).toMatch(/host name (was not found|could not be looked up)/);
	});
});
