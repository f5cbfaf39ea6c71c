/**
 * Modification times survive to the nanosecond: local -> local, and local ->
 * S3 -> local, through the real s3rver; a second run then finds nothing to do.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {nativeFs} from '../../source/native/load.js';
import {LocalRemote} from '../../source/providers/local.js';
import {MemoryMtimeIndex} from '../../source/providers/s3-mtime-index.js';
import {runSync} from '../../source/sync/engine.js';
import type {SyncOptions} from '../../source/sync/types.js';
import {s3Remote, startS3Lab, type S3Lab} from './s3-setup.js';
import {tempFolders} from './tree.js';

const bucket = 'mtimens';
let lab: S3Lab;
const folders = tempFolders();
const folder = folders.folder;

beforeAll(async () => {
	lab = await startS3Lab(bucket);
});
afterAll(async () => {
	await lab?.stop();
	await folders.cleanup();
});


/** Times whose last digits a microsecond clock would lose. */
const times: Record<string, string> = {
	'a.txt': '1700000000.123456789',
	'dir/b.txt': '1600000000.000000001',
	'dir/c.bin': '1650000000.999999999',
};

async function stampTimes(root: string): Promise<void> {
	for (const [name, seconds] of Object.entries(times)) execFileSync('touch', ['-m', '-d', `@${seconds}`, path.join(root, name)]);
}

async function mtimesNs(root: string): Promise<Record<string, bigint>> {
	const out: Record<string, bigint> = {};
	for (const name of Object.keys(times)) out[name] = (await fs.stat(path.join(root, name), {bigint: true})).mtimeNs;
	return out;
}

const sync = (options: Pick<SyncOptions, 'source' | 'destination' | 'mode'>) => runSync({sleep: async () => {}, ...options});

test('the native helper is built and loaded (else times stop at the microsecond)', () => {
	expect(nativeFs()).toBeDefined();
	expect(new LocalRemote('/').features.precisionMs).toBe(1e-6);
});

test('local -> local keeps every nanosecond, and the next run copies and touches nothing', async () => {
	const source = await folder({'a.txt': 'alpha', 'dir/b.txt': 'bravo', 'dir/c.bin': 'charlie'});
	await stampTimes(source);
	const target = await folder();
	const first = await sync({source: new LocalRemote(source), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(first.ok).toBe(true);
	expect(first.counts.copied).toBe(3);
	expect(await mtimesNs(target)).toEqual(await mtimesNs(source));
	const second = await sync({source: new LocalRemote(source), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(second.counts).toMatchObject({copied: 0, updated: 0, deleted: 0});
	// One nanosecond off with the same content: only the time is set, exactly.
	execFileSync('touch', ['-m', '-d', '@1700000000.123456788', path.join(target, 'a.txt')]);
	const third = await sync({source: new LocalRemote(source), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(third.counts).toMatchObject({copied: 0, updated: 1});
	expect(await mtimesNs(target)).toEqual(await mtimesNs(source));
});

test('local -> S3 -> local keeps every nanosecond (x-amz-meta-mtime carries them), with and without the mtime index', async () => {
	const source = await folder({'a.txt': 'alpha', 'dir/b.txt': 'bravo', 'dir/c.bin': 'charlie'});
	await stampTimes(source);
	const index = new MemoryMtimeIndex();
	const push = await sync({source: new LocalRemote(source), destination: s3Remote(lab.s3.endpoint, bucket, 'ns', index), mode: 'SYNC'});
	expect(push.ok).toBe(true);
	const head = await lab.s3.client.send(new (await import('@aws-sdk/client-s3')).HeadObjectCommand({Bucket: bucket, Key: 'ns/a.txt'}));
	expect(head.Metadata?.mtime).toBe('1700000000.123456789');
	// A fresh index (HEADs) and the one the push filled: both pull the exact times.
	for (const pullIndex of [new MemoryMtimeIndex(), index]) {
		const target = await folder();
		const pull = await sync({source: s3Remote(lab.s3.endpoint, bucket, 'ns', pullIndex), destination: new LocalRemote(target), mode: 'SYNC'});
		expect(pull.ok).toBe(true);
		expect(await mtimesNs(target)).toEqual(await mtimesNs(source));
	}
	const again = await sync({source: new LocalRemote(source), destination: s3Remote(lab.s3.endpoint, bucket, 'ns', index), mode: 'SYNC'});
	expect(again.counts).toMatchObject({copied: 0, updated: 0, deleted: 0});
});
