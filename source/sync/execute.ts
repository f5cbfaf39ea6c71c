/**
 * One pass of a run: march the two listings, decide each pair, and carry the
 * decisions out in stages: checkers (hash comparisons, mtime updates, MOVE's
 * source deletions) and transfers, each a bounded pool, then SYNC's deletions
 * once everything else has succeeded.
 */
import {CloudSyncError, userMessage, type ErrorKind} from '../core/errors.js';
import {compileFilter} from '../core/filters.js';
import {compareKeys, unsafeNameReason} from '../core/paths.js';
import type {Entry} from '../providers/remote.js';
import type {TokenBucket} from './bwlimit-runtime.js';
import {sameContent} from './checker.js';
import {DeferredPaths} from './deferred.js';
import {checkedPages, listingPages, marchPages, missingAsEmpty, prefetchPages, type Pair} from './march.js';
import {afterHash, decide, planContext, type Decision} from './plan.js';
import {TaskPool} from './pool.js';
import type {ProgressTracker} from './progress.js';
import {withRetry, type Sleep} from './retry.js';
import {transferFile} from './transfer.js';
import type {PlanItem, SyncCounts, SyncLogEntry, SyncOptions} from './types.js';
import {counted} from '../core/words.js';

/** Errors a whole-run retry cannot fix. */
const FINAL_KINDS = new Set<ErrorKind>(['unsafe_path', 'usage', 'auth', 'access_denied', 'aborted']);
/** Entries each listing may run ahead of the march (bounded memory). */
const LOOKAHEAD = 2_000;
/** Errors kept in the result; the count goes on beyond it. */
const MAX_ERRORS_KEPT = 1_000;

export type PassResult = {
	counts: SyncCounts;
	bytes: number;
	errors: Array<{path: string; message: string}>;
	/** Some error might go away if the run is tried again. */
	retryable: boolean;
	plan?: PlanItem[];
};

export type PassContext = {
	options: SyncOptions;
	progress: ProgressTracker;
	bucket?: TokenBucket;
	sleep: Sleep;
	log: (entry: Omit<SyncLogEntry, 'time'>) => void;
};

export async function runPass(context: PassContext): Promise<PassResult> {
	const {options, progress, log, sleep} = context;
	const {source, destination, mode, signal} = options;
	const dryRun = options.dryRun === true;
	const lowLevel = Math.max(1, options.lowLevelRetries ?? 10);
	const plan = planContext(mode, source.features, destination.features, options.createEmptySrcDirs === true);
	const canSetMtime = destination.features.canSetMtime && typeof destination.setMtime === 'function';
	const filter = compileFilter(options.filter);
	const keep = (entry: Entry) => (entry.isDir ? filter.includesDirectory(entry.path) : filter.includesFile(entry.path));

	const counts: SyncCounts = {copied: 0, updated: 0, deleted: 0, checked: 0, errors: 0, skipped: 0};
	const errors: PassResult['errors'] = [];
	const planned: PlanItem[] | undefined = dryRun ? [] : undefined;
	let bytes = 0;
	let retryable = false;

	const fail = (path: string, error: unknown, final = false) => {
		if (signal?.aborted) return;
		const message = userMessage(error);
		counts.errors++;
		if (!final && !(error instanceof CloudSyncError && FINAL_KINDS.has(error.kind))) retryable = true;
		if (errors.length < MAX_ERRORS_KEPT) errors.push({path, message});
		log({level: 'error', action: 'error', path, message});
	};
	const retry = <T>(what: string, path: string, operation: () => Promise<T>) =>
		withRetry(operation, {
			attempts: lowLevel,
			sleep,
			signal,
			onRetry: (error, attempt, delay) =>
				log({
					level: 'warn',
					action: 'retry',
					path,
					message: `${what} failed (${userMessage(error)}); try ${attempt + 1} of ${lowLevel} in ${Math.round(delay)} ms.`,
				}),
		});

	const deleteSource = async (entry: Entry) => {
		if (dryRun) {
			planned!.push({action: 'delete-source', path: entry.path, size: entry.size});
			counts.deleted++;
			return;
		}
		await retry('Deleting the source', entry.path, () => source.delete(entry.path));
		counts.deleted++;
		log({level: 'info', action: 'delete-source', path: entry.path, message: 'Deleted from the source after a verified copy.'});
	};

	const copy = async (entry: Entry, replacing: boolean) => {
		progress.addPlanned(entry.size);
		if (dryRun) {
			planned!.push({action: replacing ? 'replace' : 'copy', path: entry.path, size: entry.size});
			if (mode === 'MOVE') planned!.push({action: 'delete-source', path: entry.path, size: entry.size});
			counts.copied++;
			bytes += entry.size;
			return;
		}
		await transfers.submit(async () => {
			const handle = progress.start(entry.path, entry.size);
			let ok = false;
			try {
				await retry('Copying', entry.path, async () => {
					progress.rewind(handle);
					return transferFile(
						{source, destination, bucket: context.bucket, progress, preserveMetadata: options.preserveMetadata === true, signal},
						entry,
						handle,
					);
				});
				ok = true;
				counts.copied++;
				bytes += entry.size;
				log({level: 'info', action: 'copy', path: entry.path, bytes: entry.size, message: replacing ? 'Replaced.' : 'Copied (new).'});
				if (mode === 'MOVE') await deleteSource(entry);
			} catch (error) {
				fail(entry.path, error);
			} finally {
				progress.finish(handle, ok);
			}
		});
	};

	const setMtime = async (entry: Entry) => {
		if (dryRun) {
			planned!.push({action: 'set-mtime', path: entry.path, size: entry.size});
		} else {
			await retry('Setting the modification time', entry.path, () => destination.setMtime!(entry.path, entry.mtime, entry.mtimeNs));
			log({level: 'info', action: 'set-mtime', path: entry.path, message: 'Same content; modification time updated.'});
		}
		counts.updated++;
	};

	/**
	 * Carries out one decision. The common ones (an unchanged file, a refusal)
	 * finish at once and return nothing, so the march takes no asynchronous
	 * step for them; the others return the promise to wait for.
	 */
	const act = (pair: Pair, decision: Decision): Promise<void> | undefined => {
		const path = (pair.source ?? pair.destination)!.path;
		switch (decision.kind) {
			case 'none':
				return undefined;
			case 'refuse':
				counts.skipped++;
				fail(path, new CloudSyncError('unsafe_path', `Refused to write "${path}": ${decision.reason}; nothing was written for it.`));
				log({level: 'warn', action: 'refuse', path, message: `Refused: ${decision.reason}.`});
				return undefined;
			case 'conflict':
				counts.skipped++;
				fail(path, new CloudSyncError('permanent', `"${path}" is a file on one side and a folder on the other; rename one of them.`));
				return undefined;
			case 'equal':
				counts.checked++;
				progress.addChecked();
				if (mode !== 'MOVE') return undefined;
				return checkers.submit(async () => {
					try {
						await deleteSource(pair.source!);
					} catch (error) {
						fail(path, error);
					}
				});
			default:
				return actLater(pair, decision, path);
		}
	};
	const actLater = async (pair: Pair, decision: Decision, path: string): Promise<void> => {
		switch (decision.kind) {
			case 'set-mtime':
				await setMtime(pair.source!);
				if (mode === 'MOVE') await deleteSource(pair.source!);
				return;
			case 'copy':
				await copy(pair.source!, pair.destination !== undefined);
				return;
			case 'compare-hash':
				await checkers.submit(async () => {
					try {
						const same = await retry('Comparing hashes', path, () =>
							sameContent(source, pair.source!, destination, pair.destination!, decision.hash, signal),
						);
						await act(pair, afterHash(same, canSetMtime));
					} catch (error) {
						fail(path, error);
					}
				});
				return;
			case 'mkdir':
				if (dryRun) {
					planned!.push({action: 'mkdir', path, size: 0});
					return;
				}
				await checkers.submit(async () => {
					try {
						await retry('Creating the folder', path, () => destination.mkdir(path));
						log({level: 'info', action: 'mkdir', path, message: 'Folder created.'});
					} catch (error) {
						fail(path, error);
					}
				});
				return;
			case 'delete':
				await deletes.push(path);
				return;
			case 'rmdir':
				rmdirs.push(path);
				return;
		}
	};

	const checkers = new TaskPool(Math.max(1, options.checkers ?? 8));
	const transfers = new TaskPool(Math.max(1, options.transfers ?? 4));
	const deletes = new DeferredPaths();
	const rmdirs: string[] = [];
	let listed = false;
	let sourceEntries = 0;
	try {
		// A part of either tree that cannot be read is an error, so SYNC deletes nothing.
		const unreadable = (side: string) => (path: string, error: CloudSyncError) =>
			fail(path, new CloudSyncError(error.kind, `Could not read the ${side} there: ${userMessage(error)}`));
		const sourceListing = checkedPages(listingPages(source, '', {signal, onError: unreadable('source')}), keep, 'source');
		const destinationListing = checkedPages(
			missingAsEmpty(listingPages(destination, '', {signal, onError: unreadable('destination')})),
			keep,
			'destination',
		);
		march: for await (const pairs of marchPages(prefetchPages(sourceListing, LOOKAHEAD), prefetchPages(destinationListing, LOOKAHEAD))) {
			for (const pair of pairs) {
				if (signal?.aborted) break march;
				if (pair.source) sourceEntries++;
				const pending = act(pair, decide(pair, plan));
				if (pending) await pending;
			}
		}
		listed = !signal?.aborted;
	} catch (error) {
		const kind = error instanceof CloudSyncError ? error.kind : 'transient';
		// A folder that is not there does not appear by listing it again: no whole-run retry.
		fail('', new CloudSyncError(kind, `Listing failed: ${userMessage(error)}`), kind === 'not_found');
	}
	await checkers.drain();
	await transfers.drain();
	progress.listing = false;

	try {
		if (mode === 'SYNC') await deleteExtras();
	} finally {
		await deletes.dispose();
	}
	// Checkers and transfers finish in any order; a dry run's list reads in path order, deletions last.
	const stage = (item: PlanItem) => (item.action === 'delete' || item.action === 'rmdir' ? 1 : 0);
	planned?.sort((a, b) => stage(a) - stage(b) || compareKeys(a.path, b.path));
	return {counts, bytes, errors, retryable, plan: planned};

	async function deleteExtras(): Promise<void> {
		const pending = deletes.count + rmdirs.length;
		if (signal?.aborted) {
			if (pending > 0) log({level: 'warn', action: 'delete', message: `Cancelled: ${counted(pending, 'destination item')} ${pending === 1 ? 'was' : 'were'} not deleted.`});
			return;
		}
		if (!listed || counts.errors > 0) {
			if (pending > 0 || !listed) {
				log({
					level: 'warn',
					action: 'delete',
					message: `Not deleting ${counted(deletes.count, 'file')} on the destination because there were errors during the sync.`,
				});
			}
			return;
		}
		if (sourceEntries === 0 && deletes.count > 0) {
			// A mistyped or vanished source folder (S3 and Dropbox list a missing
			// folder as empty) must not wipe the destination.
			fail('', new CloudSyncError('permanent', `The source is empty, so nothing was deleted from the destination (${counted(deletes.count, 'file')} would have been): check the source folder, or delete the files on the destination yourself if that is what you want.`));
			return;
		}
		for await (const path of deletes.items()) {
			if (signal?.aborted) return;
			if (dryRun) {
				planned!.push({action: 'delete', path, size: 0});
				counts.deleted++;
				continue;
			}
			await checkers.submit(async () => {
				try {
					await retry('Deleting', path, () => destination.delete(path));
					counts.deleted++;
					log({level: 'info', action: 'delete', path, message: 'Deleted from the destination (not in the source).'});
				} catch (error) {
					fail(path, error);
				}
			});
		}
		await checkers.drain();
		if (counts.errors > 0) return;
		// Deepest first: in listing order a folder comes before its contents.
		for (const path of rmdirs.reverse()) {
			if (signal?.aborted) return;
			if (dryRun) {
				planned!.push({action: 'rmdir', path, size: 0});
				continue;
			}
			if (unsafeNameReason(path) !== undefined) continue;
			try {
				await destination.rmdir(path);
				log({level: 'info', action: 'rmdir', path, message: 'Removed the folder (not in the source).'});
			} catch (error) {
				// A folder that still holds excluded files stays; that is not an error.
				log({level: 'debug', action: 'rmdir', path, message: `Kept the folder: ${userMessage(error)}`});
			}
		}
	}
}
