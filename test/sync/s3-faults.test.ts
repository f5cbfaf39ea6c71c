import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {ListObjectsV2Command, PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {LocalRemote} from '../../source/providers/local.js';
import {runSync} from '../../source/sync/engine.js';
import {realSleep} from '../../source/sync/retry.js';
import type {SyncLogEntry} from '../../source/sync/types.js';
import {startFaultProxy, type FaultProxy} from '../support/fault-proxy.js';
import {rcloneCheck} from './rclone-helper.js';
import {s3Remote, startS3Lab, type S3Lab} from './s3-setup.js';
import {fileNames, snapshot, tempDir, writeTree} from './tree.js';

const bucket = 'faults';
let lab: S3Lab;
let faulty: FaultProxy;
const roots: string[] = [];

/** Backoff really sleeps, but briefly, so the test stays short. */
const shortSleep = (ms: number, signal?: AbortSignal) => realSleep(Math.min(ms, 20), signal);

beforeAll(async () => {
	lab = await startS3Lab(bucket);
	faulty = await startFaultProxy({target: lab.s3.endpoint, rate: 0, seed: 7, stallMs: 800, retryAfterSeconds: 1});
});
afterAll(async () => {
	await faulty?.stop();
	await lab?.stop();
	for (const root of roots) await fs.rm(root, {recursive: true, force: true});
});

async function local(files: Record<string, string | Buffer> = {}): Promise<string> {
	const root = await tempDir();
	roots.push(root);
	await writeTree(root, files);
	return root;
}

function workload(): Record<string, string | Buffer> {
	const files: Record<string, string | Buffer> = {};
	for (let i = 0; i < 60; i++) files[`d${i % 4}/file-${String(i).padStart(2, '0')}.txt`] = `content of file ${i} `.repeat(1 + ((i * 37) % 200));
	files['big/six-mib.bin'] = Buffer.alloc(6 * 1024 * 1024, 9);
	return files;
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

async function keys(prefix: string): Promise<string[]> {
	const out = await lab.s3.client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix}));
	return (out.Contents ?? []).map(o => o.Key!.slice(prefix.length)).sort();
}

describe('faults injected between cloudsync and s3rver', () => {
	test('SYNC push and pull at a 15% fault rate end identical (rclone check --download)', async () => {
		const src = await local(workload());
		faulty.setRate(0.15);
		faulty.resetStats();
		const push = await runSync({source: new LocalRemote(src), destination: s3Remote(faulty.endpoint, bucket, 'push'), mode: 'SYNC', sleep: shortSleep});
		const injectedPush = Object.values(faulty.stats.injected).reduce((a, b) => a + b, 0);
		expect(injectedPush).toBeGreaterThan(3);
		expect(push.errors).toEqual([]);
		expect(push.ok).toBe(true);
		const check = await rcloneCheck(src, `S3T:${bucket}/push`, lab.rcloneS3, ['--download']);
		expect(check.output, check.output).toMatch(/0 differences found/);

		const back = await local();
		const pull = await runSync({source: s3Remote(faulty.endpoint, bucket, 'push'), destination: new LocalRemote(back), mode: 'SYNC', sleep: shortSleep});
		faulty.setRate(0);
		expect(pull.errors).toEqual([]);
		expect(pull.ok).toBe(true);
		const a = await snapshot(src);
		const b = await snapshot(back);
		for (const name of Object.keys(a).filter(n => !n.endsWith('/'))) expect(b[name]?.replace(/mtime=\S+ /, '')).toBe(a[name]!.replace(/mtime=\S+ /, ''));
		expect(await fileNames(back)).toEqual(await fileNames(src));
	});

	test('MOVE at a 20% fault rate loses nothing: every file is still in the source or verified in the bucket', async () => {
		const files = workload();
		const src = await local(files);
		faulty.setRate(0.2);
		const result = await runSync({
			source: new LocalRemote(src),
			destination: s3Remote(faulty.endpoint, bucket, 'move'),
			mode: 'MOVE',
			sleep: shortSleep,
			lowLevelRetries: 3,
			retries: 1,
		});
		faulty.setRate(0);
		const left = new Set(await fileNames(src));
		const stored = new Set(await keys('move/'));
		for (const [name, content] of Object.entries(files)) {
			expect(left.has(name) || stored.has(name), name).toBe(true);
			if (!left.has(name)) {
				const body = await (await s3Remote(lab.s3.endpoint, bucket, 'move').read(name)).toArray();
				expect(md5(Buffer.concat(body)), name).toBe(md5(content));
			}
		}
		expect(result.counts.deleted).toBe(Object.keys(files).length - left.size);
	});

	test('at 100% faults SYNC fails cleanly and deletes nothing; a later run without faults completes', async () => {
		const src = await local({'one.txt': 'one', 'two.txt': 'two'});
		await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'total/extra.txt', Body: 'keep me'}));
		faulty.setFaults(['status503', 'status500', 'reset', 'truncate']);
		faulty.setRate(1);
		const logs: SyncLogEntry[] = [];
		const failed = await runSync({
			source: new LocalRemote(src),
			destination: s3Remote(faulty.endpoint, bucket, 'total'),
			mode: 'SYNC',
			sleep: shortSleep,
			lowLevelRetries: 2,
			retries: 2,
			onLog: l => logs.push(l),
		});
		faulty.setRate(0);
		faulty.setFaults(['status500', 'status503', 'throttle429', 'reset', 'stall', 'truncate']);
		expect(failed.ok).toBe(false);
		expect(failed.attempts).toBe(2);
		expect(failed.errors.length).toBeGreaterThan(0);
		expect(failed.errors[0]!.message).not.toMatch(/\n|at .*\.ts:/);
		expect(logs.at(-1)).toMatchObject({level: 'error', action: 'summary'});
		expect(await keys('total/')).toEqual(['extra.txt']);

		const ok = await runSync({source: new LocalRemote(src), destination: s3Remote(faulty.endpoint, bucket, 'total'), mode: 'SYNC', sleep: shortSleep});
		expect(ok.ok).toBe(true);
		expect(await keys('total/')).toEqual(['one.txt', 'two.txt']);
	});
});

describe('hostile keys on PULL', () => {
	test('names that would escape the folder are refused one by one and nothing is written outside it', async () => {
		// s3rver stores keys as file paths, so it cannot hold "..", "//" or a leading "/":
		// those arrive through the proxy playing a hostile server that renames placeholders in listings.
		const hostile: Record<string, string> = {'00p1': '../x', '00p2': '/abs', '00p3': 'a/../../x'};
		for (const key of [...Object.keys(hostile), 'a\\b', 'ctl\u0001x', 'ok.txt', 'link/evil.txt']) {
			await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `hostile/${key}`, Body: `payload ${key}`}));
		}
		const server = await startFaultProxy({
			target: lab.s3.endpoint,
			rewrite: {
				match: request => request.method === 'GET' && /[?&]list-type=2/.test(request.url ?? ''),
				body: xml => xml.replace(/<Key>hostile\/(00p\d)<\/Key>/g, (_m, id: string) => `<Key>hostile/${hostile[id]}</Key>`),
			},
		});
		try {
			const parent = await local();
			const inner = path.join(parent, 'a', 'b', 'inner');
			const outside = path.join(parent, 'outside');
			await fs.mkdir(inner, {recursive: true});
			await fs.mkdir(outside);
			await fs.symlink(outside, path.join(inner, 'link'));
			const logs: SyncLogEntry[] = [];
			const result = await runSync({
				source: s3Remote(server.endpoint, bucket, 'hostile'),
				destination: new LocalRemote(inner),
				mode: 'SYNC',
				sleep: async () => {},
				onLog: l => logs.push(l),
			});
			expect(result.ok).toBe(false);
			expect(result.counts.skipped).toBe(5);
			const refused = logs.filter(l => l.action === 'refuse').map(l => l.path);
			expect(refused.sort()).toEqual(['../x', '/abs', 'a/../../x', 'a\\b', 'ctl\u0001x'].sort());
			expect(result.errors.map(e => e.path).sort()).toEqual(['../x', '/abs', 'a/../../x', 'a\\b', 'ctl\u0001x', 'link/evil.txt'].sort());
			expect(result.errors.find(e => e.path === 'link/evil.txt')!.message).toMatch(/symbolic link that leads outside/);
			// The only file written anywhere under the parent is ok.txt inside the task folder.
			const everything = Object.keys(await snapshot(parent)).filter(n => !n.endsWith('/'));
			expect(everything.sort()).toEqual(['a/b/inner/link', 'a/b/inner/ok.txt']);
			expect(await fs.readdir(outside)).toEqual([]);
		} finally {
			await server.stop();
		}
	});
});
