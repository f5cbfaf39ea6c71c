/**
 * rclone interop over S3 (a real s3rver process): cloudsync encrypts into a
 * bucket through CryptRemote over S3Remote and rclone's crypt remote over the
 * same bucket verifies and reads it; rclone writes and cloudsync reads; a
 * tampered object is refused by both.
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {GetObjectCommand, PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {compareKeys} from '../../source/core/paths.js';
import {CryptRemote} from '../../source/crypt/crypt-remote.js';
import {S3Remote} from '../../source/providers/s3.js';
import type {Entry} from '../../source/providers/remote.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {cryptEnv, rclone, requireRclone} from './rclone-crypt.js';

const bucket = 'crypt-interop';
const password = 's3 interop pass';
const salt = 's3 interop salt';
const mtime = Date.UTC(2020, 8, 7, 6, 5, 4, 250);
let s3: S3rverHandle;
let base: string;
let sourceDir: string;
const files = new Map<string, Buffer>([
	['empty', Buffer.alloc(0)],
	['notes/todo.txt', randomBytes(100)],
	['photos/2020/big.raw', randomBytes(6 * 1024 * 1024 + 11)], // multipart upload (5 MiB parts)
	['photos/2020/small.jpg', randomBytes(65537)],
]);

function crypt(folder: string, secret = password, subtreeBufferLimit?: number): CryptRemote {
	const inner = new S3Remote(
		{preset: 'other', endpoint: s3.endpoint, region: 'us-east-1', force_path_style: true, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey},
		{bucket, folder},
	);
	return new CryptRemote(inner, {password: secret, salt, filenameEncryption: 'standard', subtreeBufferLimit});
}

function s3Env(): NodeJS.ProcessEnv {
	return {
		RCLONE_CONFIG_S3T_TYPE: 's3',
		RCLONE_CONFIG_S3T_PROVIDER: 'Other',
		RCLONE_CONFIG_S3T_ENDPOINT: s3.endpoint,
		RCLONE_CONFIG_S3T_ACCESS_KEY_ID: s3.accessKeyId,
		RCLONE_CONFIG_S3T_SECRET_ACCESS_KEY: s3.secretAccessKey,
		RCLONE_CONFIG_S3T_FORCE_PATH_STYLE: 'true',
		RCLONE_CONFIG_S3T_REGION: 'us-east-1',
	};
}

/**
 * s3rver 3.7.1 leaves out common prefixes that hold only deeper "folders" when
 * listing with a delimiter, which hides nested trees from rclone's default
 * per-directory listing; --fast-list lists without a delimiter, as S3Remote does.
 */
const fastList = '--fast-list';

const env = (folder: string) => cryptEnv({remote: `s3t:${bucket}/${folder}`, password, salt, extraEnv: s3Env()});

async function readAll(stream: Readable): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

beforeAll(async () => {
	requireRclone();
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-crypt-s3-'));
	sourceDir = path.join(base, 'source');
	for (const [name, data] of files) {
		const full = path.join(sourceDir, name);
		await fs.mkdir(path.dirname(full), {recursive: true});
		await fs.writeFile(full, data);
		await fs.utimes(full, mtime / 1000, mtime / 1000);
	}
});

afterAll(async () => {
	await s3?.stop();
	await fs.rm(base, {recursive: true, force: true});
});

describe('rclone interop over S3', () => {
	it('rclone verifies and reads what cloudsync encrypted into the bucket', async () => {
		const remote = crypt('from-cloudsync');
		for (const [name, data] of files) {
			const entry = await remote.write(name, Readable.from([data]), {size: data.length, mtime});
			expect(entry.size).toBe(data.length);
		}
		const rcloneEnv = await env('from-cloudsync');
		const cryptcheck = await rclone(['cryptcheck', fastList, sourceDir, 'crypt:'], rcloneEnv);
		expect(cryptcheck.code, cryptcheck.stderr).toBe(0);
		expect(cryptcheck.stderr).toContain(`${files.size} matching files`);
		const check = await rclone(['check', fastList, '--download', sourceDir, 'crypt:'], rcloneEnv);
		expect(check.code, check.stderr).toBe(0);
		const cat = await rclone(['cat', 'crypt:photos/2020/big.raw'], rcloneEnv);
		expect(cat.code, cat.stderr).toBe(0);
		expect(cat.raw.equals(files.get('photos/2020/big.raw') as Buffer)).toBe(true);
		const listing = JSON.parse((await rclone(['lsjson', fastList, '-R', '--files-only', 'crypt:'], rcloneEnv)).stdout) as Array<{Path: string; ModTime: string}>;
		for (const item of listing) expect(Date.parse(item.ModTime), item.Path).toBe(mtime);
	});

	it('cloudsync reads back what rclone encrypted into the bucket, identical', async () => {
		const copy = await rclone(['copy', fastList, sourceDir, 'crypt:'], await env('from-rclone'));
		expect(copy.code, copy.stderr).toBe(0);
		const remote = crypt('from-rclone');
		await remote.verify();
		const entries = (await collect(remote.list())).filter(entry => !entry.isDir);
		expect(entries.map(entry => [entry.path, entry.size])).toEqual([...files].map(([name, data]) => [name, data.length]).sort((a, b) => compareKeys(a[0] as string, b[0] as string)));
		for (const entry of entries) {
			expect(entry.mtime).toBe(mtime);
			expect((await readAll(await remote.read(entry.path))).equals(files.get(entry.path) as Buffer)).toBe(true);
		}
		const big = files.get('photos/2020/big.raw') as Buffer;
		const middle = await readAll(await remote.read('photos/2020/big.raw', {start: 5 * 1024 * 1024 - 1, end: 5 * 1024 * 1024 + 65536}));
		expect(middle.equals(big.subarray(5 * 1024 * 1024 - 1, 5 * 1024 * 1024 + 65537))).toBe(true);
		const wrong = await collect(crypt('from-rclone', 'wrong password').list()).then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(wrong).toBeInstanceOf(CloudSyncError);
		expect((wrong as CloudSyncError).message).toBe('cannot decrypt: wrong password or salt, or not an encrypted remote');
	});

	it('a tampered object is refused by rclone and by cloudsync', async () => {
		const remote = crypt('from-cloudsync');
		const name = 'photos/2020/small.jpg';
		const key = `from-cloudsync/${await remote.storedPath(name)}`;
		const object = await s3.client.send(new GetObjectCommand({Bucket: bucket, Key: key}));
		const bytes = Buffer.from(await (object.Body as {transformToByteArray(): Promise<Uint8Array>}).transformToByteArray());
		bytes[40] ^= 0x01;
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: bytes, Metadata: object.Metadata}));

		const cat = await rclone(['cat', `crypt:${name}`], await env('from-cloudsync'));
		expect(cat.code).not.toBe(0);
		expect(cat.stderr).toContain('failed to authenticate decrypted block');
		const error = await readAll(await remote.read(name)).then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as CloudSyncError).message).toBe(`Cannot decrypt "${name}": chunk 0 failed authentication, so the stored data was changed or damaged after encryption.`);
	});

	it('lists a file and a folder of the same name (S3 allows both) in byte order, in both walk strategies', async () => {
		const remote = crypt('same-name');
		for (const name of ['x', 'x/y', 'x/z/w', 'x.txt', 'w']) await remote.write(name, Readable.from([Buffer.from(name)]), {size: name.length, mtime});
		for (const limit of [undefined, 1]) {
			const paths = (await collect(crypt('same-name', password, limit).list())).map(entry => (entry.isDir ? `${entry.path}/` : entry.path));
			expect(paths.filter(p => !p.endsWith('/'))).toEqual(['w', 'x', 'x.txt', 'x/y', 'x/z/w']);
		}
	});
});
