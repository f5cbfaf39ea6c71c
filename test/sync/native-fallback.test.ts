/**
 * Without the native helper (not built, or CLOUDSYNC_NATIVE=off) the local
 * provider uses Node's fs: same listings, times to the microsecond, and a
 * second run still finds nothing to do.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, expect, test, vi} from 'vitest';
import {nativeFs} from '../../source/native/load.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry} from '../../source/providers/remote.js';
import {runSync} from '../../source/sync/engine.js';
import {tempFolders} from './tree.js';

vi.hoisted(() => {
	process.env.CLOUDSYNC_NATIVE = 'off';
});

const folders = tempFolders();
const folder = folders.folder;
afterAll(async () => {
	await folders.cleanup();
});


test('the helper is off, and the local provider says it keeps times to the microsecond', () => {
	expect(nativeFs()).toBeUndefined();
	expect(new LocalRemote('/').features.precisionMs).toBe(0.002);
});

test('local -> local: the same files, times within a microsecond, and no work on the second run', async () => {
	const files: Record<string, string> = {};
	for (let i = 0; i < 300; i++) files[`d${i % 3}/f${i}.txt`] = `content ${i}`;
	const source = await folder(files);
	execFileSync('touch', ['-m', '-d', '@1700000000.123456789', path.join(source, 'd0/f0.txt')]);
	const target = await folder();
	const first = await runSync({source: new LocalRemote(source), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(first.counts.copied).toBe(300);
	const list = async (root: string) => {
		const out: Entry[] = [];
		for await (const entry of new LocalRemote(root).list()) out.push(entry);
		return out;
	};
	const [ours, theirs] = await Promise.all([list(source), list(target)]);
	expect(theirs.map(e => [e.path, e.size, e.isDir])).toEqual(ours.map(e => [e.path, e.size, e.isDir]));
	for (let i = 0; i < ours.length; i++) if (!ours[i]!.isDir) expect(Math.abs(theirs[i]!.mtime - ours[i]!.mtime)).toBeLessThan(0.001);
	const copied = (await fs.stat(path.join(target, 'd0/f0.txt'), {bigint: true})).mtimeNs;
	expect(copied).toBe(1700000000123456000n); // the microsecond kept, the rest dropped
	const second = await runSync({source: new LocalRemote(source), destination: new LocalRemote(target), mode: 'SYNC'});
	expect(second.counts).toMatchObject({copied: 0, updated: 0, deleted: 0});
});
