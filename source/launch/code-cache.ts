/**
 * Loads the installed program's files (dist/app, CommonJS) with a V8 code
 * cache, so a start after the first compiles almost nothing.
 *
 * Node 20 keeps no compiled code between processes: every start parsed and
 * compiled the ~25 files the full-screen app loads, about a third of its
 * start. Here each file is compiled by `vm.Script` with the code V8 produced
 * for it in an earlier process (`<file>.v8` in the cache directory); files
 * that had none, or whose cache V8 refused (another Node, other flags), get
 * one written when the process exits, with every function the process
 * compiled by then.
 *
 * Only the bundle's own files load here, each once, so a module is never
 * instantiated twice; everything else (Node's modules, sodium-native) goes to
 * Node's `require`. The cache directory is named by the build and the Node
 * version, so a rebuilt or upgraded program never reads another's code; V8
 * also checks its version, flags and the source's length. Each cache file
 * starts with the SHA-256 of the code after it: V8 takes damaged code with
 * a sound header and stops the process with a fatal error, so a file whose
 * code does not match is never handed to it. Without a cache (none yet, a
 * read-only home, a damaged file) the files load exactly as plain CommonJS.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import {writeFileAtomic} from '../jobs/atomic.js';

type LoadedModule = {exports: unknown; id: string; filename: string; loaded: boolean};

const chunkImport = /^\.\/[^/]+\.js$/;
const wrapperStart = '(function (exports, require, module, __filename, __dirname) { ';
const wrapperEnd = '\n})';

export class CachedModuleLoader {
	/** Files whose cached code V8 accepted (for tests and for measuring). */
	readonly fromCache: string[] = [];
	private readonly modules = new Map<string, LoadedModule>();
	private readonly uncached: Array<{file: string; script: vm.Script}> = [];
	private readonly nodeRequire: NodeJS.Require;
	/** The `require` every bundle file gets. */
	private readonly require: NodeJS.Require;

	/**
	 * @param appDir the bundle's directory; its `./name.js` requires load here
	 * @param cacheDir where the compiled code is kept (see codeCacheDir), or undefined for none
	 */
	constructor(
		private readonly appDir: string,
		private readonly cacheDir: string | undefined,
	) {
		this.nodeRequire = createRequire(path.join(appDir, 'package.json'));
		const require = ((specifier: string) =>
			// esbuild writes a chunk import as require("./chunk-ABC.js"); anything else (a JSON file, a native addon) is Node's.
			chunkImport.test(specifier) ? this.load(specifier.slice(2)) : this.nodeRequire(specifier)) as NodeJS.Require;
		this.require = Object.assign(require, {resolve: this.nodeRequire.resolve, cache: this.nodeRequire.cache, extensions: this.nodeRequire.extensions, main: undefined});
	}

	/** Runs the bundle file `name` (once) and returns its exports. */
	load(name: string): unknown {
		const file = path.join(this.appDir, name);
		const known = this.modules.get(file);
		if (known) return known.exports;
		const module: LoadedModule = {exports: {}, id: file, filename: file, loaded: false};
		this.modules.set(file, module);
		const source = fs.readFileSync(file, 'utf8');
		const cached = this.readCache(name);
		const script = new vm.Script(wrapperStart + source + wrapperEnd, {filename: file, cachedData: cached});
		if (cached && !script.cachedDataRejected) this.fromCache.push(name);
		else if (this.cacheDir) this.uncached.push({file: name, script});
		const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: LoadedModule, filename: string, dirname: string) => void;
		run.call(module.exports, module.exports, this.require, module, file, this.appDir);
		module.loaded = true;
		return module.exports;
	}

	/**
	 * Writes the code of the files that had no usable cache, once `home`
	 * exists (a first `--help` does not create it). Errors (a full disk, a
	 * read-only home) only mean no cache.
	 */
	saveCaches(home: string): void {
		if (!this.cacheDir || this.uncached.length === 0 || !fs.existsSync(home)) return;
		try {
			const fresh = !fs.existsSync(this.cacheDir);
			fs.mkdirSync(this.cacheDir, {recursive: true, mode: 0o700});
			if (fresh) removeOtherBuilds(this.cacheDir);
			for (const {file, script} of this.uncached.splice(0)) {
				const code = script.createCachedData();
				writeFileAtomic(path.join(this.cacheDir, `${file}.v8`), Buffer.concat([digest(code), code]));
			}
		} catch {
			// The next start compiles again, which is all a missing cache costs.
		}
	}

	private readCache(name: string): Buffer | undefined {
		if (!this.cacheDir) return undefined;
		let file: Buffer;
		try {
			file = fs.readFileSync(path.join(this.cacheDir, `${name}.v8`));
		} catch {
			return undefined;
		}
		const code = file.subarray(digestLength);
		return file.length > digestLength && digest(code).equals(file.subarray(0, digestLength)) ? code : undefined;
	}
}

/** The cache directory for this build on this Node: `<home>/cache/code/<key>`. */
export function codeCacheDir(home: string, buildId: string): string {
	const key = crypto.createHash('sha256').update(`${buildId} ${process.version} ${process.arch}`).digest('hex').slice(0, 16);
	return path.join(home, 'cache', 'code', key);
}

function removeOtherBuilds(cacheDir: string): void {
	const parent = path.dirname(cacheDir);
	for (const entry of fs.readdirSync(parent)) {
		if (entry !== path.basename(cacheDir)) fs.rmSync(path.join(parent, entry), {recursive: true, force: true});
	}
}

const digestLength = 32;

function digest(code: Buffer): Buffer {
	return crypto.createHash('sha256').update(code).digest();
}
