import fs from 'node:fs/promises';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {compileFilter, globToRegExp} from '../../source/core/filters.js';
import {LocalRemote} from '../../source/providers/local.js';
import {rclone} from '../sync/rclone-helper.js';
import {tempDir, writeTree} from '../sync/tree.js';

const files = [
	'a.txt',
	'a.jpg',
	'b.TXT',
	'notes.md',
	'ab.txt',
	'x/a.txt',
	'x/y/a.txt',
	'x/y/z.jpg',
	'x/cache/c.txt',
	'cache/c.txt',
	'cache/deep/d.bin',
	'dir1/file1.jpg',
	'dir2/file2.png',
	'dir2/sub/file3.gif',
	'logs/app.log',
	'logs/2024/app.log',
	'secret[1].txt',
	'file-a.txt',
	'file-b.txt',
	'file-c.txt',
	'spa ce.txt',
];

/** [include, exclude] pairs, checked against `rclone lsf` on the same tree. */
const cases: Array<[string[], string[]]> = [
	[[], ['*.txt']],
	[[], ['/a.txt']],
	[[], ['a.txt']],
	[[], ['cache/']],
	[[], ['/cache/']],
	[[], ['cache/**']],
	[[], ['**/y/**']],
	[[], ['x/y/*']],
	[[], ['?.txt']],
	[[], ['file-[ab].txt']],
	[[], ['file-[!a].txt']],
	[[], ['file-[^a].txt']],
	[[], ['*.{jpg,png}']],
	[[], ['secret\\[1\\].txt']],
	[[], ['*']],
	[[], ['**']],
	[[], ['spa ce.txt', 'logs/**']],
	[['*.txt'], []],
	[['/*.txt'], []],
	[['*.{jpg,gif}'], []],
	[['/dir2/**'], []],
	[['dir2/**'], []],
	[['/x/y/*.txt'], []],
	[['/x/*/a.txt'], []],
	[['**/app.log'], []],
	[['logs/'], []],
	[['*.txt'], ['x/**']],
	[['*.txt', '*.jpg'], ['/a.*']],
];

let root: string;
beforeAll(async () => {
	root = await tempDir('cloudsync-filters-');
	await writeTree(root, Object.fromEntries(files.map(f => [f, f])));
});
afterAll(async () => {
	await fs.rm(root, {recursive: true, force: true});
});

async function ours(include: string[], exclude: string[]): Promise<string[]> {
	const filter = compileFilter({include, exclude});
	const out: string[] = [];
	for await (const entry of new LocalRemote(root).list('')) {
		if (!entry.isDir && filter.includesFile(entry.path)) out.push(entry.path);
	}
	return out.sort();
}

async function theirs(include: string[], exclude: string[]): Promise<string[]> {
	const args = ['lsf', '-R', '--files-only', root];
	for (const rule of include) args.push('--include', rule);
	for (const rule of exclude) args.push('--exclude', rule);
	const result = await rclone(args);
	if (result.code !== 0) throw new Error(`rclone lsf failed: ${result.stderr}`);
	return result.stdout.split('\n').filter(Boolean).sort();
}

describe('filters match rclone lsf on a real tree', () => {
	test.each(cases)('include %j exclude %j', async (include, exclude) => {
		const expected = await theirs(include, exclude);
		expect(await ours(include, exclude)).toEqual(expected);
	});

	test('a few results spelled out', async () => {
		expect(await ours([], ['cache/'])).not.toContain('x/cache/c.txt');
		expect(await ours([], ['/cache/'])).toContain('x/cache/c.txt');
		expect(await ours(['/x/y/*.txt'], [])).toEqual(['x/y/a.txt']);
		expect(await ours([], [])).toEqual([...files].sort());
	});
});

describe('glob syntax', () => {
	test('anchoring and wildcards', () => {
		expect(globToRegExp('*.txt').test('a/b.txt')).toBe(true);
		expect(globToRegExp('/*.txt').test('a/b.txt')).toBe(false);
		expect(globToRegExp('a?c').test('a/c')).toBe(false);
		expect(globToRegExp('**/c').test('a/b/c')).toBe(true);
		expect(globToRegExp('{a,b}.md').test('x/b.md')).toBe(true);
	});

	test('broken rules give one clear sentence', () => {
		expect(() => compileFilter({exclude: ['[abc']})).toThrow('The filter rule "[abc" is not valid: a "[" is not closed; fix the rule and try again.');
		expect(() => compileFilter({exclude: ['{a,b']})).toThrow(/a "\{" is not closed/);
		expect(() => compileFilter({exclude: ['{a,{b}}']})).toThrow(/braces cannot be nested/);
		expect(() => compileFilter({include: ['']})).toThrow(/it is empty/);
	});
});
