/**
 * A source stream that fails before the writer has begun to read it (the
 * writer makes folders and opens its temp file first): the copy fails, is
 * retried, and the error never escapes as an unhandled one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, expect, test} from 'vitest';
import {LocalRemote} from '../../source/providers/local.js';
import type {ReadRange} from '../../source/providers/remote.js';
import {runSync} from '../../source/sync/engine.js';
import {FaultyRemote} from './faulty-remote.js';
import {tempFolders} from './tree.js';

const folders = tempFolders();
afterAll(() => folders.cleanup());

class BrokenReads extends LocalRemote {
	failures = 0;
	constructor(
		root: string,
		private failFirst: number,
	) {
		super(root);
	}

	override async read(remotePath: string, range?: ReadRange, options?: {signal?: AbortSignal}): Promise<Readable> {
		if (this.failures >= this.failFirst) return super.read(remotePath, range, options);
		this.failures++;
		const body = new Readable({read() {}});
		setImmediate(() => body.destroy(Object.assign(new Error('aborted'), {code: 'ECONNRESET'})));
		return body;
	}
}

test('a source stream that breaks before the writer reads it: the copy fails cleanly and the retry succeeds', async () => {
	const source = await folders.folder({'deep/a.txt': 'alpha', 'b.txt': 'bravo'});
	const target = await folders.folder();
	const slowWriter = new FaultyRemote(new LocalRemote(target), {beforeWrite: () => new Promise(resolve => setTimeout(resolve, 20))});
	const result = await runSync({source: new BrokenReads(source, 2), destination: slowWriter, mode: 'SYNC', sleep: async () => {}});
	expect(result.ok).toBe(true);
	expect(result.counts.copied).toBe(2);
	expect(await fs.readFile(path.join(target, 'deep/a.txt'), 'utf8')).toBe('alpha');
	expect(await fs.readFile(path.join(target, 'b.txt'), 'utf8')).toBe('bravo');
});

test('when every read breaks, the run fails, says why, and leaves no file behind', async () => {
	const source = await folders.folder({'a.txt': 'alpha'});
	const target = await folders.folder();
	const slowWriter = new FaultyRemote(new LocalRemote(target), {beforeWrite: () => new Promise(resolve => setTimeout(resolve, 20))});
	const result = await runSync({source: new BrokenReads(source, Number.POSITIVE_INFINITY), destination: slowWriter, mode: 'SYNC', sleep: async () => {}});
	expect(result.ok).toBe(false);
	expect(result.errors[0]?.path).toBe('a.txt');
	expect(await fs.readdir(target)).toEqual([]);
});
