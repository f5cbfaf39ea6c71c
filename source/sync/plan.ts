/**
 * Pure decisions: what to do with one pair of entries from the march, by
 * rclone's rules. No I/O; hash comparisons are asked for, not done, here.
 */
import {unsafeNameReason} from '../core/paths.js';
import type {Entry, HashType, RemoteFeatures} from '../providers/remote.js';
import type {Pair} from './march.js';
import type {SyncMode} from './types.js';

export type Decision =
	/** Transfer the source file (new, or replacing the destination). */
	| {kind: 'copy'; reason: 'new' | 'size' | 'mtime' | 'hash'}
	/** Same size, different mtime: compare this hash, then set the mtime or transfer. */
	| {kind: 'compare-hash'; hash: HashType}
	| {kind: 'equal'}
	/** Same content, different mtime: set the destination's mtime only. */
	| {kind: 'set-mtime'}
	/** A destination file the source does not have (SYNC only). */
	| {kind: 'delete'}
	| {kind: 'mkdir'}
	/** A destination directory the source does not have (SYNC only, after deletes). */
	| {kind: 'rmdir'}
	/** A name that must not be written to the destination. */
	| {kind: 'refuse'; reason: string}
	/** A file on one side and a directory on the other. */
	| {kind: 'conflict'}
	| {kind: 'none'};

export type PlanContext = {
	mode: SyncMode;
	createEmptySrcDirs: boolean;
	/** Largest mtime difference still counted as equal, in ms. */
	modifyWindowMs: number;
	/** The same window in nanoseconds, for entries whose exact times both sides know. */
	modifyWindowNs: bigint;
	/** The first hash both remotes have, if any. */
	commonHash: HashType | undefined;
};

/** Below a microsecond, float milliseconds cannot tell present-day times apart. */
const MIN_FLOAT_WINDOW_MS = 0.001;

export function planContext(
	mode: SyncMode,
	source: RemoteFeatures,
	destination: RemoteFeatures,
	createEmptySrcDirs = false,
): PlanContext {
	const modifyWindowMs = Math.max(source.precisionMs, destination.precisionMs);
	return {
		mode,
		createEmptySrcDirs,
		modifyWindowMs,
		modifyWindowNs: BigInt(Math.max(1, Math.round(modifyWindowMs * 1e6))),
		commonHash: source.hashes.find(h => destination.hashes.includes(h)),
	};
}

/** Times closer than the window are equal: exactly when both sides know nanoseconds, else as float ms. */
export function mtimesEqual(a: Entry, b: Entry, context: Pick<PlanContext, 'modifyWindowMs' | 'modifyWindowNs'>): boolean {
	if (a.mtimeNs !== undefined && b.mtimeNs !== undefined) {
		const difference = a.mtimeNs - b.mtimeNs;
		return (difference < 0n ? -difference : difference) < context.modifyWindowNs;
	}
	return Math.abs(a.mtime - b.mtime) < Math.max(context.modifyWindowMs, MIN_FLOAT_WINDOW_MS);
}

/** Compares two files that exist on both sides. */
export function compareFiles(source: Entry, destination: Entry, context: PlanContext): Decision {
	if (source.size !== destination.size) return {kind: 'copy', reason: 'size'};
	if (mtimesEqual(source, destination, context)) return {kind: 'equal'};
	if (context.commonHash === undefined) return {kind: 'copy', reason: 'mtime'};
	return {kind: 'compare-hash', hash: context.commonHash};
}

export function decide(pair: Pair, context: PlanContext): Decision {
	const {source, destination} = pair;
	if (source) {
		const unsafe = unsafeNameReason(source.path);
		if (unsafe !== undefined) return {kind: 'refuse', reason: unsafe};
		if (destination && destination.isDir !== source.isDir) return {kind: 'conflict'};
		if (source.isDir) {
			if (!destination && context.createEmptySrcDirs) return {kind: 'mkdir'};
			return {kind: 'none'};
		}
		if (!destination) return {kind: 'copy', reason: 'new'};
		return compareFiles(source, destination, context);
	}
	if (destination && context.mode === 'SYNC') {
		return destination.isDir ? {kind: 'rmdir'} : {kind: 'delete'};
	}
	return {kind: 'none'};
}

/** After a hash comparison: equal content needs only the mtime, if it can be set. */
export function afterHash(equal: boolean | undefined, canSetMtime: boolean): Decision {
	if (equal === true) return canSetMtime ? {kind: 'set-mtime'} : {kind: 'copy', reason: 'mtime'};
	return {kind: 'copy', reason: 'hash'};
}
