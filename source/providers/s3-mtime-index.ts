/**
 * S3 listings do not carry user metadata, so reading each object's
 * x-amz-meta-mtime costs a HEAD request. An MtimeIndex remembers, per key,
 * the mtime (and POSIX metadata) we last saw for an exact (ETag, size): an
 * object that changed has another ETag or size, so a stale entry is a miss,
 * never a wrong answer.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {msFromNs, nsFromMs} from '../core/mtime.js';

export type PosixMetadata = {mode?: number; uid?: number; gid?: number};

/** A recorded time: ms, and exact nanoseconds when they were known. */
export type IndexedTime = {mtime: number; mtimeNs?: bigint};

export interface MtimeIndex {
	/** The time recorded for this exact key, ETag and size, or undefined. */
	get(key: string, etag: string, size: number): IndexedTime | undefined;
	set(key: string, etag: string, size: number, time: IndexedTime, posix?: PosixMetadata): void;
	/** POSIX metadata recorded with the mtime, when there was any. */
	getPosix?(key: string, etag: string, size: number): PosixMetadata | undefined;
	delete(key: string): void;
	/** Saves changes; cheap when nothing changed. */
	flush(): Promise<void>;
}

type Record = {etag: string; size: number; mtime: number; mtimeNs?: bigint; mode?: number; uid?: number; gid?: number};

/** An index that lives only as long as the process: one run's HEADs are not repeated. */
export class MemoryMtimeIndex implements MtimeIndex {
	protected readonly records = new Map<string, Record>();
	protected dirty = false;

	get size(): number {
		return this.records.size;
	}

	get(key: string, etag: string, size: number): IndexedTime | undefined {
		const record = this.records.get(key);
		if (!record || record.etag !== etag || record.size !== size) return undefined;
		return record.mtimeNs === undefined ? {mtime: record.mtime} : {mtime: record.mtime, mtimeNs: record.mtimeNs};
	}

	getPosix(key: string, etag: string, size: number): PosixMetadata | undefined {
		const record = this.records.get(key);
		if (!record || record.etag !== etag || record.size !== size) return undefined;
		const posix: PosixMetadata = {};
		if (record.mode !== undefined) posix.mode = record.mode;
		if (record.uid !== undefined) posix.uid = record.uid;
		if (record.gid !== undefined) posix.gid = record.gid;
		return Object.keys(posix).length > 0 ? posix : undefined;
	}

	set(key: string, etag: string, size: number, time: IndexedTime, posix: PosixMetadata = {}): void {
		this.records.set(key, {etag, size, mtime: time.mtime, mtimeNs: time.mtimeNs, mode: posix.mode, uid: posix.uid, gid: posix.gid});
		this.dirty = true;
	}

	delete(key: string): void {
		if (this.records.delete(key)) this.dirty = true;
	}

	async flush(): Promise<void> {
		this.dirty = false;
	}
}

const formatTag = 'cloudsync-s3-mtime-index';
const formatVersion = 1;

/**
 * An index kept in one file per task: a JSON document
 * `{"format":"cloudsync-s3-mtime-index","version":1,"entries":[[key,etag,size,mtime,mode?,uid?,gid?,ns?],...]}`
 * (mtime in ms; ns the exact time as a decimal string of nanoseconds, where ms cannot say it).
 * One JSON.parse loads tens of thousands of entries in milliseconds. A missing
 * or unreadable file starts an empty index (it is only a cache); `flush`
 * writes a temp file and renames it into place.
 */
export class FileMtimeIndex extends MemoryMtimeIndex {
	private constructor(readonly file: string) {
		super();
	}

	static async open(file: string): Promise<FileMtimeIndex> {
		const index = new FileMtimeIndex(file);
		let text: string;
		try {
			text = await fs.readFile(file, 'utf8');
		} catch {
			return index;
		}
		try {
			index.load(JSON.parse(text) as unknown);
		} catch {
			index.records.clear();
			index.dirty = true; // rewrite the damaged file on the next flush
		}
		return index;
	}

	private load(document: unknown): void {
		const doc = document as {format?: unknown; version?: unknown; entries?: unknown};
		if (doc?.format !== formatTag || doc.version !== formatVersion || !Array.isArray(doc.entries)) throw new Error('not an index');
		for (const row of doc.entries as unknown[]) {
			if (!Array.isArray(row)) continue;
			const [key, etag, size, mtime, mode, uid, gid, ns] = row as unknown[];
			if (typeof key !== 'string' || typeof etag !== 'string' || typeof size !== 'number' || typeof mtime !== 'number') continue;
			const mtimeNs = typeof ns === 'string' && /^-?\d{1,30}$/.test(ns) ? BigInt(ns) : undefined;
			this.records.set(key, {
				etag,
				size,
				mtime: mtimeNs === undefined ? mtime : msFromNs(mtimeNs),
				mtimeNs,
				mode: typeof mode === 'number' ? mode : undefined,
				uid: typeof uid === 'number' ? uid : undefined,
				gid: typeof gid === 'number' ? gid : undefined,
			});
		}
	}

	override async flush(): Promise<void> {
		if (!this.dirty) return;
		const rows: unknown[] = [];
		for (const [key, r] of this.records) {
			const row: unknown[] = [key, r.etag, r.size, r.mtime];
			// Nanoseconds are written only where the ms figure does not already say them.
			const ns = r.mtimeNs !== undefined && r.mtimeNs !== nsFromMs(r.mtime) ? String(r.mtimeNs) : undefined;
			if (r.mode !== undefined || r.uid !== undefined || r.gid !== undefined || ns !== undefined) row.push(r.mode ?? null, r.uid ?? null, r.gid ?? null);
			if (ns !== undefined) row.push(ns);
			rows.push(row);
		}
		const text = JSON.stringify({format: formatTag, version: formatVersion, entries: rows});
		await fs.mkdir(path.dirname(this.file), {recursive: true});
		const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
		try {
			await fs.writeFile(temp, text, {mode: 0o600});
			await fs.rename(temp, this.file);
		} catch (error) {
			await fs.rm(temp, {force: true});
			throw error;
		}
		this.dirty = false;
	}
}
