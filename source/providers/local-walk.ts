/**
 * The local provider's listing: a depth-first walk that holds one folder's
 * children per level and sorts them so the whole stream is byte-ordered by
 * full path (a folder sorting as its name plus '/').
 */
import type {BigIntStats} from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import {CloudSyncError} from '../core/errors.js';
import {compareKeys} from '../core/paths.js';
import {errorCode, localError, statMtimeMs} from './local-files.js';
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

export async function* walkLocal(tree: LocalTree, dir: string, ancestors: Set<string>, report: LocalListErrorHandler, signal?: AbortSignal): AsyncGenerator<Entry> {
	if (signal?.aborted) throw new CloudSyncError('aborted', 'the listing was cancelled');
	const dirPath = tree.localPath(dir);
	let children: Child[];
	try {
		children = await readChildren(tree, dirPath, dir, report);
	} catch (error) {
		report(dir, localError(error, 'read the folder', dirPath));
		return;
	}
	const pending = statAhead(dirPath, children);
	for (const [index, child] of children.entries()) {
		if (signal?.aborted) throw new CloudSyncError('aborted', 'the listing was cancelled');
		const childPath = dir === '' ? child.name : `${dir}/${child.name}`;
		const full = path.join(dirPath, child.name);
		const stats = await pending(index);
		if (stats instanceof Error) {
			if (errorCode(stats) === 'ENOENT' && !child.viaLink) continue; // removed while we walked
			report(childPath, localError(stats, 'read', full));
			continue;
		}
		if (child.isDir !== stats.isDirectory()) continue; // replaced while we walked
		yield entryFromStats(childPath, stats);
		if (!child.isDir) continue;
		const key = inodeKey(stats);
		if (ancestors.has(key)) {
			report(childPath, new CloudSyncError('permanent', `skipped ${full}: the symbolic link leads back to a folder above it (a loop)`));
			continue;
		}
		ancestors.add(key);
		yield* walkLocal(tree, childPath, ancestors, report, signal);
		ancestors.delete(key);
	}
}

const statBatch = 256;

/**
 * Stats a folder's children in order, in synchronous batches: a blocking
 * lstat costs a sixth of a thread-pool one, and yielding to the event loop
 * between batches keeps transfers moving. Returns the stats, or the error,
 * of child `index`.
 */
function statAhead(dirPath: string, children: Child[]): (index: number) => Promise<BigIntStats | Error> {
	const results: Array<BigIntStats | Error | undefined> = [];
	let next = 0;
	return async index => {
		if (index >= next) {
			if (next > 0) await new Promise(resolve => setImmediate(resolve));
			for (const end = Math.min(children.length, next + statBatch); next < end; next++) {
				const child = children[next]!;
				const full = path.join(dirPath, child.name);
				try {
					results[next] = child.viaLink ? fs.statSync(full, {bigint: true}) : fs.lstatSync(full, {bigint: true});
				} catch (error) {
					results[next] = error instanceof Error ? error : new Error(String(error));
				}
			}
		}
		const result = results[index]!;
		results[index] = undefined;
		return result;
	};
}

/** The entries of one directory, sorted so the whole walk is byte-ordered by full path. */
async function readChildren(tree: LocalTree, dirPath: string, dir: string, report: LocalListErrorHandler): Promise<Child[]> {
	const dirents = await fs.promises.readdir(dirPath, {withFileTypes: true, encoding: 'buffer'});
	const children: Child[] = [];
	for (const dirent of dirents) {
		const raw = dirent.name;
		const name = raw.toString('utf8');
		const where = dir === '' ? name : `${dir}/${name}`;
		if (!Buffer.from(name, 'utf8').equals(raw)) {
			report(where, new CloudSyncError('permanent', `skipped a file in ${dirPath}: its name is not valid UTF-8; rename it`));
			continue;
		}
		if (name.startsWith(localTempPrefix)) continue;
		let isDir = dirent.isDirectory();
		let isFile = dirent.isFile();
		let viaLink = false;
		if (dirent.isSymbolicLink()) {
			if (!tree.followSymlinks) continue;
			viaLink = true;
			try {
				const target = await fs.promises.stat(path.join(dirPath, name));
				isDir = target.isDirectory();
				isFile = target.isFile();
			} catch (error) {
				report(where, localError(error, 'follow the symbolic link', path.join(dirPath, name)));
				continue;
			}
		} else if (!isDir && !isFile && !dirent.isSocket() && !dirent.isFIFO() && !dirent.isBlockDevice() && !dirent.isCharacterDevice()) {
			// DT_UNKNOWN on some file systems: ask lstat.
			const stats = await fs.promises.lstat(path.join(dirPath, name)).catch(() => undefined);
			isDir = stats?.isDirectory() ?? false;
			isFile = stats?.isFile() ?? false;
		}
		if (!isDir && !isFile) continue; // sockets, FIFOs, devices
		children.push({name, key: isDir ? `${name}/` : name, isDir, viaLink});
	}
	children.sort((a, b) => compareKeys(a.key, b.key));
	return children;
}

export function entryFromStats(name: string, stats: BigIntStats): Entry {
	const isDir = stats.isDirectory();
	return {
		path: name,
		isDir,
		size: isDir ? 0 : Number(stats.size),
		mtime: statMtimeMs(stats),
		mode: Number(stats.mode) & 0o7777,
		uid: Number(stats.uid),
		gid: Number(stats.gid),
	};
}

export function inodeKey(stats: BigIntStats): string {
	return `${stats.dev}:${stats.ino}`;
}
