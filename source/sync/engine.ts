/**
 * The sync engine's public entry.
 *
 *   runSync(options: SyncOptions): Promise<SyncResult>
 *
 * options (see ./types.ts for every field):
 *   source, destination: Remote       the two sides (any provider, or crypt over one)
 *   mode: 'SYNC' | 'COPY' | 'MOVE'
 *     SYNC  make the destination equal to the source; destination extras are
 *           deleted after every transfer succeeded, and nothing is deleted if
 *           any error happened (the log says so).
 *     COPY  copy new and changed files; never deletes.
 *     MOVE  like COPY, then delete each source file once its copy is verified:
 *           the stored size always; the MD5 where the source listed one (the
 *           destination checks the bytes against it: local PULLs hash what they
 *           write, S3 compares its ETag with the MD5 of what it sent).
 *   dryRun        decide everything, change nothing; result.plan lists the actions.
 *   transfers (4), checkers (8)       parallel transfers / hash checks.
 *   filter {include, exclude}         rclone filter rules (source/core/filters.ts).
 *   createEmptySrcDirs                create source folders that hold no files.
 *   bwlimit, clock                    rclone --bwlimit timetable, evaluated against clock().
 *   signal                            cancel: transfers stop, uploads abort, nothing is deleted.
 *   retries (3)                       whole-run attempts, like rclone --retries.
 *   lowLevelRetries (10)              attempts per request / file, like --low-level-retries.
 *   onProgress(SyncProgress)          at most ~10 per second, plus a final one.
 *   onLog(SyncLogEntry)               {time, level, action, path?, message, bytes?} for every action and error.
 *   preserveMetadata                  carry mode/uid/gid where both remotes store them.
 *
 * result: {ok, aborted, counts: {copied, updated, deleted, checked, errors, skipped},
 *          bytes, errors: [{path, message}], plan?, attempts, elapsedMs}
 *
 * A file is transferred when sizes differ, or mtimes differ by at least the
 * modify window (the coarser precision of the two remotes) and the hashes (the
 * first one both remotes have) differ or are unknown; equal hashes update the
 * mtime only. Unsafe names (`..`, absolute, backslash, control characters) are
 * refused per file and never written.
 */
import {userMessage} from '../core/errors.js';
import {formatRate} from '../core/bwlimit.js';
import {compileFilter} from '../core/filters.js';
import {TokenBucket} from './bwlimit-runtime.js';
import {runPass, type PassResult} from './execute.js';
import {ProgressTracker} from './progress.js';
import {realSleep} from './retry.js';
import type {SyncCounts, SyncLogEntry, SyncOptions, SyncResult} from './types.js';

export type {SyncOptions, SyncResult, SyncProgress, SyncLogEntry, SyncCounts, PlanItem, SyncMode} from './types.js';

export async function runSync(options: SyncOptions): Promise<SyncResult> {
	const started = performance.now();
	const emit = (entry: Omit<SyncLogEntry, 'time'>) => {
		try {
			options.onLog?.({time: Date.now(), ...entry});
		} catch {
			// A failing log listener must not break the run.
		}
	};
	const empty: SyncCounts = {copied: 0, updated: 0, deleted: 0, checked: 0, errors: 0, skipped: 0};
	let bucket: TokenBucket | undefined;
	try {
		// Bad settings fail the run at once with one sentence, before anything is listed.
		compileFilter(options.filter);
		const clock = options.clock ?? Date.now;
		// Pacing always really waits; options.sleep only shortens retry backoff in tests.
		bucket = new TokenBucket(options.bwlimit, {clock, now: () => performance.now(), sleep: realSleep});
	} catch (error) {
		emit({level: 'error', action: 'error', message: userMessage(error)});
		return {
			ok: false,
			aborted: false,
			counts: {...empty, errors: 1},
			bytes: 0,
			errors: [{path: '', message: userMessage(error)}],
			attempts: 0,
			elapsedMs: performance.now() - started,
		};
	}
	if (bucket.limited) {
		emit({level: 'info', action: 'summary', message: `Bandwidth limit "${bucket.table.text}" (now ${formatRate(bucket.rate())}).`});
	}
	const progress = new ProgressTracker(options.onProgress);
	const attempts = Math.max(1, options.retries ?? 3);
	const total = {copied: 0, updated: 0, deleted: 0};
	let bytes = 0;
	let last: PassResult | undefined;
	let attempt = 0;
	emit({
		level: 'info',
		action: 'summary',
		message: `${options.dryRun ? 'Dry run: ' : ''}${options.mode} ${options.source.label} -> ${options.destination.label}`,
	});
	try {
		for (attempt = 1; attempt <= attempts; attempt++) {
			last = await runPass({options, progress, bucket, sleep: options.sleep ?? realSleep, log: emit});
			total.copied += last.counts.copied;
			total.updated += last.counts.updated;
			total.deleted += last.counts.deleted;
			bytes += last.bytes;
			if (last.counts.errors === 0 || options.signal?.aborted || !last.retryable) break;
			if (attempt < attempts) {
				emit({
					level: 'warn',
					action: 'retry',
					message: `Attempt ${attempt} of ${attempts} ended with ${last.counts.errors} error(s); trying the failed part again.`,
				});
			}
		}
	} finally {
		progress.close();
	}
	const aborted = options.signal?.aborted === true;
	const counts: SyncCounts = {...last!.counts, ...total};
	const result: SyncResult = {
		ok: !aborted && counts.errors === 0,
		aborted,
		counts,
		bytes,
		errors: last!.errors,
		attempts: Math.min(attempt, attempts),
		elapsedMs: performance.now() - started,
	};
	if (options.dryRun) result.plan = last!.plan;
	const outcome = aborted ? 'Cancelled' : result.ok ? 'Done' : 'Failed';
	const summary = options.dryRun
		? `Dry run ${outcome.toLowerCase()}: would copy ${counts.copied} (${bytes} bytes), update the time of ${counts.updated}, delete ${counts.deleted}; ` +
			`${counts.checked} unchanged, ${counts.skipped} skipped, ${counts.errors} error(s).`
		: `${outcome}: ${counts.copied} copied, ${counts.updated} mtime-only updates, ` +
			`${counts.deleted} deleted, ${counts.checked} unchanged, ${counts.skipped} skipped, ${counts.errors} error(s), ${bytes} bytes.`;
	emit({level: result.ok ? 'info' : 'error', action: 'summary', message: summary});
	return result;
}
