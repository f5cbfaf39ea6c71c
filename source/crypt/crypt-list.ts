import {CloudSyncError} from '../core/errors.js';
import {compareKeys} from '../core/paths.js';
import type {Entry, Remote} from '../providers/remote.js';
import {decryptedSize, wrongPasswordError} from './format.js';
import {UndecryptableNameError, type NameCipher} from './names.js';

export type ListErrorHandler = (path: string, error: CloudSyncError) => void;

/**
 * Subtrees up to this many stored entries are sorted in memory after one
 * listing; bigger ones are walked a level at a time.
 */
export const SUBTREE_BUFFER_LIMIT = 10_000;

type Walk = {
	inner: Remote;
	names: NameCipher;
	signal?: AbortSignal;
	report: ListErrorHandler;
	bufferLimit: number;
};

type Problem = [path: string, error: CloudSyncError];

type Child = {stored: string; plain: string; isDir: boolean; entry?: Entry};

const sortKey = (entry: {plain: string; isDir: boolean}) => (entry.isDir ? `${entry.plain}/` : entry.plain);
const byPlainKey = (a: {plain: string; isDir: boolean}, b: {plain: string; isDir: boolean}) => compareKeys(sortKey(a), sortKey(b));

/**
 * Lists a crypt remote in the byte order of the *decrypted* paths. Encrypted
 * names sort in an unrelated order, and a directory's subtree is contiguous
 * in both orders, so sibling subtrees only need to be permuted:
 *
 * - A subtree with at most `bufferLimit` stored entries is read once, held,
 *   decrypted and sorted: memory is bounded by `bufferLimit` entries.
 * - A larger subtree keeps only its immediate children (one directory's
 *   worth), sorts them, and lists each child directory again from the inner
 *   remote, depth first. Memory stays at one directory per level plus one
 *   buffered subtree, at the cost of listing deep entries once more per level
 *   above them that exceeded the limit.
 *
 * Names that do not decrypt are reported and skipped. When nothing at the
 * top of the walk decrypts, the password or salt is wrong (or the remote is
 * not encrypted) and the walk throws instead of yielding an empty tree that
 * a SYNC would mirror by deleting everything.
 */
export async function* listDecrypted(walk: Walk, storedDir: string, plainDir: string, top: boolean): AsyncGenerator<Entry> {
	const prefix = storedDir === '' ? '' : `${storedDir}/`;
	let buffered: Entry[] | undefined = [];
	// Keyed by name, plus '/' for directories: S3 can hold both a key "x" and keys under "x/".
	const children = new Map<string, {name: string; isDir: boolean; entry?: Entry}>();
	for await (const entry of walk.inner.list(storedDir, {signal: walk.signal, onError: walk.report})) {
		if (!entry.path.startsWith(prefix) || entry.path.length === prefix.length) continue;
		const relative = entry.path.slice(prefix.length);
		const slash = relative.indexOf('/');
		if (slash < 0) {
			children.set(entry.isDir ? `${relative}/` : relative, {name: relative, isDir: entry.isDir, entry});
		} else if (!children.has(`${relative.slice(0, slash)}/`)) {
			children.set(`${relative.slice(0, slash)}/`, {name: relative.slice(0, slash), isDir: true});
		}
		if (buffered) {
			buffered.push(entry);
			if (buffered.length > walk.bufferLimit) buffered = undefined;
		}
	}
	if (buffered) {
		yield* decryptSubtree(walk, buffered, prefix, plainDir, top);
		return;
	}
	const decrypted = decryptChildren(walk, children, prefix, plainDir, top);
	for (const child of decrypted) {
		walk.signal?.throwIfAborted();
		if (!child.isDir) {
			const problems: Problem[] = [];
			const file = toPlainEntry(child.entry as Entry, child.plain, problems);
			for (const [where, error] of problems) walk.report(where, error);
			if (file) yield file;
			continue;
		}
		if (child.entry) yield {...child.entry, path: child.plain, size: 0, hashes: undefined};
		yield* listDecrypted(walk, child.stored, child.plain, false);
	}
}

function decryptChildren(walk: Walk, children: Map<string, {name: string; isDir: boolean; entry?: Entry}>, prefix: string, plainDir: string, top: boolean): Child[] {
	const problems: Problem[] = [];
	const out: Child[] = [];
	let attempted = 0;
	let decrypted = 0;
	for (const {name, ...child} of children.values()) {
		const stored = prefix + name;
		const encrypted = child.isDir ? walk.names.encryptDirectories : true;
		if (encrypted) attempted++;
		try {
			const plainName = child.isDir ? walk.names.decryptDirectorySegment(name) : walk.names.decryptFileSegment(name);
			out.push({stored, plain: plainDir === '' ? plainName : `${plainDir}/${plainName}`, isDir: child.isDir, entry: child.entry});
			if (encrypted) decrypted++;
		} catch {
			problems.push([stored, new UndecryptableNameError(stored)]);
		}
	}
	if (top && attempted > 0 && decrypted === 0) throw wrongPasswordError();
	for (const [where, error] of problems) walk.report(where, error);
	return out.sort(byPlainKey);
}

function decryptSubtree(walk: Walk, entries: Entry[], prefix: string, plainDir: string, top: boolean): Entry[] {
	const problems: Problem[] = [];
	let attempted = 0;
	let decrypted = 0;
	// Stored directory path (relative) -> plain path, or null when it does not decrypt.
	const dirs = new Map<string, string | null>([['', plainDir]]);
	const plainDirOf = (relative: string): string | null => {
		const known = dirs.get(relative);
		if (known !== undefined) return known;
		const slash = relative.lastIndexOf('/');
		const parent = plainDirOf(slash < 0 ? '' : relative.slice(0, slash));
		let plain: string | null = null;
		if (parent !== null) {
			if (walk.names.encryptDirectories) attempted++;
			try {
				const name = walk.names.decryptDirectorySegment(relative.slice(slash + 1));
				plain = parent === '' ? name : `${parent}/${name}`;
				if (walk.names.encryptDirectories) decrypted++;
			} catch {
				problems.push([prefix + relative, new UndecryptableNameError(prefix + relative)]);
			}
		}
		dirs.set(relative, plain);
		return plain;
	};
	const out: Array<{plain: string; isDir: boolean; entry: Entry}> = [];
	for (const entry of entries) {
		const relative = entry.path.slice(prefix.length);
		const slash = relative.lastIndexOf('/');
		if (entry.isDir) {
			const plain = plainDirOf(relative);
			if (plain !== null) out.push({plain, isDir: true, entry: {...entry, path: plain, size: 0, hashes: undefined}});
			continue;
		}
		const parent = plainDirOf(slash < 0 ? '' : relative.slice(0, slash));
		if (parent === null) continue; // reported with its directory
		attempted++;
		let name: string;
		try {
			name = walk.names.decryptFileSegment(relative.slice(slash + 1));
		} catch {
			problems.push([entry.path, new UndecryptableNameError(entry.path)]);
			continue;
		}
		decrypted++;
		const plain = parent === '' ? name : `${parent}/${name}`;
		const file = toPlainEntry(entry, plain, problems);
		if (file) out.push({plain, isDir: false, entry: file});
	}
	if (top && attempted > 0 && decrypted === 0) throw wrongPasswordError();
	for (const [where, error] of problems) walk.report(where, error);
	return out.sort(byPlainKey).map(item => item.entry);
}

function toPlainEntry(entry: Entry, plain: string, problems: Problem[]): Entry | undefined {
	const size = decryptedSize(entry.size);
	if (size === undefined) {
		problems.push([
			entry.path,
			new CloudSyncError('corrupt', `Skipped "${plain}": its stored size (${entry.size} bytes) is not one an encrypted file can have, so it is damaged or not encrypted.`),
		]);
		return undefined;
	}
	return {...entry, path: plain, size, hashes: undefined};
}
