import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeEach, expect, test} from 'vitest';
import {LocalRemote} from '../../source/providers/local.js';
import {runSync} from '../../source/sync/engine.js';
import type {SyncLogEntry} from '../../source/sync/types.js';
import {snapshot, tempDir, writeTree} from './tree.js';

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

test('a destination folder that does not exist yet is created, like rclone', async () => {
	await writeTree(src, {'a.txt': 'alpha', 'b/c.txt': 'charlie'});
	const target = path.join(dst, 'new', 'folder');
	const result = await runSync({source: new LocalRemote(src), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(result.ok).toBe(true);
	expect(result.counts.copied).toBe(2);
	expect(await snapshot(target)).toEqual(await snapshot(src));
});

test('a dry run into a missing destination folder lists the copies and creates nothing', async () => {
	await writeTree(src, {'a.txt': 'alpha'});
	const target = path.join(dst, 'missing');
	const result = await runSync({source: new LocalRemote(src), destination: new LocalRemote(target), mode: 'SYNC', dryRun: true});
	expect(result.ok).toBe(true);
	expect(result.plan?.map(item => [item.action, item.path])).toEqual([['copy', 'a.txt']]);
	await expect(fs.stat(target)).rejects.toThrow(/ENOENT/);
});

test('a missing source folder fails the run and deletes nothing', async () => {
	await writeTree(dst, {'keep.txt': 'precious'});
	const before = await snapshot(dst);
	const logs: SyncLogEntry[] = [];
	const result = await runSync({source: new LocalRemote(path.join(src, 'typo')), destination: new LocalRemote(dst), mode: 'SYNC', sleep: async () => {}, onLog: entry => logs.push(entry)});
	expect(result.ok).toBe(false);
	expect(result.errors[0]?.message).toMatch(/does not exist/);
	// Listing it again would not make it appear: one attempt, no retry.
	expect(result.attempts).toBe(1);
	expect(logs.filter(entry => entry.action === 'retry')).toEqual([]);
	expect(await snapshot(dst)).toEqual(before);
});

test('an empty source never wipes the destination of a SYNC, and says why', async () => {
	await writeTree(dst, {'keep.txt': 'precious', 'dir/also.txt': 'kept'});
	const before = await snapshot(dst);
	const logs: SyncLogEntry[] = [];
	const result = await runSync({source: new LocalRemote(src), destination: new LocalRemote(dst), mode: 'SYNC', sleep: async () => {}, onLog: entry => logs.push(entry)});
	expect(result.ok).toBe(false);
	expect(result.counts.deleted).toBe(0);
	expect(logs.some(entry => /The source is empty, so nothing was deleted from the destination \(2 files would have been\)/.test(entry.message))).toBe(true);
	expect(await snapshot(dst)).toEqual(before);
});
