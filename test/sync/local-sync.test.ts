import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeEach, describe, expect, test} from 'vitest';
import {LocalRemote} from '../../source/providers/local.js';
import {runSync} from '../../source/sync/engine.js';
import type {SyncLogEntry, SyncOptions, SyncProgress} from '../../source/sync/types.js';
import {FaultyRemote} from './faulty-remote.js';
import {rcloneCheck} from './rclone-helper.js';
import {fileNames, snapshot, tempDir, writeTree} from './tree.js';

const roots: string[] = [];
let src: string;
let dst: string;

beforeEach(async () => {
	src = await tempDir();
	dst = await tempDir();
	roots.push(src, dst);
});
afterAll(async () => {
	for (const root of roots) await fs.rm(root, {recursive: true, force: true});
});

const noSleep = async () => {};

function sync(mode: SyncOptions['mode'], extra: Partial<SyncOptions> = {}) {
	const logs: SyncLogEntry[] = [];
	const run = runSync({
		source: new LocalRemote(src),
		destination: new LocalRemote(dst),
		mode,
		sleep: noSleep,
		onLog: entry => logs.push(entry),
		...extra,
	});
	return run.then(result => ({result, logs}));
}

async function expectRcloneSame() {
	const check = await rcloneCheck(src, dst);
	expect(check.output, check.output).toMatch(/0 differences found/);
	expect(check.same).toBe(true);
}

const tree = {
	'a.txt': 'alpha',
	'b/c.txt': 'charlie',
	'b/d/e.bin': Buffer.alloc(70_000, 7),
	'b/d/f.txt': 'foxtrot',
	'z é.txt': 'unicode name',
	'empty.txt': '',
};

describe('SYNC local -> local', () => {
	test('copies a tree, then a second run changes nothing; rclone check agrees', async () => {
		await writeTree(src, tree);
		const first = await sync('SYNC');
		expect(first.result.ok).toBe(true);
		expect(first.result.counts.copied).toBe(6);
		expect(first.result.bytes).toBe(5 + 7 + 70_000 + 7 + 12);
		await expectRcloneSame();
		const srcSnap = await snapshot(src);
		const dstSnap = await snapshot(dst);
		for (const name of Object.keys(srcSnap).filter(n => !n.endsWith('/'))) expect(dstSnap[name]).toBe(srcSnap[name]);

		const second = await sync('SYNC');
		expect(second.result.ok).toBe(true);
		expect(second.result.counts).toMatchObject({copied: 0, updated: 0, deleted: 0, checked: 6, errors: 0});
		expect(await snapshot(dst)).toEqual(dstSnap);
	});

	test('size change transfers, mtime-only change updates the mtime, extras and their folders are deleted', async () => {
		await writeTree(src, tree);
		await sync('SYNC');
		await writeTree(dst, {'extra/x.txt': 'x', 'extra/deeper/y.txt': 'y', 'b/old.txt': 'old'});
		await fs.writeFile(path.join(src, 'a.txt'), 'alpha-longer');
		await fs.utimes(path.join(src, 'b/c.txt'), 1_800_000_000, 1_800_000_000);
		const {result, logs} = await sync('SYNC');
		expect(result.ok).toBe(true);
		expect(result.counts).toMatchObject({copied: 1, updated: 1, deleted: 3, errors: 0});
		expect(logs.some(l => l.action === 'set-mtime' && l.path === 'b/c.txt')).toBe(true);
		expect(logs.some(l => l.action === 'rmdir' && l.path === 'extra')).toBe(true);
		const snap = await snapshot(dst);
		expect(snap['extra/']).toBeUndefined();
		expect(snap['b/c.txt']).toBe((await snapshot(src))['b/c.txt']);
		await expectRcloneSame();
	});

	test('same size, different content and mtime: hashes differ, so the file is transferred', async () => {
		await writeTree(src, {'f.txt': 'aaaa'});
		await writeTree(dst, {'f.txt': 'bbbb'}, 1_600_000_000);
		const {result} = await sync('SYNC');
		expect(result.counts).toMatchObject({copied: 1, updated: 0});
		expect(await fs.readFile(path.join(dst, 'f.txt'), 'utf8')).toBe('aaaa');
	});

	test('an error during the run means SYNC deletes nothing, and says so', async () => {
		await writeTree(src, tree);
		await writeTree(dst, {'keep-me.txt': 'extra', 'old/also.txt': 'extra'});
		const destination = new FaultyRemote(new LocalRemote(dst), {failWrite: new Set(['b/c.txt'])});
		const logs: SyncLogEntry[] = [];
		const result = await runSync({source: new LocalRemote(src), destination, mode: 'SYNC', sleep: noSleep, onLog: l => logs.push(l)});
		expect(result.ok).toBe(false);
		expect(result.counts.errors).toBe(1);
		expect(result.counts.deleted).toBe(0);
		expect(result.errors).toEqual([{path: 'b/c.txt', message: expect.stringContaining('refused b/c.txt')}]);
		expect(logs.some(l => l.level === 'warn' && /Not deleting 2 file/.test(l.message))).toBe(true);
		expect(await fileNames(dst)).toContain('keep-me.txt');
		expect(await fileNames(dst)).toContain('old/also.txt');
		expect(await fileNames(dst)).toContain('b/d/e.bin');
	});

	test('a listing that breaks off means nothing is deleted', async () => {
		await writeTree(src, tree);
		await writeTree(dst, {'keep-me.txt': 'extra'});
		const source = new FaultyRemote(new LocalRemote(src), {failListAfter: 3});
		const result = await runSync({source, destination: new LocalRemote(dst), mode: 'SYNC', sleep: noSleep, retries: 2});
		expect(result.ok).toBe(false);
		expect(result.attempts).toBe(2);
		expect(result.errors[0]!.message).toMatch(/Listing failed: the listing broke off/);
		expect(await fileNames(dst)).toContain('keep-me.txt');
	});

	test('transient write failures are retried per file and the run succeeds', async () => {
		await writeTree(src, tree);
		const destination = new FaultyRemote(new LocalRemote(dst), {transientWrites: new Map([['a.txt', 3]])});
		const logs: SyncLogEntry[] = [];
		const result = await runSync({source: new LocalRemote(src), destination, mode: 'SYNC', sleep: noSleep, onLog: l => logs.push(l)});
		expect(result.ok).toBe(true);
		expect(logs.filter(l => l.action === 'retry' && l.path === 'a.txt')).toHaveLength(3);
		await expectRcloneSame();
	});

	test('more transient failures than low-level retries: the whole-run retry finishes the failed part', async () => {
		await writeTree(src, tree);
		const destination = new FaultyRemote(new LocalRemote(dst), {transientWrites: new Map([['a.txt', 4]])});
		const result = await runSync({source: new LocalRemote(src), destination, mode: 'SYNC', sleep: noSleep, lowLevelRetries: 3, retries: 3});
		expect(result.ok).toBe(true);
		expect(result.attempts).toBe(2);
		expect(result.counts.copied).toBe(6);
		await expectRcloneSame();
	});
});

describe('COPY and MOVE', () => {
	test('COPY overwrites changed files and never deletes', async () => {
		await writeTree(src, tree);
		await writeTree(dst, {'a.txt': 'stale content', 'only-in-dst.txt': 'stay'});
		const {result} = await sync('COPY');
		expect(result.ok).toBe(true);
		expect(result.counts).toMatchObject({copied: 6, deleted: 0});
		expect(await fs.readFile(path.join(dst, 'a.txt'), 'utf8')).toBe('alpha');
		expect(await fileNames(dst)).toContain('only-in-dst.txt');
	});

	test('MOVE deletes each source file after its verified copy; a failed upload keeps its source', async () => {
		await writeTree(src, tree);
		const before = await snapshot(src);
		const destination = new FaultyRemote(new LocalRemote(dst), {failWrite: new Set(['b/d/f.txt'])});
		const result = await runSync({source: new LocalRemote(src), destination, mode: 'MOVE', sleep: noSleep});
		expect(result.ok).toBe(false);
		expect(result.counts.copied).toBe(5);
		expect(result.counts.deleted).toBe(5);
		expect(await fileNames(src)).toEqual(['b/d/f.txt']);
		const after = await snapshot(dst);
		for (const name of Object.keys(before).filter(n => !n.endsWith('/') && n !== 'b/d/f.txt')) expect(after[name]).toBe(before[name]);
		expect(after['b/d/f.txt']).toBeUndefined();
	});

	test('MOVE of a file already equal on the destination deletes the source copy', async () => {
		await writeTree(src, {'same.txt': 'same'});
		await writeTree(dst, {'same.txt': 'same'});
		const {result} = await sync('MOVE');
		expect(result.counts).toMatchObject({copied: 0, checked: 1, deleted: 1});
		expect(await fileNames(src)).toEqual([]);
		expect(await fileNames(dst)).toEqual(['same.txt']);
	});
});

describe('dry run, folders, filters, metadata, cancel, progress', () => {
	test('a dry run changes nothing and reports what a real run then does', async () => {
		await writeTree(src, tree);
		await sync('SYNC');
		await writeTree(dst, {'extra.txt': 'gone soon'});
		await fs.writeFile(path.join(src, 'a.txt'), 'alpha-longer');
		await fs.utimes(path.join(src, 'b/c.txt'), 1_800_000_000, 1_800_000_000);
		await writeTree(src, {'new/n.txt': 'nnn'});
		const srcBefore = await snapshot(src);
		const dstBefore = await snapshot(dst);
		const dry = await sync('SYNC', {dryRun: true});
		expect(await snapshot(src)).toEqual(srcBefore);
		expect(await snapshot(dst)).toEqual(dstBefore);
		expect(dry.result.counts).toMatchObject({copied: 2, updated: 1, deleted: 1});
		expect(dry.result.bytes).toBe(12 + 3);
		expect(dry.result.plan).toEqual([
			{action: 'replace', path: 'a.txt', size: 12},
			{action: 'set-mtime', path: 'b/c.txt', size: 7},
			{action: 'copy', path: 'new/n.txt', size: 3},
			{action: 'delete', path: 'extra.txt', size: 0},
		]);
		const real = await sync('SYNC');
		expect(real.result.counts).toMatchObject({copied: 2, updated: 1, deleted: 1});
		expect(real.result.bytes).toBe(dry.result.bytes);
	});

	test('createEmptySrcDirs creates empty folders only when asked', async () => {
		await writeTree(src, {'full/f.txt': 'f', 'empty/': '', 'empty/inner/': ''});
		await sync('SYNC');
		expect(Object.keys(await snapshot(dst)).sort()).toEqual(['full/', 'full/f.txt']);
		await sync('SYNC', {createEmptySrcDirs: true});
		expect(Object.keys(await snapshot(dst)).sort()).toEqual(['empty/', 'empty/inner/', 'full/', 'full/f.txt']);
	});

	test('excluded files are neither copied nor deleted', async () => {
		await writeTree(src, {'keep.txt': 'k', 'skip.log': 's', 'cache/x.txt': 'x', 'docs/a.md': 'a'});
		await writeTree(dst, {'dst-only.log': 'stay', 'cache/old.txt': 'stay'});
		const {result} = await sync('SYNC', {filter: {include: [], exclude: ['*.log', 'cache/']}});
		expect(result.ok).toBe(true);
		expect(await fileNames(dst)).toEqual(['cache/old.txt', 'docs/a.md', 'dst-only.log', 'keep.txt']);
	});

	test('preserveMetadata carries the file mode', async () => {
		await writeTree(src, {'run.sh': '#!/bin/sh\n'});
		await fs.chmod(path.join(src, 'run.sh'), 0o751);
		await sync('SYNC', {preserveMetadata: true});
		expect((await fs.stat(path.join(dst, 'run.sh'))).mode & 0o777).toBe(0o751);
	});

	test('cancelling stops the run, deletes nothing and leaves no partial file', async () => {
		await writeTree(src, {'big.bin': Buffer.alloc(4 * 1024 * 1024, 1), 'small.txt': 's'});
		await writeTree(dst, {'extra.txt': 'stay'});
		const controller = new AbortController();
		const result = await runSync({
			source: new LocalRemote(src),
			destination: new LocalRemote(dst),
			mode: 'SYNC',
			bwlimit: '1M',
			signal: controller.signal,
			onProgress: p => {
				if (p.bytesDone > 0) controller.abort();
			},
		});
		expect(result.aborted).toBe(true);
		expect(result.ok).toBe(false);
		const names = await fs.readdir(dst);
		expect(names).toContain('extra.txt');
		expect(names).not.toContain('big.bin');
		expect(names.filter(n => n.startsWith('.cloudsync-tmp-'))).toEqual([]);
	});

	test('progress reports totals, current files and a final event, at most ~10 per second', async () => {
		await writeTree(src, {'one.bin': Buffer.alloc(600 * 1024, 1), 'two.bin': Buffer.alloc(600 * 1024, 2)});
		const events: Array<SyncProgress & {at: number}> = [];
		const started = Date.now();
		await sync('SYNC', {bwlimit: '1M', onProgress: p => events.push({...p, at: Date.now()})});
		const seconds = (Date.now() - started) / 1000;
		expect(events.length).toBeGreaterThan(2);
		expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
		const last = events.at(-1)!;
		expect(last).toMatchObject({filesDone: 2, filesTotal: 2, bytesDone: 1_228_800, bytesTotal: 1_228_800, listing: false, etaSeconds: 0});
		expect(events.some(e => e.current.length > 0 && e.current[0]!.bytes > 0 && e.speed > 0)).toBe(true);
	});

	test('a bandwidth timetable boundary crossed during the run changes the rate at once', async () => {
		await writeTree(src, {'one.bin': Buffer.alloc(768 * 1024, 1), 'two.bin': Buffer.alloc(768 * 1024, 2)});
		let now = new Date(2026, 10, 23, 11, 59, 0).getTime();
		let flippedAt = 0;
		const started = performance.now();
		const {result, logs} = await sync('SYNC', {
			bwlimit: '08:00,256k 12:00,off',
			clock: () => now,
			transfers: 2,
			onProgress: p => {
				if (!flippedAt && p.bytesDone >= 256 * 1024) {
					flippedAt = performance.now();
					now += 60_000; // 12:00: the limit is lifted
				}
			},
		});
		const finished = performance.now();
		expect(result.ok).toBe(true);
		expect(logs[0]!.message).toBe('Bandwidth limit "08:00,256k 12:00,off" (now 256KiB/s).');
		// 256 KiB at 256 KiB/s from an empty bucket: about a second.
		expect(flippedAt - started).toBeGreaterThan(700);
		// The remaining 1.25 MiB unlimited: far quicker than the 5 s it would take at 256 KiB/s.
		expect(finished - flippedAt).toBeLessThan(2_000);
	});

	test('an invalid filter rule or bandwidth limit fails the run with one sentence and touches nothing', async () => {
		await writeTree(src, tree);
		const badFilter = await sync('SYNC', {filter: {include: [], exclude: ['[oops']}});
		expect(badFilter.result).toMatchObject({ok: false, attempts: 0, errors: [{path: '', message: 'The filter rule "[oops" is not valid: a "[" is not closed; fix the rule and try again.'}]});
		const badLimit = await sync('SYNC', {bwlimit: '12:00,1M 08:00,off'});
		expect(badLimit.result.ok).toBe(false);
		expect(badLimit.result.errors[0]!.message).toMatch(/bwlimit times must increase/);
		expect(await fileNames(dst)).toEqual([]);
	});

	test('a file that grows while it is copied is never stored torn; the next pass copies the new content', async () => {
		await writeTree(src, {'log.txt': 'first line\n', 'other.txt': 'x'});
		let grown = false;
		// It grows after the listing saw it, before its bytes are read: a small
		// file is read in one piece, so that is when a copy can see it change.
		const source = new FaultyRemote(new LocalRemote(src), {
			beforeRead: async name => {
				if (name === 'log.txt' && !grown) {
					grown = true;
					await fs.appendFile(path.join(src, 'log.txt'), 'second line\n');
				}
			},
		});
		const logs: SyncLogEntry[] = [];
		const result = await runSync({source, destination: new LocalRemote(dst), mode: 'SYNC', sleep: noSleep, lowLevelRetries: 2, onLog: l => logs.push(l)});
		expect(logs.some(l => l.action === 'retry' && /changed while it was copied/.test(l.message))).toBe(true);
		expect(result.ok).toBe(true);
		expect(result.attempts).toBe(2);
		expect(await fs.readFile(path.join(dst, 'log.txt'), 'utf8')).toBe('first line\nsecond line\n');
		expect((await fs.readdir(dst)).filter(n => n.startsWith('.cloudsync-tmp-'))).toEqual([]);
	});
});
