import type {Readable} from 'node:stream';
import type {CloudSyncError} from '../core/errors.js';

export type HashType = 'md5' | 'sha256' | 'dropbox';

/** A file or directory as a Remote lists it. */
export type Entry = {
	/** '/'-separated, relative to the remote's root; no leading or trailing slash. */
	path: string;
	isDir: boolean;
	/** Bytes; 0 for directories. */
	size: number;
	/** Modification time in milliseconds since the epoch (fractional allowed). */
	mtime: number;
	/** The same time exactly, in nanoseconds since the epoch, where the remote knows it (see core/mtime). */
	mtimeNs?: bigint;
	/** Hashes the remote knows without reading the content (lower-case hex). */
	hashes?: Partial<Record<HashType, string>>;
	/** S3 ETag (without quotes) or a provider revision, when known. */
	etag?: string;
	/** POSIX metadata, where the remote stores it (local, or S3 metadata written by us/rclone). */
	mode?: number;
	uid?: number;
	gid?: number;
};

export type WriteOptions = {
	size: number;
	mtime: number;
	/** The exact time to store, when known; else `mtime`. */
	mtimeNs?: bigint;
	mode?: number;
	uid?: number;
	gid?: number;
	/** Known hashes of the content being sent; a remote may verify against them. */
	hashes?: Partial<Record<HashType, string>>;
	/** Cancels the write; a cancelled write leaves nothing under the final name. */
	signal?: AbortSignal;
};

export type ListOptions = {
	signal?: AbortSignal;
	/**
	 * Called for a part of the tree that cannot be read (an unreadable local
	 * folder, a broken symlink); the listing goes on without it. Remotes that
	 * support it throw from the iterator instead when no handler is given.
	 */
	onError?: (path: string, error: CloudSyncError) => void;
};

export type ReadRange = {start: number; end?: number /* inclusive */};

export type RemoteFeatures = {
	/** Hashes `list` returns (or `hash` computes) for files. */
	hashes: HashType[];
	/** Resolution of stored modification times, in milliseconds (e.g. 1000 for whole seconds). */
	precisionMs: number;
	/** `setMtime` exists and is cheap (no re-upload). */
	canSetMtime: boolean;
	/** Stores mode/uid/gid. */
	posixMetadata: boolean;
	/** Hashes come only by reading the whole file (local disk). */
	slowHash: boolean;
	/** Names differing only in case are the same file (Dropbox). */
	caseInsensitive?: boolean;
};

/**
 * Storage a task syncs with: a local folder, an S3 bucket, a Dropbox account,
 * or a CryptRemote wrapping any of them. Paths are relative to the remote's
 * root (for S3 the root is `bucket/folder`).
 */
export interface Remote {
	readonly features: RemoteFeatures;
	/** A short description for logs, e.g. `s3://bucket/folder`. Never contains secrets. */
	readonly label: string;

	/**
	 * Every file (and directory, where the remote has them) below `dir`,
	 * recursively, ordered by `compareKeys` on the path, where a directory
	 * sorts as its path plus '/'. Memory must not grow with the number of files
	 * beyond one directory's worth per level.
	 */
	list(dir?: string, options?: ListOptions): AsyncIterable<Entry>;
	/**
	 * Optional: the same stream as `list`, in non-empty arrays of consecutive
	 * entries, so a consumer pays one asynchronous step per page rather than
	 * per entry. A page is bounded (about one directory batch), never a tree.
	 */
	listPages?(dir?: string, options?: ListOptions): AsyncIterable<Entry[]>;
	/** The entry at `path`, or undefined when there is none. */
	stat(path: string): Promise<Entry | undefined>;
	read(path: string, range?: ReadRange, options?: {signal?: AbortSignal}): Promise<Readable>;
	/** Atomic: no partial object is ever visible under `path`. Returns the stored entry. */
	write(path: string, body: Readable, options: WriteOptions): Promise<Entry>;
	delete(path: string): Promise<void>;
	mkdir(path: string): Promise<void>;
	/** Remove an empty directory; a no-op where directories do not exist. */
	rmdir(path: string): Promise<void>;
	setMtime?(path: string, mtime: number, mtimeNs?: bigint): Promise<void>;
	/** Computes a hash by reading the content, for remotes with `slowHash`. */
	hash?(path: string, type: HashType, options?: {signal?: AbortSignal}): Promise<string | undefined>;
	/** Checks the credentials and the location; throws a CloudSyncError with one clear sentence. */
	verify(): Promise<void>;
	/** Release sockets, flush indexes. */
	close?(): Promise<void>;
	/** Aborts unfinished uploads under this location begun before `before` (left by a killed run); their paths. */
	abortStaleUploads?(before: Date, options?: {signal?: AbortSignal}): Promise<string[]>;
}

/** Storage locations for the task form's browser (buckets, then folders). */
export interface LocationBrowser {
	/** Top-level containers (S3 buckets); undefined for providers without them. */
	listBuckets?(): Promise<string[]>;
	/** Sub-folders of `dir` within `bucket` (bucket ignored where there are none). */
	listFolders(bucket: string | undefined, dir: string): Promise<string[]>;
}
