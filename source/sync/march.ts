/**
 * Merge-join of two listings, each sorted by `compareKeys` on the path with a
 * directory sorting as its path plus '/'. Holds one entry of each side at a
 * time, so memory does not depend on the size of either tree.
 */
import {CloudSyncError} from '../core/errors.js';
import {compareKeys} from '../core/paths.js';
import type {Entry, ListOptions, Remote} from '../providers/remote.js';

export type Pair = {source?: Entry; destination?: Entry};

export function sortKey(entry: Entry): string {
	return entry.isDir ? `${entry.path}/` : entry.path;
}

/** A listing as pages: the remote's own (Remote.listPages) where it has them, else one entry per page. */
export function listingPages(remote: Remote, dir: string, options: ListOptions): AsyncIterable<Entry[]> {
	return remote.listPages ? remote.listPages(dir, options) : singletons(remote.list(dir, options));
}

export async function* singletons<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
	for await (const item of items) yield [item];
}

export async function* flatten<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
	for await (const page of pages) yield* page;
}

/** Yields only the entries `keep` accepts; out-of-order input is an error. */
export function checkedListing(listing: AsyncIterable<Entry>, keep: (entry: Entry) => boolean, side: string): AsyncGenerator<Entry> {
	return flatten(checkedPages(singletons(listing), keep, side));
}

/**
 * checkedListing over pages: the kept entries of each page (empty pages are
 * dropped). Entries before an out-of-order one are still passed on.
 */
export async function* checkedPages(pages: AsyncIterable<Entry[]>, keep: (entry: Entry) => boolean, side: string): AsyncGenerator<Entry[]> {
	let previous: string | undefined;
	for await (const page of pages) {
		const kept: Entry[] = [];
		for (const entry of page) {
			const key = sortKey(entry);
			if (previous !== undefined && compareKeys(previous, key) >= 0) {
				if (kept.length > 0) yield kept;
				throw new Error(`the ${side} listing is out of order ("${previous}" then "${key}")`);
			}
			previous = key;
			if (keep(entry)) kept.push(entry);
		}
		if (kept.length > 0) yield kept;
	}
}

/**
 * A destination whose folder does not exist yet lists as empty, as in rclone:
 * the first write creates it. Only a not-found before any entry (or page) counts.
 */
export async function* missingAsEmpty<T>(listing: AsyncIterable<T>): AsyncGenerator<T> {
	const iterator = listing[Symbol.asyncIterator]();
	let first: IteratorResult<T>;
	try {
		first = await iterator.next();
	} catch (error) {
		if (error instanceof CloudSyncError && error.kind === 'not_found') return;
		throw error;
	}
	if (first.done) return;
	yield first.value;
	for (;;) {
		const next = await iterator.next();
		if (next.done) return;
		yield next.value;
	}
}

export function march(source: AsyncIterable<Entry>, destination: AsyncIterable<Entry>): AsyncGenerator<Pair> {
	return flatten(marchPages(singletons(source), singletons(destination)));
}

/** One side of the march: the current page and the position in it. */
class PageCursor {
	page: Entry[] = [];
	index = 0;
	done = false;
	constructor(private readonly iterator: AsyncIterator<Entry[]>) {}

	get empty(): boolean {
		return this.index >= this.page.length;
	}

	/** Reads pages until one has an entry or the listing ends. */
	async fill(): Promise<void> {
		while (this.empty && !this.done) {
			const next = await this.iterator.next();
			if (next.done) this.done = true;
			else {
				this.page = next.value;
				this.index = 0;
			}
		}
	}
}

/**
 * The merge-join over pages: yields the pairs of as many entries as the pages
 * in hand allow, then reads the next page of whichever side ran out (both at
 * once when both did, so a slow remote overlaps with a fast one).
 */
export async function* marchPages(source: AsyncIterable<Entry[]>, destination: AsyncIterable<Entry[]>): AsyncGenerator<Pair[]> {
	const sourceIterator = source[Symbol.asyncIterator]();
	const destinationIterator = destination[Symbol.asyncIterator]();
	const src = new PageCursor(sourceIterator);
	const dst = new PageCursor(destinationIterator);
	try {
		await Promise.all([src.fill(), dst.fill()]);
		for (;;) {
			const pairs: Pair[] = [];
			for (;;) {
				const sourceEmpty = src.empty;
				const destinationEmpty = dst.empty;
				if ((sourceEmpty && !src.done) || (destinationEmpty && !dst.done)) break;
				if (sourceEmpty && destinationEmpty) break;
				if (destinationEmpty) {
					pairs.push({source: src.page[src.index++]!});
					continue;
				}
				if (sourceEmpty) {
					pairs.push({destination: dst.page[dst.index++]!});
					continue;
				}
				const s = src.page[src.index]!;
				const d = dst.page[dst.index]!;
				const order = compareKeys(sortKey(s), sortKey(d));
				if (order === 0) {
					pairs.push({source: s, destination: d});
					src.index++;
					dst.index++;
				} else if (order < 0) {
					pairs.push({source: s});
					src.index++;
				} else {
					pairs.push({destination: d});
					dst.index++;
				}
			}
			if (pairs.length > 0) yield pairs;
			if (src.empty && src.done && dst.empty && dst.done) return;
			await Promise.all([src.fill(), dst.fill()]);
		}
	} finally {
		await Promise.allSettled([sourceIterator.return?.(), destinationIterator.return?.()]);
	}
}

/**
 * Reads up to `size` entries ahead of the consumer, so one listing keeps going
 * while the other waits on the network (an S3 page, a slow directory). Memory
 * stays bounded by `size`.
 */
export function prefetch<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T> {
	return flatten(prefetchPages(singletons(source), size));
}

/**
 * prefetch over pages: reads pages ahead of the consumer until `size` entries
 * wait, and hands the consumer everything that has arrived as one page, so a
 * listing that comes one entry at a time still reaches the march in batches.
 * Memory stays bounded by `size` plus one page.
 */
export async function* prefetchPages<T>(source: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
	const iterator = source[Symbol.asyncIterator]();
	let queue: T[] = [];
	let finished = false;
	let stopped = false;
	let failure: {error: unknown} | undefined;
	let wakeConsumer: (() => void) | undefined;
	let wakeProducer: (() => void) | undefined;
	const wake = () => {
		wakeConsumer?.();
		wakeConsumer = undefined;
	};
	const pump = (async () => {
		try {
			while (!stopped) {
				if (queue.length >= size) {
					await new Promise<void>(resolve => (wakeProducer = resolve));
					continue;
				}
				const next = await iterator.next();
				if (next.done) break;
				const page = next.value;
				if (page.length === 0) continue;
				if (queue.length === 0) queue = page.slice();
				else for (const item of page) queue.push(item);
				wake();
			}
		} catch (error) {
			failure = {error};
		} finally {
			finished = true;
			wake();
		}
	})();
	try {
		for (;;) {
			if (queue.length > 0) {
				const page = queue;
				queue = [];
				wakeProducer?.();
				wakeProducer = undefined;
				yield page;
				continue;
			}
			if (failure) throw failure.error;
			if (finished) return;
			await new Promise<void>(resolve => (wakeConsumer = resolve));
		}
	} finally {
		stopped = true;
		wakeProducer?.();
		await pump;
		await iterator.return?.();
	}
}
