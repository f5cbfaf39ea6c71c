/**
 * Finds and loads the compiled helper (cloudsync-fs.c, built by build.ts into
 * dist/native/). Without it, or with CLOUDSYNC_NATIVE=off, callers fall back
 * to Node's fs: listing is slower and times are set to the microsecond.
 */
import fs from 'node:fs';
import {createRequire} from 'node:module';
import {constants} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export type NativeFs = {
	/**
	 * `count` records of seven doubles per name (errno, st_mode, st_size, mtime
	 * seconds, mtime nanoseconds, uid, gid), then `count` int64 mtimes in ns.
	 */
	statFiles(dir: string, names: string, count: number): Promise<ArrayBuffer>;
	/** Sets atime and mtime of a descriptor or path; returns 0 or an errno. */
	setTimes(target: number | string, seconds: number, nanoseconds: number): number;
};

export const nativeFileName = 'cloudsync-fs.node';
export const statFields = 7;

let loaded: NativeFs | null | undefined;

/** The helper, or undefined when it is not built, does not load, or is switched off. */
export function nativeFs(): NativeFs | undefined {
	if (loaded === undefined) loaded = load();
	return loaded ?? undefined;
}

/** Where the helper is, looking up from this module: dist/native/ beside the compiled code or the bundle. */
export function findNative(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
	let dir = from;
	for (let level = 0; level < 6; level++) {
		for (const candidate of [path.join(dir, 'native', nativeFileName), path.join(dir, 'dist', 'native', nativeFileName)]) {
			if (fs.existsSync(candidate)) return candidate;
		}
		const parent = path.dirname(dir);
		if (parent === dir) break;
		dir = parent;
	}
	return undefined;
}

function load(): NativeFs | null {
	if (/^(0|off|false|no)$/i.test(process.env.CLOUDSYNC_NATIVE ?? '')) return null;
	const file = findNative();
	if (!file) return null;
	try {
		const module = createRequire(import.meta.url)(file) as Partial<NativeFs>;
		return typeof module.statFiles === 'function' && typeof module.setTimes === 'function' ? (module as NativeFs) : null;
	} catch {
		return null;
	}
}

let errnoNames: Map<number, string> | undefined;

/** An Error like Node's fs errors (with .code) for an errno the helper returned. */
export function errnoError(errno: number, syscall: string, where: string): NodeJS.ErrnoException {
	errnoNames ??= new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
	const code = errnoNames.get(errno) ?? `E${errno}`;
	const error: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${where}'`);
	error.code = code;
	error.errno = -errno;
	error.syscall = syscall;
	error.path = where;
	return error;
}
