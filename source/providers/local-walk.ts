/**
 * The local provider's listing: a depth-first walk that holds one folder's
 * children per level and sorts them so the whole stream is byte-ordered by
 * full path (a folder sorting as its name plus '/').
 */
import type {BigIntStats, Stats} from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import {CloudSyncError} from '../core/errors.js';
import {compareKeys} from '../core/paths.js';
import {msFromNs} from '../core/mtime.js';
import {errnoError, nativeFs, statFields, type NativeFs} from '../native/load.js';
import {errorCode, localError} from './local-files.js';
import type {Entry} from './remote.js';

export type LocalListErrorHandler = (path: string, error: CloudSyncError) => void;

/** Prefix of the temp files writes use; listings never show them. */
export const localTempPrefix = '.cloudsync-tmp-';

export type LocalTree = {
	followSymlinks: boolean;
	/** The local path of a remote path ('' for the root). */
	localPath(name: string): string;
};

type Child = {name: string; key: string; isDir: boolean; viaLink: boolean};

/** One folder being walked: its sorted children and the stats of the current batch of them. */
type Frame = {
	dir: string;
	dirPath: string;
	children: Child[];
	index: number;
	/**
	 * Children [batchStart, batchStart + stats.length) as stated: a file's
	 * entry, a folder's or link's stats, the error, or null for a file that
	 * became a folder while we walked.
	 */
	stats: Array<Entry | BigIntStats | Error | null>;
	batchStart: number;
	/** The native helper's results for the batch after the current one, already on their way. */
	ahead?: {from: number; results: Promise<Array<Entry | BigIntStats | Error | null>>};
	/** The folder's dev:ino in `ancestors`, removed when the walk leaves it (undefined for the start). */
	key?: string;
};

/** Children stated per synchronous batch: a blocking lstat costs a sixth of a thread-pool one. */
const statBatch = 256;

/**
 * The walk as pages: arrays of entries that, concatenated, are the byte-ordered
 * stream. A page ends before the walk waits (a folder read, the pause between
 * stat batches), so it holds at most about one batch. Depth-first with an
 * explicit stack; memory is one folder's children per level.
 */
export async function* walkLocalPages(
	tree: LocalTree,
	start: string,
	ancestors: Set<string>,
	report: LocalListErrorHandler,
	signal?: AbortSignal,
): AsyncGenerator<Entry[]> {
	const aborted = () => new CloudSyncError('aborted', 'the listing was cancelled');
	const native = nativeFs();
	let page: Entry[] = [];
	const stack: Frame[] = [];
	try {
		if (signal?.aborted) throw aborted();
		const startFrame = await openFrame(tree, start, tree.localPath(start), undefined, report);
		if (startFrame) stack.push(startFrame);
		while (stack.length > 0) {
			const frame = stack[stack.length - 1]!;
			const {children} = frame;
			if (frame.index >= children.length) {
				stack.pop();
				if (frame.key !== undefined) ancestors.delete(frame.key);
				continue;
			}
			if (frame.index >= frame.batchStart + frame.stats.length) {
				// Next batch; after the first one, let the event loop run (transfers keep moving).
				if (frame.index > 0) {
					if (page.length > 0) {
						yield page;
						page = [];
					}
					if (!native) await new Promise(resolve => setImmediate(resolve));
				}
				if (signal?.aborted) throw aborted();
				frame.batchStart = frame.index;
				const end = Math.min(children.length, frame.index + statBatch);
				if (native) {
					// The thread pool states the next batch while this one is consumed.
					const current = frame.ahead?.from === frame.index ? frame.ahead.results : statChildrenNative(native, frame.dir, frame.dirPath, children, frame.index, end);
					frame.ahead = undefined;
					if (end < children.length) {
						const results = statChildrenNative(native, frame.dir, frame.dirPath, children, end, Math.min(children.length, end + statBatch));
						results.catch(() => undefined); // awaited when its turn comes; the walk may end first
						frame.ahead = {from: end, results};
					}
					frame.stats = await current;
				} else {
					frame.stats = statChildren(frame.dir, frame.dirPath, children, frame.index, end);
				}
			}
			const child = children[frame.index]!;
			const stats = frame.stats[frame.index - frame.batchStart]!;
			frame.stats[frame.index - frame.batchStart] = null;
			frame.index++;
			if (stats === null) continue;
			if (!(stats instanceof Error) && !('isDirectory' in stats)) {
				page.push(stats); // a file's entry
				continue;
			}
			const childPath = frame.dir === '' ? child.name : `${frame.dir}/${child.name}`;
			if (stats instanceof Error) {
				if (errorCode(stats) === 'ENOENT' && !child.viaLink) continue; // removed while we walked
				report(childPath, localError(stats, 'read', joinLocal(frame.dirPath, child.name)));
				continue;
			}
			if (child.isDir !== stats.isDirectory()) continue; // replaced while we walked
			page.push(entryFromStats(childPath, stats));
			if (!child.isDir) continue;
			const full = joinLocal(frame.dirPath, child.name);
			const key = inodeKey(stats);
			if (ancestors.has(key)) {
				report(childPath, new CloudSyncError('permanent', `skipped ${full}: the symbolic link leads back to a folder above it (a loop)`));
				continue;
			}
			if (page.length > 0) {
				yield page;
				page = [];
			}
			if (signal?.aborted) throw aborted();
			ancestors.add(key);
			const next = await openFrame(tree, childPath, full, key, report);
			if (next) stack.push(next);
			else ancestors.delete(key);
		}
	} catch (error) {
		// Entries found before a failure still reach the consumer, as one at a time would have.
		if (page.length > 0) {
			const last = page;
			page = [];
			yield last;
		}
		throw error;
	}
	if (page.length > 0) yield page;
}

async function openFrame(tree: LocalTree, dir: string, dirPath: string, key: string | undefined, report: LocalListErrorHandler): Promise<Frame | undefined> {
	let children: Child[];
	try {
		children = await readChildren(tree, dirPath, dir, report);
	} catch (error) {
		report(dir, localError(error, 'read the folder', dirPath));
		return undefined;
	}
	return {dir, dirPath, children, index: 0, stats: [], batchStart: 0, key};
}

/** A child's local path: `dirPath` is normalized and a read name holds no separator. */
function joinLocal(dirPath: string, name: string): string {
	return dirPath.endsWith(path.sep) ? dirPath + name : dirPath + path.sep + name;
}

/**
 * Stats children [from, to) synchronously, in order; a failure is kept as the
 * child's result. A plain file becomes its entry at once (its stats die young,
 * which keeps the garbage collector's work small); folders and links keep
 * BigInt stats, for the exact 64-bit inode of loop detection.
 */
function statChildren(dir: string, dirPath: string, children: Child[], from: number, to: number): Array<Entry | BigIntStats | Error | null> {
	const results: Array<Entry | BigIntStats | Error | null> = [];
	for (let i = from; i < to; i++) {
		const child = children[i]!;
		const full = joinLocal(dirPath, child.name);
		try {
			if (child.viaLink || child.isDir) {
				results.push(child.viaLink ? fs.statSync(full, {bigint: true}) : fs.lstatSync(full, {bigint: true}));
				continue;
			}
			// Plain stats cost a fraction of BigInt ones and give the same entry.
			const stats = fs.lstatSync(full);
			results.push(stats.isDirectory() ? null : fileEntry(dir === '' ? child.name : `${dir}/${child.name}`, stats));
		} catch (error) {
			results.push(error instanceof Error ? error : new Error(String(error)));
		}
	}
	return results;
}

/**
 * statChildren with the native helper: the plain files of the batch are
 * stated in one call on the thread pool (so the two sides of a sync stat in
 * parallel), with their exact nanosecond times; folders and links as before.
 */
async function statChildrenNative(native: NativeFs, dir: string, dirPath: string, children: Child[], from: number, to: number): Promise<Array<Entry | BigIntStats | Error | null>> {
	const results: Array<Entry | BigIntStats | Error | null> = new Array(to - from).fill(null);
	const files: number[] = [];
	let names = '';
	for (let i = from; i < to; i++) {
		const child = children[i]!;
		if (child.viaLink || child.isDir) {
			const [stats] = statChildren(dir, dirPath, children, i, i + 1);
			results[i - from] = stats!;
			continue;
		}
		names = files.length === 0 ? child.name : `${names}/${child.name}`;
		files.push(i);
	}
	if (files.length === 0) return results;
	const buffer = await native.statFiles(dirPath, names, files.length);
	const records = new Float64Array(buffer, 0, files.length * statFields);
	const times = new BigInt64Array(buffer, files.length * statFields * 8, files.length);
	for (let k = 0; k < files.length; k++) {
		const i = files[k]!;
		const name = children[i]!.name;
		const at = k * statFields;
		const errno = records[at]!;
		if (errno !== 0) {
			results[i - from] = errnoError(errno, 'lstat', joinLocal(dirPath, name));
			continue;
		}
		const mode = records[at + 1]!;
		if ((mode & fs.constants.S_IFMT) !== fs.constants.S_IFREG) continue; // replaced while we walked
		const seconds = records[at + 3]!;
		const nanoseconds = records[at + 4]!;
		const mtimeNs = times[k]!;
		results[i - from] = {
			path: dir === '' ? name : `${dir}/${name}`,
			isDir: false,
			size: records[at + 2]!,
			// msFromNs's arithmetic without its BigInt division (times before 1970 take the exact path).
			mtime: seconds >= 0 ? seconds * 1000 + Math.floor(nanoseconds / 1e6) + (nanoseconds % 1e6) / 1e6 : msFromNs(mtimeNs),
			mtimeNs,
			mode: mode & 0o7777,
			uid: records[at + 5]!,
			gid: records[at + 6]!,
		};
	}
	return results;
}

/** The entries of one directory, sorted so the whole walk is byte-ordered by full path. */
async function readChildren(tree: LocalTree, dirPath: string, dir: string, report: LocalListErrorHandler): Promise<Child[]> {
	const dirents = await fs.promises.readdir(dirPath, {withFileTypes: true});
	// Names that are not valid UTF-8 decode with U+FFFD; only then are the raw bytes needed.
	const suspect = dirents.some(dirent => dirent.name.includes('\uFFFD'));
	const entries = suspect ? await rawNames(dirPath, dir, report) : dirents;
	const children: Child[] = [];
	for (const dirent of entries) {
		const name = dirent.name;
		if (name.startsWith(localTempPrefix)) continue;
		let isDir = dirent.isDirectory();
		let isFile = dirent.isFile();
		let viaLink = false;
		if (dirent.isSymbolicLink()) {
			if (!tree.followSymlinks) continue;
			viaLink = true;
			const where = dir === '' ? name : `${dir}/${name}`;
			try {
				const target = await fs.promises.stat(joinLocal(dirPath, name));
				isDir = target.isDirectory();
				isFile = target.isFile();
			} catch (error) {
				report(where, localError(error, 'follow the symbolic link', joinLocal(dirPath, name)));
				continue;
			}
		} else if (!isDir && !isFile && !dirent.isSocket() && !dirent.isFIFO() && !dirent.isBlockDevice() && !dirent.isCharacterDevice()) {
			// DT_UNKNOWN on some file systems: ask lstat.
			const stats = await fs.promises.lstat(joinLocal(dirPath, name)).catch(() => undefined);
			isDir = stats?.isDirectory() ?? false;
			isFile = stats?.isFile() ?? false;
		}
		if (!isDir && !isFile) continue; // sockets, FIFOs, devices
		children.push({name, key: isDir ? `${name}/` : name, isDir, viaLink});
	}
	children.sort((a, b) => compareKeys(a.key, b.key));
	return children;
}

type NamedDirent = {
	name: string;
	isDirectory(): boolean;
	isFile(): boolean;
	isSymbolicLink(): boolean;
	isSocket(): boolean;
	isFIFO(): boolean;
	isBlockDevice(): boolean;
	isCharacterDevice(): boolean;
};

/** The folder read again as bytes: names that are not valid UTF-8 are reported and left out. */
async function rawNames(dirPath: string, dir: string, report: LocalListErrorHandler): Promise<NamedDirent[]> {
	const dirents = await fs.promises.readdir(dirPath, {withFileTypes: true, encoding: 'buffer'});
	const named: NamedDirent[] = [];
	for (const dirent of dirents) {
		const raw = dirent.name;
		const name = raw.toString('utf8');
		if (!Buffer.from(name, 'utf8').equals(raw)) {
			const where = dir === '' ? name : `${dir}/${name}`;
			report(where, new CloudSyncError('permanent', `skipped a file in ${dirPath}: its name is not valid UTF-8; rename it`));
			continue;
		}
		named.push({
			name,
			isDirectory: () => dirent.isDirectory(),
			isFile: () => dirent.isFile(),
			isSymbolicLink: () => dirent.isSymbolicLink(),
			isSocket: () => dirent.isSocket(),
			isFIFO: () => dirent.isFIFO(),
			isBlockDevice: () => dirent.isBlockDevice(),
			isCharacterDevice: () => dirent.isCharacterDevice(),
		});
	}
	return named;
}

export function entryFromStats(name: string, stats: BigIntStats): Entry {
	const isDir = stats.isDirectory();
	return {
		path: name,
		isDir,
		size: isDir ? 0 : Number(stats.size),
		mtime: msFromNs(stats.mtimeNs),
		mtimeNs: stats.mtimeNs,
		mode: Number(stats.mode) & 0o7777,
		uid: Number(stats.uid),
		gid: Number(stats.gid),
	};
}

/** A file's entry from plain (number) stats: the same values entryFromStats gives. */
function fileEntry(name: string, stats: Stats): Entry {
	return {
		path: name,
		isDir: false,
		size: stats.size,
		mtime: stats.mtimeMs,
		mtimeNs: undefined,
		mode: stats.mode & 0o7777,
		uid: stats.uid,
		gid: stats.gid,
	};
}

export function inodeKey(stats: BigIntStats): string {
	return `${stats.dev}:${stats.ino}`;
}
