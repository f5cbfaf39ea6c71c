import fs from 'node:fs/promises';
import path from 'node:path';
import {ListObjectsV2Command, PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {LocalRemote} from '../../source/providers/local.js';
import {FileMtimeIndex} from '../../source/providers/s3-mtime-index.js';
import {runSync} from '../../source/sync/engine.js';
import type {SyncLogEntry, SyncOptions} from '../../source/sync/types.js';
import {rcloneCheck} from './rclone-helper.js';
import {s3Remote, startS3Lab, type S3Lab} from './s3-setup.js';
import {fileNames, snapshot, tempDir, writeTree} from './tree.js';

const bucket = 'syncs3';
let lab: S3Lab;
const roots: string[] = [];
let folderCounter = 0;

beforeAll(async () => {
	lab = await startS3Lab(bucket);
});
afterAll(async () => {
	await lab?.stop();
	for (const root of roots) await fs.rm(root, {recursive: true, force: true});
});

async function local(files: Record<string, string | Buffer> = {}): Promise<string> {
	const root = await tempDir();
	roots.push(root);
	await writeTree(root, files);
	return root;
}
const newFolder = () => `run${++folderCounter}`;
const noSleep = async () => {};

const tree = {
	'a.txt': 'alpha',
	'b/c.txt': 'charlie',
	'b/d/e.bin': Buffer.alloc(70_000, 7),
	'z é.txt': 'unicode',
	'empty.txt': '',
};

async function run(options: Partial<SyncOptions> & Pick<SyncOptions, 'source' | 'destination' | 'mode'>) {
	const logs: SyncLogEntry[] = [];
	const result = await runSync({sleep: noSleep, onLog: l => logs.push(l), ...options});
	return {result, logs};
}

async function expectSame(localRoot: string, folder: string, extra: string[] = []) {
	const check = await rcloneCheck(localRoot, `S3T:${bucket}/${folder}`, lab.rcloneS3, extra);
	expect(check.output, check.output).toMatch(/0 differences found/);
	expect(check.same).toBe(true);
}

async function keys(prefix: string): Promise<string[]> {
	const out = await lab.s3.client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix}));
	return (out.Contents ?? []).map(o => o.Key!.slice(prefix.length)).sort();
}

describe('local <-> s3rver', () => {
	test('PUSH SYNC, then changes, then PULL SYNC into an empty folder: rclone check agrees each time', async () => {
		const src = await local(tree);
		const folder = newFolder();
		const first = await run({source: new LocalRemote(src), destination: s3Remote(lab.proxy.endpoint, bucket, folder), mode: 'SYNC'});
		expect(first.result.ok).toBe(true);
		expect(first.result.counts.copied).toBe(5);
		await expectSame(src, folder);

		await fs.writeFile(path.join(src, 'a.txt'), 'alpha, longer now');
		await fs.utimes(path.join(src, 'b/c.txt'), 1_800_000_000, 1_800_000_000);
		await fs.rm(path.join(src, 'b/d'), {recursive: true});
		const second = await run({source: new LocalRemote(src), destination: s3Remote(lab.proxy.endpoint, bucket, folder), mode: 'SYNC'});
		expect(second.result.ok).toBe(true);
		expect(second.result.counts).toMatchObject({copied: 1, updated: 1, deleted: 1});
		await expectSame(src, folder);

		const back = await local();
		const pull = await run({source: s3Remote(lab.proxy.endpoint, bucket, folder), destination: new LocalRemote(back), mode: 'SYNC'});
		expect(pull.result.ok).toBe(true);
		await expectSame(back, folder);
		const mine = await snapshot(src);
		const theirs = await snapshot(back);
		// Same size and MD5; mtimes within 1.5 µs: setting a time goes through fs.utimes,
		// which libuv truncates to whole microseconds, after a double rounds it by ~0.24 µs.
		const mtimeNs = (line: string | undefined) => BigInt(/mtime=(\d+) /.exec(line ?? '')?.[1] ?? '-1');
		const rest = (line: string | undefined) => line?.replace(/mtime=\d+ /, '');
		for (const name of ['a.txt', 'b/c.txt', 'z é.txt', 'empty.txt']) {
			expect(rest(theirs[name])).toBe(rest(mine[name]));
			const apart = mtimeNs(theirs[name]) - mtimeNs(mine[name]);
			expect(apart < 0n ? -apart : apart, name).toBeLessThan(1500n);
		}

		const again = await run({source: s3Remote(lab.proxy.endpoint, bucket, folder), destination: new LocalRemote(back), mode: 'SYNC'});
		expect(again.result.counts).toMatchObject({copied: 0, updated: 0, deleted: 0, checked: 4});
	});

	test('COPY both ways never deletes; MOVE both ways removes only verified sources', async () => {
		const src = await local(tree);
		const folder = newFolder();
		await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `${folder}/remote-only.txt`, Body: 'stay'}));
		const copy = await run({source: new LocalRemote(src), destination: s3Remote(lab.proxy.endpoint, bucket, folder), mode: 'COPY'});
		expect(copy.result.counts).toMatchObject({copied: 5, deleted: 0});
		expect(await keys(`${folder}/`)).toContain('remote-only.txt');

		const pulled = await local({'local-only.txt': 'stay'});
		const copyBack = await run({source: s3Remote(lab.proxy.endpoint, bucket, folder), destination: new LocalRemote(pulled), mode: 'COPY'});
		expect(copyBack.result.counts).toMatchObject({copied: 6, deleted: 0});
		expect(await fileNames(pulled)).toContain('local-only.txt');

		const moveFolder = newFolder();
		const moved = await run({source: new LocalRemote(src), destination: s3Remote(lab.proxy.endpoint, bucket, moveFolder), mode: 'MOVE'});
		expect(moved.result.ok).toBe(true);
		expect(await fileNames(src)).toEqual([]);
		await expectSame(await localCopyOf(tree), moveFolder);

		const landing = await local();
		const movedBack = await run({source: s3Remote(lab.proxy.endpoint, bucket, moveFolder), destination: new LocalRemote(landing), mode: 'MOVE'});
		expect(movedBack.result.ok).toBe(true);
		expect(await keys(`${moveFolder}/`)).toEqual([]);
		expect(await fileNames(landing)).toEqual(['a.txt', 'b/c.txt', 'b/d/e.bin', 'empty.txt', 'z é.txt']);
	});

	test('a dry run against S3 changes nothing and lists the plan', async () => {
		const src = await local(tree);
		const folder = newFolder();
		await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `${folder}/extra.txt`, Body: 'x'}));
		const {result} = await run({source: new LocalRemote(src), destination: s3Remote(lab.proxy.endpoint, bucket, folder), mode: 'SYNC', dryRun: true});
		expect(result.counts).toMatchObject({copied: 5, deleted: 1});
		expect(result.plan?.map(p => `${p.action} ${p.path}`)).toEqual([
			'copy a.txt',
			'copy b/c.txt',
			'copy b/d/e.bin',
			'copy empty.txt',
			'copy z é.txt',
			'delete extra.txt',
		]);
		expect(await keys(`${folder}/`)).toEqual(['extra.txt']);
	});
});

async function localCopyOf(files: Record<string, string | Buffer>): Promise<string> {
	return local(files);
}

describe('no HEAD per object on a no-op sync (mtime index)', () => {
	test('the second run lists only; an object rewritten behind our back is HEADed and repaired', async () => {
		const src = await local(Object.fromEntries(Array.from({length: 40}, (_, i) => [`f/${String(i).padStart(2, '0')}.txt`, `file ${i}`])));
		const folder = newFolder();
		const indexFile = path.join(await local(), 'index', 'mtimes.json');
		const open = async () => s3Remote(lab.proxy.endpoint, bucket, folder, await FileMtimeIndex.open(indexFile));

		let destination = await open();
		expect((await run({source: new LocalRemote(src), destination, mode: 'SYNC'})).result.ok).toBe(true);
		await destination.close();

		lab.proxy.resetStats();
		destination = await open();
		const noop = await run({source: new LocalRemote(src), destination, mode: 'SYNC'});
		await destination.close();
		expect(noop.result.counts).toMatchObject({copied: 0, updated: 0, checked: 40});
		expect(lab.proxy.stats.byMethod.HEAD ?? 0).toBe(0);
		expect(lab.proxy.stats.byMethod.GET).toBe(1);

		// Something else rewrites one object (same size, other content, no mtime metadata).
		await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `${folder}/f/07.txt`, Body: 'FILE 7'}));
		lab.proxy.resetStats();
		destination = await open();
		const repair = await run({source: new LocalRemote(src), destination, mode: 'SYNC'});
		await destination.close();
		expect(lab.proxy.stats.byMethod.HEAD).toBe(1);
		expect(repair.result.counts).toMatchObject({copied: 1, checked: 39});
		await expectSame(src, folder);
	});
});
