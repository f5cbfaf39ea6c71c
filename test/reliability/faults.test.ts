/**
 * Faults between cloudsync and the server: a seeded proxy in front of s3rver
 * (and of the local Dropbox server) answers 500, 503 SlowDown, 429 with
 * Retry-After, resets connections mid-body, stalls then drops, and truncates
 * answers. SYNC (push and pull) and MOVE through it at 5% and 20% end
 * identical to the source (rclone check --download and our own hashes); at
 * 100% a run fails cleanly, deletes nothing, and a run without faults then
 * completes.
 */
import fs from 'node:fs';
import path from 'node:path';
import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DropboxRemote} from '../../source/providers/dropbox.js';
import {LocalRemote} from '../../source/providers/local.js';
import {S3Remote} from '../../source/providers/s3.js';
import {MemoryMtimeIndex} from '../../source/providers/s3-mtime-index.js';
import type {Remote} from '../../source/providers/remote.js';
import {runSync, type SyncMode, type SyncResult} from '../../source/sync/engine.js';
import {realSleep} from '../../source/sync/retry.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';
import {allFaults, startFaultProxy, type FaultProxy} from '../support/fault-proxy.js';
import {localRemote, runRclone, s3rverRemote} from '../support/rclone.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {removeScratch, scratch} from './support/lab.js';
import {full, recordRow} from './support/summary.js';
import {compareDigests, hashBucket, hashLocal, md5, writeTree, type Digests} from './support/trees.js';

const bucket = 'faults';
const s3Files = full ? 2_000 : 300;
const dropboxFiles = full ? 500 : 100;
const rates = [0.05, 0.2];

let s3: S3rverHandle;
let s3Proxy: FaultProxy;
let dropbox: DropboxServer;
let dropboxProxy: FaultProxy;
let source: string;
let digests: Digests;
let dropboxSource: string;
let dropboxDigests: Digests;

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	s3Proxy = await startFaultProxy({target: s3.endpoint, seed: 5, stallMs: 1_500, retryAfterSeconds: 1});
	dropbox = await startDropboxServer({pageSize: 200});
	dropboxProxy = await startFaultProxy({target: dropbox.url, seed: 6, stallMs: 1_500, retryAfterSeconds: 1});
	source = scratch('faults-source');
	digests = writeTree(source, s3Files, 42);
	dropboxSource = scratch('faults-dropbox');
	dropboxDigests = writeTree(dropboxSource, dropboxFiles, 43);
}, 120_000);
afterAll(async () => {
	await s3Proxy?.stop();
	await dropboxProxy?.stop();
	await s3?.stop();
	await dropbox?.stop();
	removeScratch();
});

function s3At(endpoint: string, folder: string): S3Remote {
	return new S3Remote(
		{preset: 'other', endpoint, region: 'us-east-1', force_path_style: true, access_key_id: 'S3RVER', secret_access_key: 'S3RVER'},
		{bucket, folder},
		{mtimeIndex: new MemoryMtimeIndex()},
	);
}

function dropboxAt(apiUrl: string, folder: string): DropboxRemote {
	return new DropboxRemote({token: dropbox.token, api_url: apiUrl}, {folder});
}

function dropboxDigestsOf(folder: string): Digests {
	const out: Digests = new Map();
	const prefix = `/${folder}/`.toLowerCase();
	for (const p of dropbox.paths()) {
		const file = dropbox.file(p);
		if (!file || !p.toLowerCase().startsWith(prefix)) continue;
		out.set(file.path.slice(prefix.length), {size: file.content.length, md5: md5(file.content)});
	}
	return out;
}

const injectedCount = (proxy: FaultProxy) => Object.values(proxy.stats.injected).reduce((a, b) => a + b, 0);

async function sync(source: Remote, destination: Remote, mode: SyncMode, sleepCapMs?: number): Promise<SyncResult> {
	try {
		return await runSync({source, destination, mode, ...(sleepCapMs === undefined ? {} : {sleep: (ms, signal) => realSleep(Math.min(ms, sleepCapMs), signal)})});
	} finally {
		await source.close?.();
		await destination.close?.();
	}
}

async function rcloneCheckS3(local: string, folder: string): Promise<string> {
	const remote = s3rverRemote(s3);
	const result = await runRclone(['check', local, remote.path(`${bucket}/${folder}`), '--download', '--one-way=false'], {env: remote.env});
	const output = result.stderr + result.stdout;
	expect(result.code, output).toBe(0);
	expect(output).toMatch(/0 differences found/);
	return output;
}

function oneSentence(result: SyncResult): void {
	for (const error of result.errors) {
		expect(error.message).not.toMatch(/\n|\bat .*\.(ts|js):\d+/);
		expect(error.message.length).toBeLessThan(400);
	}
}

describe.each(rates)('S3 through the fault proxy at %s', rate => {
	const percent = `${Math.round(rate * 100)}%`;

	test(`SYNC push, then SYNC pull, of ${s3Files} files end identical`, async () => {
		const folder = `sync-${percent}`;
		// The destination already holds an extra and a stale file; SYNC must fix both.
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `${folder}/extra-only-here.txt`, Body: 'extra'}));
		const [firstName] = digests.keys();
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `${folder}/${firstName}`, Body: 'stale'}));
		s3Proxy.resetStats();
		s3Proxy.setRate(rate);
		const push = await sync(new LocalRemote(source), s3At(s3Proxy.endpoint, folder), 'SYNC');
		const pushFaults = injectedCount(s3Proxy);
		expect(push.errors).toEqual([]);
		expect(push.ok).toBe(true);
		const pulled = path.join(scratch('faults-pull'), 'back');
		fs.mkdirSync(pulled);
		s3Proxy.resetStats();
		const pull = await sync(s3At(s3Proxy.endpoint, folder), new LocalRemote(pulled), 'SYNC');
		const pullFaults = injectedCount(s3Proxy);
		s3Proxy.setRate(0);
		expect(pull.errors).toEqual([]);
		expect(pull.ok).toBe(true);
		expect(pushFaults + pullFaults).toBeGreaterThan(rate * s3Files * 0.5);

		await rcloneCheckS3(source, folder);
		await rcloneCheckS3(pulled, folder);
		const inBucket = compareDigests(digests, await hashBucket(s3.client, bucket, folder));
		const back = compareDigests(digests, hashLocal(pulled));
		expect({...inBucket, verified: 0}).toEqual({verified: 0, missing: [], differ: [], extra: []});
		expect({...back, verified: 0}).toEqual({verified: 0, missing: [], differ: [], extra: []});
		recordRow({scenario: `faults ${percent}: S3 SYNC push+pull`, runs: 2, injected: pushFaults + pullFaults, verified: inBucket.verified + back.verified, lost: 0});
	}, full ? 7_200_000 : 400_000);

	test(`MOVE of ${s3Files} files: everything arrives, the source empties`, async () => {
		const folder = `move-${percent}`;
		const moving = path.join(scratch('faults-move'), 'src');
		fs.cpSync(source, moving, {recursive: true, preserveTimestamps: true});
		s3Proxy.resetStats();
		s3Proxy.setRate(rate);
		const move = await sync(new LocalRemote(moving), s3At(s3Proxy.endpoint, folder), 'MOVE');
		s3Proxy.setRate(0);
		const faults = injectedCount(s3Proxy);
		expect(move.errors).toEqual([]);
		expect(move.ok).toBe(true);
		const inBucket = compareDigests(digests, await hashBucket(s3.client, bucket, folder));
		expect({...inBucket, verified: 0}).toEqual({verified: 0, missing: [], differ: [], extra: []});
		expect([...hashLocal(moving).keys()]).toEqual([]);
		recordRow({scenario: `faults ${percent}: S3 MOVE`, runs: 1, injected: faults, verified: inBucket.verified, lost: digests.size - inBucket.verified});
	}, full ? 7_200_000 : 400_000);

	test(`Dropbox: SYNC and MOVE of ${dropboxFiles} files end identical`, async () => {
		const folder = `sync-${percent}`;
		dropbox.putFile(`/${folder}/extra-only-here.txt`, 'extra');
		dropboxProxy.resetStats();
		dropboxProxy.setRate(rate);
		const push = await sync(new LocalRemote(dropboxSource), dropboxAt(dropboxProxy.endpoint, folder), 'SYNC');
		const moving = path.join(scratch('faults-dbx-move'), 'src');
		fs.cpSync(dropboxSource, moving, {recursive: true, preserveTimestamps: true});
		const move = await sync(new LocalRemote(moving), dropboxAt(dropboxProxy.endpoint, `move-${percent}`), 'MOVE');
		dropboxProxy.setRate(0);
		const faults = injectedCount(dropboxProxy);
		expect(push.errors).toEqual([]);
		expect(push.ok).toBe(true);
		expect(move.errors).toEqual([]);
		expect(move.ok).toBe(true);
		const synced = compareDigests(dropboxDigests, dropboxDigestsOf(folder));
		const moved = compareDigests(dropboxDigests, dropboxDigestsOf(`move-${percent}`));
		expect({...synced, verified: 0}).toEqual({verified: 0, missing: [], differ: [], extra: []});
		expect({...moved, verified: 0}).toEqual({verified: 0, missing: [], differ: [], extra: []});
		expect([...hashLocal(moving).keys()]).toEqual([]);
		recordRow({scenario: `faults ${percent}: Dropbox SYNC+MOVE`, runs: 2, injected: faults, verified: synced.verified + moved.verified, lost: 0});
	}, full ? 7_200_000 : 400_000);
});

describe('100% faults', () => {
	// Backoff sleeps are capped here: every request fails, so the real waits only make the test slow.
	const cap = 50;
	// A truncated answer comes after the server did the work: at 100% no request may get through.
	const refusing = allFaults.filter(kind => kind !== 'truncate');
	beforeAll(() => {
		s3Proxy.setFaults(refusing);
		dropboxProxy.setFaults(refusing);
	});

	test('S3: SYNC and MOVE fail cleanly and delete nothing; a run without faults completes', async () => {
		const folder = 'total';
		const small = path.join(scratch('faults-total'), 'src');
		const smallDigests = writeTree(small, 20, 77);
		// A first good run, then the source changes: a SYNC would now delete `gone` and replace one file.
		expect((await sync(new LocalRemote(small), s3At(s3.endpoint, folder), 'SYNC')).ok).toBe(true);
		const [victim, changed] = [...smallDigests.keys()];
		fs.rmSync(path.join(small, victim!));
		fs.writeFileSync(path.join(small, changed!), 'new content');
		const before = await hashBucket(s3.client, bucket, folder);
		// Every request fails, the listing included (short stalls: there are many).
		const everything = await startFaultProxy({target: s3.endpoint, rate: 1, seed: 4, stallMs: 200, faults: refusing});
		const all = await sync(new LocalRemote(small), s3At(everything.endpoint, folder), 'SYNC', cap);
		await everything.stop();
		// The listing works, every write fails: the deletions must still not happen.
		const writesOnly = await startFaultProxy({target: s3.endpoint, rate: 1, seed: 3, stallMs: 200, faults: refusing, eligible: request => request.method === 'PUT' || request.method === 'POST'});
		const put = await sync(new LocalRemote(small), s3At(writesOnly.endpoint, folder), 'SYNC', cap);
		const moving = path.join(scratch('faults-total-move'), 'src');
		fs.cpSync(small, moving, {recursive: true, preserveTimestamps: true});
		const movingBefore = hashLocal(moving);
		const move = await sync(new LocalRemote(moving), s3At(writesOnly.endpoint, 'total-move'), 'MOVE', cap);
		const faults = injectedCount(everything) + injectedCount(writesOnly);
		await writesOnly.stop();
		for (const [what, result] of Object.entries({all, put, move})) {
			expect(result.ok, `${what}: ${JSON.stringify(result.counts)}`).toBe(false);
			expect(result.counts.deleted).toBe(0);
			expect(result.errors.length).toBeGreaterThan(0);
			oneSentence(result);
		}
		expect(compareDigests(before, await hashBucket(s3.client, bucket, folder))).toMatchObject({verified: before.size, missing: [], differ: [], extra: []});
		expect(compareDigests(movingBefore, hashLocal(moving))).toMatchObject({verified: movingBefore.size, missing: [], differ: []});

		const again = await sync(new LocalRemote(small), s3At(s3Proxy.endpoint, folder), 'SYNC');
		expect(again.ok).toBe(true);
		await rcloneCheckS3(small, folder);
		const moveAgain = await sync(new LocalRemote(moving), s3At(s3Proxy.endpoint, 'total-move'), 'MOVE');
		expect(moveAgain.ok).toBe(true);
		const moved = compareDigests(movingBefore, await hashBucket(s3.client, bucket, 'total-move'));
		expect(moved.verified).toBe(movingBefore.size);
		recordRow({scenario: 'faults 100%: S3 fail clean, rerun', runs: 5, injected: faults, verified: before.size + movingBefore.size + moved.verified, lost: 0});
	}, full ? 7_200_000 : 400_000);

	test('Dropbox: SYNC fails cleanly and deletes nothing; a run without faults completes', async () => {
		const small = path.join(scratch('faults-dbx-total'), 'src');
		const smallDigests = writeTree(small, 20, 78);
		expect((await sync(new LocalRemote(small), dropboxAt(dropbox.url, 'total'), 'SYNC')).ok).toBe(true);
		const [victim] = [...smallDigests.keys()];
		fs.rmSync(path.join(small, victim!));
		const before = dropboxDigestsOf('total');
		dropboxProxy.resetStats();
		dropboxProxy.setRate(1);
		const failed = await sync(new LocalRemote(small), dropboxAt(dropboxProxy.endpoint, 'total'), 'SYNC', cap);
		dropboxProxy.setRate(0);
		const faults = injectedCount(dropboxProxy);
		expect(failed.ok).toBe(false);
		expect(failed.counts.deleted).toBe(0);
		oneSentence(failed);
		expect(compareDigests(before, dropboxDigestsOf('total')).verified).toBe(before.size);
		const again = await sync(new LocalRemote(small), dropboxAt(dropboxProxy.endpoint, 'total'), 'SYNC');
		expect(again.ok).toBe(true);
		const end = compareDigests(hashLocal(small), dropboxDigestsOf('total'));
		expect(end).toMatchObject({missing: [], differ: [], extra: []});
		recordRow({scenario: 'faults 100%: Dropbox fail clean, rerun', runs: 2, injected: faults, verified: before.size + end.verified, lost: 0});
	}, full ? 7_200_000 : 400_000);
});
