/**
 * Turning a ListObjectsV2 page into Entries. Listings carry no user metadata,
 * so the mtime comes from the MtimeIndex, or from a HEAD for objects the index
 * does not know; those HEADs run concurrently (bounded) while the entries keep
 * the listing's byte order.
 */
import type {HeadObjectCommandOutput, _Object} from '@aws-sdk/client-s3';
import type {Entry} from './remote.js';
import {msFromNs, parseSecondsNs} from '../core/mtime.js';
import {bareEtag, md5FromChecksumMetadata, md5FromEtag, posixFromMetadata} from './s3-metadata.js';
import type {MtimeIndex} from './s3-mtime-index.js';

/** An entry from HEAD's metadata; records it in the index. */
export function entryFromHead(path: string, key: string, head: HeadObjectCommandOutput, index: MtimeIndex): Entry {
	const etag = bareEtag(head.ETag);
	const size = head.ContentLength ?? 0;
	const metadata = head.Metadata ?? {};
	const mtimeNs = parseSecondsNs(metadata.mtime);
	const time = mtimeNs === undefined ? {mtime: head.LastModified?.getTime() ?? 0} : {mtime: msFromNs(mtimeNs), mtimeNs};
	const posix = posixFromMetadata(metadata);
	const md5 = md5FromEtag(etag) ?? md5FromChecksumMetadata(metadata.md5chksum);
	index.set(key, etag, size, time, posix);
	return {path, isDir: false, size, ...time, etag, ...(md5 ? {hashes: {md5}} : {}), ...posix};
}

export type PageContext = {
	/** The remote's root prefix ('' or "folder/"), cut from keys to make paths. */
	rootPrefix: string;
	index: MtimeIndex;
	headConcurrency: number;
	/** HEAD of a key; undefined when it is gone. */
	head(key: string): Promise<HeadObjectCommandOutput | undefined>;
};

/** Entries for one page, in order. Every promise has a handler, so an abandoned listing raises nothing. */
export function pageEntries(objects: _Object[], context: PageContext): Array<Promise<Entry>> {
	let running = 0;
	const waiting: Array<() => void> = [];
	const slot = async <T>(work: () => Promise<T>): Promise<T> => {
		if (running >= context.headConcurrency) await new Promise<void>(resolve => waiting.push(resolve));
		running++;
		try {
			return await work();
		} finally {
			running--;
			waiting.shift()?.();
		}
	};
	const results = objects.map(object => {
		const key = object.Key!;
		const path = key.slice(context.rootPrefix.length);
		const etag = bareEtag(object.ETag);
		const size = object.Size ?? 0;
		const listedMtime = object.LastModified?.getTime() ?? 0;
		if (key.endsWith('/')) return Promise.resolve<Entry>({path: path.slice(0, -1), isDir: true, size: 0, mtime: listedMtime, etag});
		const md5 = md5FromEtag(etag);
		const base: Entry = {path, isDir: false, size, mtime: listedMtime, etag, ...(md5 ? {hashes: {md5}} : {})};
		const known = context.index.get(key, etag, size);
		if (known !== undefined) return Promise.resolve<Entry>({...base, ...known, ...context.index.getPosix?.(key, etag, size)});
		return slot(async () => {
			const head = await context.head(key);
			// Deleted since the listing: keep the listed facts with the server's time.
			if (!head) return base;
			return {...entryFromHead(path, key, head, context.index), etag, size};
		});
	});
	for (const result of results) result.catch(() => undefined);
	return results;
}
