import {PassThrough} from 'node:stream';
import {describe, expect, test} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {msFromNs} from '../../source/core/mtime.js';
import type {Entry, RemoteFeatures} from '../../source/providers/remote.js';
import {TokenBucket} from '../../source/sync/bwlimit-runtime.js';
import {checkedListing, march} from '../../source/sync/march.js';
import {afterHash, decide, planContext} from '../../source/sync/plan.js';
import {backoffDelay, withRetry} from '../../source/sync/retry.js';
import {TaskPool} from '../../source/sync/pool.js';

const file = (path: string, size = 1, mtime = 1000): Entry => ({path, isDir: false, size, mtime});
const dir = (path: string): Entry => ({path, isDir: true, size: 0, mtime: 0});
async function* from(entries: Entry[]) {
	for (const e of entries) yield e;
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const x of it) out.push(x);
	return out;
}

describe('march', () => {
	test('merge-joins two sorted listings, folders sorting as path + "/"', async () => {
		const src = [file('a'), dir('b'), file('b/x'), file('b.txt'), file('c')].sort((p, q) => (p.path + (p.isDir ? '/' : '') < q.path + (q.isDir ? '/' : '') ? -1 : 1));
		const dst = [file('a'), file('b.txt'), dir('d'), file('d/y')];
		const pairs = await collect(march(from(src), from(dst)));
		expect(pairs.map(p => [p.source?.path ?? null, p.destination?.path ?? null])).toEqual([
			['a', 'a'],
			['b.txt', 'b.txt'],
			['b', null],
			['b/x', null],
			['c', null],
			[null, 'd'],
			[null, 'd/y'],
		]);
	});

	test('handles empty sides and byte-wise order above U+FFFF', async () => {
		expect(await collect(march(from([]), from([])))).toEqual([]);
		const pairs = await collect(march(from([file('\uFF5E'), file('😀')]), from([file('😀')])));
		expect(pairs.map(p => [p.source?.path, p.destination?.path])).toEqual([
			['\uFF5E', undefined],
			['😀', '😀'],
		]);
	});

	test('an out-of-order listing is an error, not a silent mis-join', async () => {
		await expect(collect(checkedListing(from([file('b'), file('a')]), () => true, 'source'))).rejects.toThrow(
			'the source listing is out of order ("b" then "a")',
		);
	});

	test('a listing that fails fails the march', async () => {
		async function* broken() {
			yield file('a');
			throw new Error('boom');
		}
		await expect(collect(march(broken(), from([file('a'), file('b')])))).rejects.toThrow('boom');
	});
});

const local: RemoteFeatures = {hashes: ['md5', 'sha256'], precisionMs: 0.001, canSetMtime: true, posixMetadata: true, slowHash: true};
const s3: RemoteFeatures = {hashes: ['md5'], precisionMs: 1, canSetMtime: true, posixMetadata: false, slowHash: false};
const plain: RemoteFeatures = {hashes: [], precisionMs: 1000, canSetMtime: false, posixMetadata: false, slowHash: false};

describe('plan (rclone rules)', () => {
	const sync = planContext('SYNC', local, s3);
	test('modify window is the coarser precision; the common hash is the first both have', () => {
		expect(sync.modifyWindowMs).toBe(1);
		expect(sync.commonHash).toBe('md5');
		expect(planContext('COPY', local, plain).modifyWindowMs).toBe(1000);
		expect(planContext('COPY', local, plain).commonHash).toBeUndefined();
	});
	test.each([
		['new file', {source: file('a')}, {kind: 'copy', reason: 'new'}],
		['size differs', {source: file('a', 2), destination: file('a', 3)}, {kind: 'copy', reason: 'size'}],
		['same size and mtime within the window', {source: file('a', 2, 1000), destination: file('a', 2, 1000.9)}, {kind: 'equal'}],
		['mtime beyond the window: compare hashes', {source: file('a', 2, 1000), destination: file('a', 2, 1001)}, {kind: 'compare-hash', hash: 'md5'}],
		['destination extra in SYNC', {destination: file('x')}, {kind: 'delete'}],
		['destination folder extra in SYNC', {destination: dir('x')}, {kind: 'rmdir'}],
		['source folder without createEmptySrcDirs', {source: dir('d')}, {kind: 'none'}],
		['parent escape', {source: file('a/../../x')}, {kind: 'refuse', reason: 'the name contains a ".." segment'}],
		['absolute', {source: file('/abs')}, {kind: 'refuse', reason: 'the name is an absolute path'}],
		['backslash', {source: file('a\\b')}, {kind: 'refuse', reason: 'the name contains a backslash'}],
		['control char', {source: file('a\u0001b')}, {kind: 'refuse', reason: 'the name contains a NUL or control character'}],
	] as const)('%s', (_name, pair, expected) => {
		expect(decide(pair as never, sync)).toEqual(expected);
	});
	test('without a common hash a differing mtime means a transfer; COPY and MOVE never delete', () => {
		const ctx = planContext('SYNC', local, plain);
		expect(decide({source: file('a', 2, 0), destination: file('a', 2, 5000)}, ctx)).toEqual({kind: 'copy', reason: 'mtime'});
		expect(decide({destination: file('x')}, planContext('COPY', local, s3))).toEqual({kind: 'none'});
		expect(decide({destination: file('x')}, planContext('MOVE', local, s3))).toEqual({kind: 'none'});
		expect(decide({source: dir('d')}, planContext('SYNC', local, local, true))).toEqual({kind: 'mkdir'});
	});
	test('exact times: one nanosecond apart differs when both sides keep nanoseconds; float ms never judge below a microsecond', () => {
		const exact: RemoteFeatures = {...local, precisionMs: 1e-6};
		const ctx = planContext('SYNC', exact, exact);
		expect(ctx.modifyWindowNs).toBe(1n);
		const at = (ns: bigint) => ({...file('a', 2, msFromNs(ns)), mtimeNs: ns});
		expect(decide({source: at(1700000000123456789n), destination: at(1700000000123456789n)}, ctx)).toEqual({kind: 'equal'});
		expect(decide({source: at(1700000000123456789n), destination: at(1700000000123456788n)}, ctx)).toEqual({kind: 'compare-hash', hash: 'md5'});
		// One side without nanoseconds (an old index, a microsecond clock): compared as ms, to within 1 µs.
		expect(decide({source: at(1700000000123456789n), destination: file('a', 2, 1700000000123.4565)}, ctx)).toEqual({kind: 'equal'});
		expect(decide({source: at(1700000000123456789n), destination: file('a', 2, 1700000000123.458)}, ctx)).toEqual({kind: 'compare-hash', hash: 'md5'});
		// A coarse side widens the window for exact times too.
		expect(decide({source: at(1700000000123456789n), destination: at(1700000000123000000n)}, planContext('SYNC', exact, s3))).toEqual({kind: 'equal'});
	});
	test('after a hash comparison', () => {
		expect(afterHash(true, true)).toEqual({kind: 'set-mtime'});
		expect(afterHash(true, false)).toEqual({kind: 'copy', reason: 'mtime'});
		expect(afterHash(false, true)).toEqual({kind: 'copy', reason: 'hash'});
		expect(afterHash(undefined, true)).toEqual({kind: 'copy', reason: 'hash'});
	});
});

describe('retry', () => {
	const transient = (retryAfterMs?: number) => new CloudSyncError('transient', 'the server answered 503', {retryAfterMs});

	test('retries transient errors with growing, jittered delays, then succeeds', async () => {
		const delays: number[] = [];
		let calls = 0;
		const value = await withRetry(
			async () => {
				if (++calls < 4) throw transient();
				return 'ok';
			},
			{attempts: 5, baseDelayMs: 100, random: () => 0.5, sleep: async ms => void delays.push(ms)},
		);
		expect(value).toBe('ok');
		expect(delays).toEqual([75, 150, 300]);
	});

	test('honours Retry-After, gives up after the attempts, and never retries permanent errors', async () => {
		const delays: number[] = [];
		await expect(
			withRetry(async () => Promise.reject(transient(2000)), {attempts: 3, random: () => 0, sleep: async ms => void delays.push(ms)}),
		).rejects.toThrow('the server answered 503');
		expect(delays).toEqual([2000, 2000]);
		let calls = 0;
		await expect(
			withRetry(async () => {
				calls++;
				throw new CloudSyncError('permanent', 'no such bucket');
			}, {attempts: 5, sleep: async () => {}}),
		).rejects.toThrow('no such bucket');
		expect(calls).toBe(1);
	});

	test('backoff is capped', () => {
		expect(backoffDelay(transient(), 20, {attempts: 30, maxDelayMs: 5000, random: () => 0.999})).toBeLessThanOrEqual(5000);
	});
});

describe('token bucket', () => {
	function fakeTime(start: number) {
		let now = 0;
		let wall = start;
		return {
			time: {
				clock: () => wall,
				now: () => now,
				sleep: async (ms: number) => {
					now += ms;
					wall += ms;
				},
			},
			elapsed: () => now,
			jump: (ms: number) => (wall += ms),
		};
	}

	test('paces bytes at the rate in force and follows the timetable as time passes', async () => {
		const start = new Date(2026, 10, 23, 11, 59, 0).getTime();
		const fake = fakeTime(start);
		const bucket = new TokenBucket('08:00,100k 12:00,1M 13:00,off', fake.time);
		// 100 KiB/s until 12:00 (60 s away): 1 MiB takes about 10 s.
		for (let i = 0; i < 16; i++) await bucket.take(64 * 1024);
		expect(fake.elapsed()).toBeGreaterThan(9_500);
		expect(fake.elapsed()).toBeLessThan(10_500);
		fake.jump(60_000); // now past 12:00: 1 MiB/s
		const before = fake.elapsed();
		for (let i = 0; i < 32; i++) await bucket.take(64 * 1024);
		expect(fake.elapsed() - before).toBeGreaterThan(1_500);
		expect(fake.elapsed() - before).toBeLessThan(2_500);
		fake.jump(3_600_000); // past 13:00: off
		const off = fake.elapsed();
		for (let i = 0; i < 100; i++) await bucket.take(1024 * 1024);
		expect(fake.elapsed()).toBe(off);
	});

	test('the throttle stream passes every byte', async () => {
		const bucket = new TokenBucket('10M');
		const input = new PassThrough();
		const out = input.pipe(bucket.throttle());
		const chunks: Buffer[] = [];
		out.on('data', c => chunks.push(c));
		input.end(Buffer.alloc(100_000, 3));
		await new Promise(r => out.on('end', r));
		expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(100_000, 3));
	});
});

describe('task pool', () => {
	test('never runs more than its size and drains', async () => {
		const pool = new TaskPool(3);
		let running = 0;
		let peak = 0;
		for (let i = 0; i < 20; i++) {
			await pool.submit(async () => {
				running++;
				peak = Math.max(peak, running);
				await new Promise(r => setTimeout(r, 2));
				running--;
			});
		}
		await pool.drain();
		expect(running).toBe(0);
		expect(peak).toBe(3);
	});
});

describe('deferred deletions', () => {
	test('spill to a temporary file beyond a few thousand and come back in order', async () => {
		const {DeferredPaths} = await import('../../source/sync/deferred.js');
		const list = new DeferredPaths();
		const names = Array.from({length: 12_345}, (_, i) => `dir/${i}\nnewline "quoted" é`);
		for (const name of names) await list.push(name);
		const back: string[] = [];
		for await (const name of list.items()) back.push(name);
		expect(back).toEqual(names);
		expect(list.count).toBe(names.length);
		await list.dispose();
	});
});

describe('prefetch', () => {
	test('keeps order, reads at most `size` ahead, and passes errors on after the entries before them', async () => {
		const {prefetch} = await import('../../source/sync/march.js');
		let produced = 0;
		async function* numbers() {
			for (let i = 0; i < 50; i++) {
				produced++;
				yield i;
			}
			throw new Error('broke after 50');
		}
		const seen: number[] = [];
		const iterator = prefetch(numbers(), 8)[Symbol.asyncIterator]();
		const first = await iterator.next();
		seen.push(first.value as number);
		await new Promise(r => setTimeout(r, 20));
		expect(produced).toBeLessThanOrEqual(10);
		await expect(
			(async () => {
				for (;;) {
					const next = await iterator.next();
					if (next.done) break;
					seen.push(next.value);
				}
			})(),
		).rejects.toThrow('broke after 50');
		expect(seen).toEqual(Array.from({length: 50}, (_, i) => i));
	});
});
