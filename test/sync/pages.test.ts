/**
 * The page-based listing and march (what the engine runs) give the same
 * stream, in the same order, as the entry-at-a-time ones, whatever the page
 * boundaries; and the local walk's pages are the sorted walk, tricky names
 * included.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import type {CloudSyncError} from '../../source/core/errors.js';
import {compareKeys, unsafeNameReason} from '../../source/core/paths.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry} from '../../source/providers/remote.js';
import {checkedPages, flatten, march, marchPages, prefetchPages, sortKey} from '../../source/sync/march.js';

const file = (p: string): Entry => ({path: p, isDir: false, size: 1, mtime: 1000});
const dir = (p: string): Entry => ({path: p, isDir: true, size: 0, mtime: 0});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const x of it) out.push(x);
	return out;
}

/** A seeded pseudo-random generator, so a failure repeats. */
function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

/** Splits `items` into pages of random sizes (empty pages included). */
async function* paged<T>(items: T[], next: () => number): AsyncGenerator<T[]> {
	let i = 0;
	while (i < items.length) {
		const n = Math.floor(next() * 5);
		yield items.slice(i, i + n);
		i += n;
		if (next() < 0.3) await new Promise(resolve => setImmediate(resolve));
	}
}

async function* entries(items: Entry[]): AsyncGenerator<Entry> {
	for (const item of items) yield item;
}

const names = ['a', 'a.txt', 'a-b', 'b', '\uFF5E', '😀', 'é', 'e\u0301', 'z z', '\uFFFD', 'A', '~'];

function tree(next: () => number): Entry[] {
	const out: Entry[] = [];
	for (const top of names) {
		if (next() < 0.5) continue;
		if (next() < 0.4) {
			out.push(dir(top));
			for (const inner of names) if (next() < 0.5) out.push(file(`${top}/${inner}`));
		} else out.push(file(top));
	}
	return out.sort((x, y) => compareKeys(sortKey(x), sortKey(y)));
}

/** The merge-join written plainly over two arrays, as the reference. */
function mergeJoin(src: Entry[], dst: Entry[]): Array<{source?: Entry; destination?: Entry}> {
	const out: Array<{source?: Entry; destination?: Entry}> = [];
	let i = 0;
	let j = 0;
	while (i < src.length || j < dst.length) {
		const order = i >= src.length ? 1 : j >= dst.length ? -1 : compareKeys(sortKey(src[i]!), sortKey(dst[j]!));
		if (order === 0) out.push({source: src[i++], destination: dst[j++]});
		else if (order < 0) out.push({source: src[i++]});
		else out.push({destination: dst[j++]});
	}
	return out;
}

describe('marchPages', () => {
	test('pairs the same entries in the same order as the entry-wise march, for any page boundaries', async () => {
		for (let seed = 1; seed <= 60; seed++) {
			const next = random(seed);
			const src = tree(next);
			const dst = tree(next);
			const expected = mergeJoin(src, dst);
			expect(await collect(march(entries(src), entries(dst)))).toEqual(expected);
			const pairs = (await collect(marchPages(paged(src, next), paged(dst, next)))).flat();
			expect(pairs).toEqual(expected);
			const viaPrefetch = (await collect(marchPages(prefetchPages(paged(src, next), 3), prefetchPages(paged(dst, next), 3)))).flat();
			expect(viaPrefetch).toEqual(expected);
		}
	});

	test('checkedPages filters, drops empty pages, and passes on the entries before an out-of-order one', async () => {
		const pages = async function* () {
			yield [file('a'), file('b')];
			yield [];
			yield [file('c'), file('b')];
		};
		const seen: Entry[][] = [];
		await expect(
			(async () => {
				for await (const page of checkedPages(pages(), entry => entry.path !== 'b', 'source')) seen.push(page);
			})(),
		).rejects.toThrow('the source listing is out of order ("c" then "b")');
		expect(seen).toEqual([[file('a')], [file('c')]]);
	});

	test('prefetchPages keeps order, stays bounded, and passes an error on after the entries before it', async () => {
		let produced = 0;
		async function* source() {
			for (let i = 0; i < 40; i++) {
				produced += 2;
				yield [i * 2, i * 2 + 1];
			}
			throw new Error('broke after 80');
		}
		const iterator = prefetchPages(source(), 8)[Symbol.asyncIterator]();
		const first = await iterator.next();
		await new Promise(resolve => setTimeout(resolve, 20));
		expect(produced).toBeLessThanOrEqual((first.value as number[]).length + 8 + 2);
		const seen = [...(first.value as number[])];
		await expect(
			(async () => {
				for (;;) {
					const next = await iterator.next();
					if (next.done) break;
					seen.push(...next.value);
				}
			})(),
		).rejects.toThrow('broke after 80');
		expect(seen).toEqual(Array.from({length: 80}, (_, i) => i));
	});
});

describe('local listPages', () => {
	let base: string;
	beforeEach(async () => {
		base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-pages-'));
	});
	afterEach(async () => {
		await fs.rm(base, {recursive: true, force: true});
	});

	test('the pages, joined, are the byte-ordered walk, with tricky names and more files than one stat batch', async () => {
		const root = path.join(base, 'root');
		const put = async (name: string) => {
			await fs.mkdir(path.dirname(path.join(root, name)), {recursive: true});
			await fs.writeFile(path.join(root, name), name);
		};
		const tricky = ['a', 'a.txt', 'a-b', '\uFF5E', '😀', 'é', 'e\u0301', 'z z', '\uFFFD', 'A', '~', ' lead', 'x\u2028y'];
		for (const name of tricky) await put(name);
		// 'a' is a folder as well as the file 'a.txt': the folder sorts as 'a/', after 'a.txt' and 'a-b'.
		await fs.rm(path.join(root, 'a'));
		for (const name of tricky) await put(`a/${name}`);
		for (let i = 0; i < 600; i++) await put(`many/f${String(i).padStart(4, '0')}`);
		await fs.mkdir(path.join(root, 'empty'));
		await fs.writeFile(path.join(root, '.cloudsync-tmp-abc-partial'), 'x');
		const remote = new LocalRemote(root);
		const pages = await collect(remote.listPages!());
		expect(pages.every(page => page.length > 0 && page.length <= 600)).toBe(true);
		expect(pages.length).toBeGreaterThan(2);
		const joined = pages.flat();
		expect(joined).toEqual(await collect(remote.list()));
		const keys = joined.map(sortKey);
		expect([...keys].sort(compareKeys)).toEqual(keys);
		expect(new Set(keys).size).toBe(keys.length);
		expect(keys.filter(k => !k.startsWith('many/f'))).toEqual(
			[...tricky.filter(n => n !== 'a'), 'a/', ...tricky.map(n => `a/${n}`), 'empty/', 'many/'].sort(compareKeys),
		);
		expect(keys.filter(k => k.startsWith('many/f'))).toHaveLength(600);
		expect(joined.find(e => e.path === '😀')).toMatchObject({isDir: false, size: Buffer.byteLength('😀')});
	});

	test('file entries (read with plain stats) equal stat() (BigInt stats), nanosecond mtimes included', async () => {
		const root = path.join(base, 'root');
		await fs.mkdir(path.join(root, 'sub'), {recursive: true});
		const names: string[] = [];
		for (let i = 0; i < 40; i++) {
			const name = i % 2 ? `sub/f${i}` : `f${i}`;
			await fs.writeFile(path.join(root, name), 'x'.repeat(i));
			execFileSync('touch', ['-m', '-d', `2023-0${1 + (i % 9)}-1${i % 10} 0${i % 10}:12:34.${String(123456789 + i * 7919).slice(0, 9)}`, path.join(root, name)]);
			await fs.chmod(path.join(root, name), 0o600 + (i % 8));
			names.push(name);
		}
		const remote = new LocalRemote(root);
		const listed = (await collect(flatten(remote.listPages!()))).filter(e => !e.isDir);
		expect(listed).toHaveLength(40);
		for (const entry of listed) expect(entry).toEqual(await remote.stat(entry.path));
		expect(listed.some(e => !Number.isInteger(e.mtime * 1000))).toBe(true);
	});

	test('a name that is not valid UTF-8 is reported and left out; the rest of the folder is listed', async () => {
		const root = path.join(base, 'root');
		await fs.mkdir(root);
		await fs.writeFile(path.join(root, 'ok'), 'x');
		await fs.writeFile(path.join(root, '\uFFFD-real'), 'x');
		execFileSync('sh', ['-c', `printf x > "$1/bad-$(printf '\\377')"`, 'sh', root]);
		const reports: Array<[string, string]> = [];
		const remote = new LocalRemote(root, {onError: (where: string, error: CloudSyncError) => reports.push([where, error.message])});
		const listed = (await collect(flatten(remote.listPages!()))).map(e => e.path);
		expect(listed).toEqual(['ok', '\uFFFD-real'].sort(compareKeys));
		expect(reports).toHaveLength(1);
		expect(reports[0]![1]).toMatch(/not valid UTF-8/);
	});

	test('an unreadable folder is reported and the walk goes on; without a handler the entries before it still arrive, then it throws', async () => {
		if (process.getuid?.() === 0) return; // root reads everything (test/reliability/hostile-local covers it as nobody)
		const root = path.join(base, 'root');
		await fs.mkdir(path.join(root, 'b-locked'), {recursive: true});
		await fs.writeFile(path.join(root, 'a'), 'x');
		await fs.writeFile(path.join(root, 'c'), 'x');
		await fs.chmod(path.join(root, 'b-locked'), 0);
		try {
			const reports: string[] = [];
			const listed = (await collect(flatten(new LocalRemote(root, {onError: where => reports.push(where)}).listPages!()))).map(e => e.path);
			expect(listed).toEqual(['a', 'b-locked', 'c']);
			expect(reports).toEqual(['b-locked']);
			const seen: string[] = [];
			await expect(
				(async () => {
					for await (const entry of new LocalRemote(root).list()) seen.push(entry.path);
				})(),
			).rejects.toThrow(/permission denied/);
			expect(seen).toEqual(['a', 'b-locked']);
		} finally {
			await fs.chmod(path.join(root, 'b-locked'), 0o755);
		}
	});
});

describe('unsafeNameReason', () => {
	/** The rules as first written, kept as the reference. */
	function reference(p: string): string | undefined {
		if (p.length === 0) return 'the name is empty';
		if (p.startsWith('/')) return 'the name is an absolute path';
		if (p.includes('\\')) return 'the name contains a backslash';
		// eslint-disable-next-line no-control-regex
		if (/[\u0000-\u001f\u007f]/.test(p)) return 'the name contains a NUL or control character';
		for (const segment of p.split('/')) {
			if (segment === '') return 'the name has an empty path segment';
			if (segment === '.' || segment === '..') return `the name contains a "${segment}" segment`;
			if (Buffer.byteLength(segment) > 255) return 'a path segment is longer than 255 bytes';
		}
		return undefined;
	}

	test('gives the same answer as the reference rules', () => {
		const pieces = ['a', '/', '.', '..', '\\', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '😀', '\uD800', ' ', 'x'.repeat(85), 'é'.repeat(128), '😀'.repeat(64), '\u20AC'.repeat(86)];
		const next = random(7);
		const cases = ['', '/', '.', '..', 'a/', 'a//b', './a', 'a/..', '...', '.a', 'a.', 'é'.repeat(127), 'é'.repeat(128), '\u20AC'.repeat(85), '\u20AC'.repeat(86)];
		for (let i = 0; i < 5000; i++) {
			let name = '';
			const n = 1 + Math.floor(next() * 6);
			for (let j = 0; j < n; j++) name += pieces[Math.floor(next() * pieces.length)];
			cases.push(name);
		}
		for (const name of cases) expect([name, unsafeNameReason(name)]).toEqual([name, reference(name)]);
	});
});
