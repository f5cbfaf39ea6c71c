/**
 * Hash comparison for files whose sizes match but whose mtimes differ: a hash
 * the listing already carries is used as is; otherwise the remote computes it
 * (reading the file, for local disks).
 */
import type {Entry, HashType, Remote} from '../providers/remote.js';

export async function entryHash(
	remote: Remote,
	entry: Entry,
	type: HashType,
	signal?: AbortSignal,
): Promise<string | undefined> {
	const known = entry.hashes?.[type];
	if (known) return known.toLowerCase();
	if (!remote.hash) return undefined;
	const computed = await remote.hash(entry.path, type, {signal});
	return computed?.toLowerCase();
}

/** True when both hashes are known and equal, false when they differ, undefined when one is unknown. */
export async function sameContent(
	source: Remote,
	sourceEntry: Entry,
	destination: Remote,
	destinationEntry: Entry,
	type: HashType,
	signal?: AbortSignal,
): Promise<boolean | undefined> {
	const [a, b] = await Promise.all([
		entryHash(source, sourceEntry, type, signal),
		entryHash(destination, destinationEntry, type, signal),
	]);
	if (a === undefined || b === undefined) return undefined;
	return a === b;
}
