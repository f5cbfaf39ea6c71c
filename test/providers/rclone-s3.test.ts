/**
 * Cross-check with the real rclone: what cloudsync uploads to S3, rclone sees
 * with the same sizes, modification times, MD5s and permissions; and what
 * rclone uploads, cloudsync sees the same way.
 */
import {execFileSync} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {formatSecondsNs, msFromNs, parseSecondsNs} from '../../source/core/mtime.js';
import type {Entry} from '../../source/providers/remote.js';
import {S3Remote} from '../../source/providers/s3.js';
import {lsjson, rclone, rcloneBinary, rcloneObscure, rcloneTimeToMs, runRclone, s3rverRemote} from '../support/rclone.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';

let s3: S3rverHandle;
let work: string;
const bucket = 'cross-check';

beforeAll(async () => {
	rcloneBinary(); // fails here, clearly, when rclone is missing
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	work = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-rclone-s3-'));
});

afterAll(async () => {
	await s3?.stop();
	if (work) await fs.rm(work, {recursive: true, force: true});
});

function cloudsync(folder: string): S3Remote {
	return new S3Remote(
		{preset: 'other', endpoint: s3.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, chunk_size: 5},
		{bucket, folder},
	);
}

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

// Sizes: empty, small, and 7 MiB (multipart with 5 MiB parts). Times to the nanosecond.
const files = [
	{name: 'empty.txt', data: Buffer.alloc(0), ns: 1500000000000000000n, mode: 0o644},
	{name: 'dir/small file.txt', data: Buffer.from('hello rclone\n'), ns: 1700000000123456789n, mode: 0o600},
	{name: 'dir/sub/ünï \u{1F600}.bin', data: randomBytes(70_001), ns: 1600000000999999999n, mode: 0o755},
	{name: 'big.bin', data: randomBytes(7 * 1024 * 1024 + 11), ns: 1650000000500000001n, mode: 0o640},
].map(file => ({...file, mtime: msFromNs(file.ns)}));

test('rclone sees what cloudsync uploaded: sizes, mtimes, MD5s and modes', async () => {
	const remote = cloudsync('up');
	for (const file of files) {
		await remote.write(file.name, Readable.from([file.data]), {size: file.data.length, mtime: file.mtime, mtimeNs: file.ns, mode: file.mode, uid: 1000, gid: 1000});
	}
	const target = s3rverRemote(s3);
	const items = await lsjson(target.path(`${bucket}/up`), ['-R', '--files-only', '--hash', '-M'], {env: target.env});
	expect(items.map(i => i.Path).sort()).toEqual(files.map(f => f.name).sort());
	for (const file of files) {
		const item = items.find(i => i.Path === file.name)!;
		expect(item.Size).toBe(file.data.length);
		expect(parseSecondsNs(item.ModTime)).toBe(file.ns);
		expect(item.Hashes?.md5 ?? item.Hashes?.MD5).toBe(md5(file.data));
		expect(item.Metadata?.mode).toBe((0o100000 | file.mode).toString(8));
		expect(item.Metadata?.uid).toBe('1000');
	}
	// rclone check agrees with the local copy of the same files.
	const local = path.join(work, 'expected');
	for (const file of files) {
		await fs.mkdir(path.dirname(path.join(local, file.name)), {recursive: true});
		await fs.writeFile(path.join(local, file.name), file.data);
	}
	await rclone(['check', local, target.path(`${bucket}/up`)], {env: target.env});
});

test('cloudsync sees what rclone uploaded: sizes, mtimes, MD5s and modes', async () => {
	const source = path.join(work, 'source');
	for (const file of files) {
		const full = path.join(source, file.name);
		await fs.mkdir(path.dirname(full), {recursive: true});
		await fs.writeFile(full, file.data);
		await fs.chmod(full, file.mode);
		execFileSync('touch', ['-m', '-d', `@${formatSecondsNs(file.ns)}`, full]);
	}
	const target = s3rverRemote(s3);
	// Small cut-off and chunks so big.bin goes multipart; -M carries mode/uid/gid.
	await rclone(['copy', '-M', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', source, target.path(`${bucket}/down`)], {env: target.env});
	const theirs = await lsjson(target.path(`${bucket}/down`), ['-R', '--files-only', '--hash'], {env: target.env});
	const entries = await collect(cloudsync('down').list());
	expect(entries.map(e => e.path).sort()).toEqual(files.map(f => f.name).sort());
	for (const file of files) {
		const entry = entries.find(e => e.path === file.name)!;
		const item = theirs.find(i => i.Path === file.name)!;
		expect((await fs.stat(path.join(source, file.name), {bigint: true})).mtimeNs).toBe(file.ns);
		expect(entry.size).toBe(file.data.length);
		expect(entry.size).toBe(item.Size);
		expect(entry.mtimeNs).toBe(file.ns);
		expect(parseSecondsNs(item.ModTime)).toBe(file.ns);
		expect(Math.abs(entry.mtime - rcloneTimeToMs(item.ModTime))).toBeLessThan(0.001);
		expect(entry.mode).toBe(file.mode);
		const stat = await cloudsync('down').stat(file.name);
		expect(stat?.hashes?.md5 ?? entry.hashes?.md5).toBe(md5(file.data));
		expect(stat?.mode).toBe(file.mode);
	}
});

test('the rclone runner: obscured passwords go through stdin, failures come back with their exit code', async () => {
	const obscured = await rcloneObscure('a password with spaces');
	expect(obscured).not.toContain('password');
	// A dummy password, so revealing it through argv here shows nothing worth hiding.
	// Obscured text may begin with '-' (it is base64url): after '--' it is not read as a flag.
	expect((await rclone(['reveal', '--', obscured])).trim()).toBe('a password with spaces');
	expect((await rclone(['reveal', '--', '-3erO7KOgdECwA4abrsHxsrCp6WaHpf-Ml-AwQc__AcUdY0iZFw'])).trim()).toBe('a password with spaces');
	const target = s3rverRemote(s3);
	const missing = await runRclone(['lsf', target.path('no-such-bucket')], {env: target.env});
	expect(missing.code).not.toBe(0);
	expect(missing.stderr).toMatch(/NoSuchBucket|directory not found/i);
	expect(rcloneTimeToMs('2023-11-14T22:13:20.123456789Z')).toBeCloseTo(1700000000123.456789, 3);
	expect(rcloneTimeToMs('2023-11-14T23:13:20+01:00')).toBe(1700000000000);
});
