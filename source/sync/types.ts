import type {Remote} from '../providers/remote.js';

export type SyncMode = 'SYNC' | 'COPY' | 'MOVE';

export type SyncOptions = {
	source: Remote;
	destination: Remote;
	mode: SyncMode;
	/** Compute the plan and report it; change nothing anywhere. */
	dryRun?: boolean;
	/** Parallel file transfers (rclone default 4). */
	transfers?: number;
	/** Parallel checks that need hashing (rclone default 8). */
	checkers?: number;
	/** rclone filter rules: includes are tried first, then excludes; first match wins. */
	filter?: {include: string[]; exclude: string[]};
	createEmptySrcDirs?: boolean;
	/** A bandwidth timetable in rclone's --bwlimit syntax, re-evaluated while running. */
	bwlimit?: string;
	/** Wall-clock time for the timetable (ms since the epoch); defaults to Date.now. */
	clock?: () => number;
	/** Cancels the run: transfers stop, uploads are aborted, nothing is deleted. */
	signal?: AbortSignal;
	/** Whole-run attempts, like rclone --retries (default 3). */
	retries?: number;
	/** Attempts per request / per file, like rclone --low-level-retries (default 10). */
	lowLevelRetries?: number;
	/** Throttled to at most ~10 calls per second, plus one final call. */
	onProgress?: (progress: SyncProgress) => void;
	onLog?: (entry: SyncLogEntry) => void;
	/** Carry mode/uid/gid where both remotes store them. */
	preserveMetadata?: boolean;
	/** For tests: replaces the backoff sleep between retries. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export type SyncLogLevel = 'debug' | 'info' | 'warn' | 'error';

export type SyncAction =
	| 'copy'
	| 'update'
	| 'set-mtime'
	| 'delete'
	| 'delete-source'
	| 'mkdir'
	| 'rmdir'
	| 'check'
	| 'refuse'
	| 'retry'
	| 'error'
	| 'list'
	| 'summary';

export type SyncLogEntry = {
	/** ms since the epoch */
	time: number;
	level: SyncLogLevel;
	action: SyncAction;
	path?: string;
	message: string;
	bytes?: number;
};

export type CurrentFile = {path: string; size: number; bytes: number};

export type SyncProgress = {
	filesDone: number;
	/** Files found to need a transfer so far (grows while the listing runs). */
	filesTotal: number;
	bytesDone: number;
	bytesTotal: number;
	/** Files checked equal so far. */
	checked: number;
	current: CurrentFile[];
	/** Bytes per second, averaged over the last few seconds. */
	speed: number;
	/** Seconds left at the current speed, undefined when unknown. */
	etaSeconds: number | undefined;
	/** True while the listings are still being compared (totals may grow). */
	listing: boolean;
	elapsedMs: number;
};

export type SyncCounts = {
	/** Files transferred (new or replaced). */
	copied: number;
	/** Files whose content matched and only the mtime was set. */
	updated: number;
	/** Destination extras deleted (SYNC) and source files removed after a verified copy (MOVE). */
	deleted: number;
	/** Files found equal. */
	checked: number;
	errors: number;
	/** Files refused or not handled (unsafe names, type conflicts). */
	skipped: number;
};

export type PlanAction = 'copy' | 'replace' | 'set-mtime' | 'delete' | 'delete-source' | 'mkdir' | 'rmdir';
export type PlanItem = {action: PlanAction; path: string; size: number};

export type SyncResult = {
	ok: boolean;
	aborted: boolean;
	counts: SyncCounts;
	/** Bytes transferred. */
	bytes: number;
	errors: Array<{path: string; message: string}>;
	/** Dry run only: what would be done. */
	plan?: PlanItem[];
	/** Whole-run attempts made. */
	attempts: number;
	elapsedMs: number;
};
