/**
 * The loader of the installed program's files (launch/code-cache.ts): the
 * same modules and exports with or without a cache, a cache written once and
 * then used, and a missing, foreign, corrupt or unwritable cache costing only
 * a compile.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {CachedModuleLoader, codeCacheDir} from '../../source/launch/code-cache.js';
import {cloudsync, repoRoot} from '../support/cli.js';
import {tempDir} from '../support/home.js';

let appDir: string;
let home: string;
let cacheDir: string;

beforeEach(async () => {
	appDir = await tempDir('cloudsync-code-app-');
	home = await tempDir('cloudsync-code-home-');
	cacheDir = codeCacheDir(home, 'build-1');
	fs.writeFileSync(path.join(appDir, 'package.json'), '{"type": "commonjs"}\n');
	// Shaped like the bundle's files: "use strict", chunk requires, a builtin, a lazy require.
	fs.writeFileSync(
		path.join(appDir, 'main.js'),
		[
			'"use strict";',
			'const shared = require("./shared.js");',
			'const path = require("node:path");',
			'shared.count();',
			'exports.name = path.basename(__filename);',
			'exports.dir = __dirname;',
			'exports.sum = (a, b) => shared.add(a, b);',
			'exports.later = () => Promise.resolve().then(() => require("./later.js"));',
			'exports.strict = (function () { return this === undefined; })();',
			// Not a chunk: Node's require loads it.
			'exports.json = require("./data.json").n;',
		].join('\n'),
	);
	fs.writeFileSync(path.join(appDir, 'shared.js'), '"use strict";\nlet loads = (globalThis.__sharedLoads ?? 0) + 1;\nglobalThis.__sharedLoads = loads;\nexports.add = (a, b) => a + b;\nexports.count = () => loads;\n');
	fs.writeFileSync(path.join(appDir, 'data.json'), '{"n": 1}\n');
	fs.writeFileSync(path.join(appDir, 'later.js'), '"use strict";\nconst shared = require("./shared.js");\nexports.value = shared.add(20, 22);\n');
	delete (globalThis as {__sharedLoads?: number}).__sharedLoads;
});

afterEach(() => {
	for (const dir of [appDir, home]) fs.rmSync(dir, {recursive: true, force: true});
});

type Main = {name: string; dir: string; sum: (a: number, b: number) => number; later: () => Promise<{value: number}>; strict: boolean; json: number};

async function run(loader: CachedModuleLoader): Promise<Main> {
	const main = loader.load('main.js') as Main;
	expect(main.name).toBe('main.js');
	expect(main.dir).toBe(appDir);
	expect(main.sum(2, 3)).toBe(5);
	expect((await main.later()).value).toBe(42);
	expect(main.strict).toBe(true);
	expect(main.json).toBe(1);
	return main;
}

const builtLoader = pathToFileURL(path.join(repoRoot, 'dist', 'launch', 'code-cache.js')).href;

/**
 * Loads main.js (and later.js) in a new Node process, as the program does,
 * and saves the caches at its end. V8 also keeps compiled code per process,
 * so only a new process shows whether a cache file was used.
 */
function runProcess(dir = cacheDir, dataHome = home): {fromCache: string[]; value: number} {
	const script = `
		import {CachedModuleLoader} from ${JSON.stringify(builtLoader)};
		const loader = new CachedModuleLoader(${JSON.stringify(appDir)}, ${JSON.stringify(dir)});
		const main = loader.load('main.js');
		const later = await main.later();
		loader.saveCaches(${JSON.stringify(dataHome)});
		console.log(JSON.stringify({fromCache: loader.fromCache.sort(), value: main.sum(later.value, 0)}));
	`;
	const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'});
	expect(result.stderr).toBe('');
	return JSON.parse(result.stdout) as {fromCache: string[]; value: number};
}

describe('CachedModuleLoader', () => {
	test('loads each file once, with its requires, __filename and __dirname', async () => {
		const loader = new CachedModuleLoader(appDir, undefined);
		const main = await run(loader);
		expect(loader.load('main.js')).toBe(main);
		expect(loader.load('shared.js')).toBe(loader.load('shared.js'));
		expect((globalThis as {__sharedLoads?: number}).__sharedLoads).toBe(1);
		expect(loader.fromCache).toEqual([]);
	});

	test('writes a cache for every file it compiled, and the next process uses it', () => {
		expect(runProcess()).toEqual({fromCache: [], value: 42});
		expect(fs.readdirSync(cacheDir).sort()).toEqual(['later.js.v8', 'main.js.v8', 'shared.js.v8']);
		for (const name of fs.readdirSync(cacheDir)) expect(fs.statSync(path.join(cacheDir, name)).mode & 0o777).toBe(0o600);
		expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
		const written = fs.statSync(path.join(cacheDir, 'main.js.v8')).mtimeMs;

		expect(runProcess()).toEqual({fromCache: ['later.js', 'main.js', 'shared.js'], value: 42});
		// Nothing left to write: the caches it used stay as they are.
		expect(fs.statSync(path.join(cacheDir, 'main.js.v8')).mtimeMs).toBe(written);
	});

	test('a corrupt cache is refused, the file compiles as usual, and the cache is written again', () => {
		runProcess();
		fs.writeFileSync(path.join(cacheDir, 'main.js.v8'), Buffer.from('not V8 code at all, but a hostile or broken file'));
		fs.writeFileSync(path.join(cacheDir, 'shared.js.v8'), Buffer.alloc(0));
		expect(runProcess()).toEqual({fromCache: ['later.js'], value: 42});
		expect(runProcess()).toEqual({fromCache: ['later.js', 'main.js', 'shared.js'], value: 42});
	});

	test('the cache of one source is not used for another (V8 checks the source; the build names the directory)', () => {
		runProcess();
		// A source of another length: V8 refuses its cache and the new code runs.
		fs.writeFileSync(path.join(appDir, 'later.js'), '"use strict";\nexports.value = 6 * 7 + 0;\n');
		expect(runProcess()).toEqual({fromCache: ['main.js', 'shared.js'], value: 42});
		// A rebuilt program (same lengths or not) reads another directory, and its first save removes the old one.
		const rebuilt = codeCacheDir(home, 'build-2');
		expect(rebuilt).not.toBe(cacheDir);
		expect(runProcess(rebuilt)).toEqual({fromCache: [], value: 42});
		expect(fs.readdirSync(path.dirname(rebuilt))).toEqual([path.basename(rebuilt)]);
		expect(runProcess(rebuilt)).toEqual({fromCache: ['later.js', 'main.js', 'shared.js'], value: 42});
	});

	test('writes nothing while the data directory does not exist, and a cache that cannot be written costs nothing but the cache', () => {
		const missingHome = path.join(home, 'not-created-yet');
		expect(runProcess(codeCacheDir(missingHome, 'build-1'), missingHome)).toEqual({fromCache: [], value: 42});
		expect(fs.existsSync(missingHome)).toBe(false);

		// The place of the cache directory is taken by a file: saving fails quietly, and loading works.
		fs.mkdirSync(path.dirname(path.dirname(cacheDir)), {recursive: true});
		fs.writeFileSync(path.dirname(cacheDir), 'in the way');
		expect(runProcess()).toEqual({fromCache: [], value: 42});
		expect(runProcess()).toEqual({fromCache: [], value: 42});
	});
});

describe('the installed program (dist/app)', () => {
	test('keeps its compiled code in the data directory, runs the same with it, and shrugs off a broken one', async () => {
		const fresh = path.join(home, 'data');
		// A first --version does not create the data directory for a cache.
		expect((await cloudsync(fresh, ['--version'])).code).toBe(0);
		expect(fs.existsSync(fresh)).toBe(false);

		const first = await cloudsync(fresh, ['task', 'list']);
		expect(first).toMatchObject({code: 0, stderr: ''});
		const [buildDir, ...others] = fs.readdirSync(path.join(fresh, 'cache', 'code'));
		expect(others).toEqual([]);
		const dir = path.join(fresh, 'cache', 'code', buildDir!);
		const files = fs.readdirSync(dir);
		expect(files).toContain('main.js.v8');
		const stamps = files.map(name => fs.statSync(path.join(dir, name)).mtimeMs);

		// Used, not written again.
		expect(await cloudsync(fresh, ['task', 'list'])).toEqual(first);
		expect(fs.readdirSync(dir).map(name => fs.statSync(path.join(dir, name)).mtimeMs)).toEqual(stamps);

		for (const name of files) fs.writeFileSync(path.join(dir, name), 'garbage');
		expect(await cloudsync(fresh, ['task', 'list'])).toEqual(first);
		expect(fs.readFileSync(path.join(dir, 'main.js.v8')).length).toBeGreaterThan(100);

		// Damage inside the code, behind a sound header: V8 would stop the process with a fatal error.
		for (const name of files) {
			const file = path.join(dir, name);
			const bytes = fs.readFileSync(file);
			for (let i = Math.floor(bytes.length / 2); i < Math.min(bytes.length, Math.floor(bytes.length / 2) + 64); i++) bytes[i]! ^= 0x5a;
			fs.writeFileSync(file, bytes);
		}
		expect(await cloudsync(fresh, ['task', 'list'])).toEqual(first);
		expect(await cloudsync(fresh, ['task', 'list'])).toEqual(first);
	});

	test("the command's own arguments never choose where the cache goes", async () => {
		const elsewhere = path.join(home, 'elsewhere');
		fs.mkdirSync(elsewhere);
		const result = await cloudsync(path.join(home, 'data'), ['--data-dir', elsewhere, 'task', 'list']);
		expect(result.code).toBe(2);
		expect(fs.readdirSync(elsewhere)).toEqual([]);
	});
});
