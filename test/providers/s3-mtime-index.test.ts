import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {md5FromEtag, posixFromMetadata, posixToMetadata} from '../../source/providers/s3-metadata.js';
import {formatSecondsNs, msFromNs, nsFromMs, parseSecondsNs} from '../../source/core/mtime.js';
import {FileMtimeIndex} from '../../source/providers/s3-mtime-index.js';

let dir: string;
beforeEach(async () => {
	dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-index-'));
});
afterEach(async () => {
	await fs.rm(dir, {recursive: true, force: true});
});

test('answers only for the exact ETag and size, and survives a reopen', async () => {
	const file = path.join(dir, 'tasks', '7.mtimes.json');
	const index = await FileMtimeIndex.open(file);
	expect(index.get('a', 'e1', 1)).toBeUndefined();
	index.set('a', 'e1', 1, {mtime: 1700000000123.456}, {mode: 0o640, uid: 5});
	index.set('b/c', 'e2', 2, {mtime: 1});
	index.set('gone', 'e3', 3, {mtime: 2});
	index.set('exact', 'e4', 4, {mtime: 1700000000123.4568, mtimeNs: 1700000000123456789n});
	index.delete('gone');
	expect(index.get('a', 'e1', 1)).toEqual({mtime: 1700000000123.456});
	expect(index.get('a', 'other-etag', 1)).toBeUndefined();
	expect(index.get('a', 'e1', 2)).toBeUndefined();
	await index.flush();
	const reopened = await FileMtimeIndex.open(file);
	expect(reopened.get('a', 'e1', 1)).toEqual({mtime: 1700000000123.456});
	// Nanoseconds survive exactly; the ms figure is derived from them.
	expect(reopened.get('exact', 'e4', 4)).toEqual({mtime: msFromNs(1700000000123456789n), mtimeNs: 1700000000123456789n});
	expect(reopened.getPosix('a', 'e1', 1)).toEqual({mode: 0o640, uid: 5});
	expect(reopened.getPosix('b/c', 'e2', 2)).toBeUndefined();
	expect(reopened.get('gone', 'e3', 3)).toBeUndefined();
	expect(await fs.readdir(path.dirname(file))).toEqual(['7.mtimes.json']);
});

test('a damaged or foreign file is an empty index that is rewritten on the next flush', async () => {
	const file = path.join(dir, 'index.json');
	for (const content of ['{not json', '{"format":"something-else","version":1,"entries":[]}', '[1,2,3]']) {
		await fs.writeFile(file, content);
		const index = await FileMtimeIndex.open(file);
		expect(index.size).toBe(0);
		await index.flush();
		expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({format: 'cloudsync-s3-mtime-index', version: 1, entries: []});
	}
	// Rows of the wrong shape are skipped, good ones kept.
	await fs.writeFile(file, JSON.stringify({format: 'cloudsync-s3-mtime-index', version: 1, entries: [['k', 'e', 1, 5], ['bad'], 'x', ['k2', 'e', 'not a size', 1]]}));
	const index = await FileMtimeIndex.open(file);
	expect(index.size).toBe(1);
	expect(index.get('k', 'e', 1)).toEqual({mtime: 5});
});

test('20,000 entries round-trip through the file', async () => {
	const file = path.join(dir, 'big.json');
	const index = await FileMtimeIndex.open(file);
	for (let i = 0; i < 20_000; i++) index.set(`photos/2024/${i}.jpg`, `${i.toString(16).padStart(32, '0')}`, i * 10, {mtime: 1700000000000 + i});
	await index.flush();
	const started = performance.now();
	const reopened = await FileMtimeIndex.open(file);
	const loadMs = performance.now() - started;
	expect(reopened.size).toBe(20_000);
	for (let i = 0; i < 20_000; i += 997) expect(reopened.get(`photos/2024/${i}.jpg`, `${i.toString(16).padStart(32, '0')}`, i * 10)?.mtime).toBe(1700000000000 + i);
	const {size} = await fs.stat(file);
	console.log(`mtime index: 20,000 entries, ${(size / 1024).toFixed(0)} KiB, loaded in ${loadMs.toFixed(1)} ms`);
});

/** x-amz-meta-mtime text for a time in ms, and ms from such text, as S3Remote makes and reads them. */
const formatMtime = (ms: number) => formatSecondsNs(nsFromMs(ms));
const parseMtime = (text: string | undefined) => {
	const ns = parseSecondsNs(text);
	return ns === undefined ? undefined : msFromNs(ns);
};

test('mtime text is decimal seconds like rclone writes, and reads rclone and RFC 3339 forms', () => {
	expect(formatMtime(1700000000000)).toBe('1700000000');
	expect(formatMtime(1700000000500)).toBe('1700000000.5');
	expect(formatMtime(1700000000123.456)).toMatch(/^1700000000\.123456\d{0,3}$/);
	expect(formatMtime(999.9999999)).toBe('1');
	expect(parseMtime('1700000000.123456789')).toBeCloseTo(1700000000123.456789, 3);
	expect(parseMtime('1700000000')).toBe(1700000000000);
	expect(parseMtime('2023-11-14T22:13:20Z')).toBe(1700000000000);
	expect(parseMtime('garbage')).toBeUndefined();
	expect(parseMtime(undefined)).toBeUndefined();
	for (const ms of [0, 1, 1234567890123.25, 1700000000999.999]) expect(Math.abs(parseMtime(formatMtime(ms))! - ms)).toBeLessThan(0.001);
});

test('mode/uid/gid metadata and ETags', () => {
	expect(posixToMetadata({mode: 0o644, uid: 0, gid: 10})).toEqual({mode: '100644', uid: '0', gid: '10'});
	expect(posixFromMetadata({mode: '0100755', uid: '1000', gid: '1000'})).toEqual({mode: 0o755, uid: 1000, gid: 1000});
	expect(posixFromMetadata({mode: 'rwx', uid: '-1', gid: '1e3'})).toEqual({});
	expect(md5FromEtag('"d41d8cd98f00b204e9800998ecf8427e"')).toBe('d41d8cd98f00b204e9800998ecf8427e');
	expect(md5FromEtag('d41d8cd98f00b204e9800998ecf8427e-3')).toBeUndefined();
	expect(md5FromEtag(undefined)).toBeUndefined();
});
