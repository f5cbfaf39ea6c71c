/**
 * Merge-join of two listings, each sorted by `compareKeys` on the path with a
 * directory sorting as its path plus '/'. Holds one entry of each side at a
 * time, so memory does not depend on the size of either tree.
 */
import {CloudSyncError} from '../core/errors.js';
import {compareKeys} from '../core/paths.js';
import type {Entry} from '../providers/remote.js';

export type Pair = {source?: Entry; destination?: Entry};

export function sortKey(entry: Entry): string {
	return entry.isDir ? `${entry.path}/` : entry.path;
}

/** Yields only the entries `keep` accepts; out-of-order input is an error. */
export async function* checkedListing(
	listing: AsyncIterable<Entry>,
	keep: (entry: Entry) => boolean,
	side: string,
): AsyncGenerator<Entry> {
	let previous: string | undefined;
	for await (const entry of listing) {
		const key = sortKey(entry);
		if (previous !== undefined && compareKeys(previous, key) >= 0) {
			throw new Error(`the ${side} listing is out of order ("${previous}" then "${key}")`);
		}
		previous = key;
		if (keep(entry)) yield entry;
	}
}

/**
 * A destination whose folder does not exist yet lists as empty, as in rclone:
 * the first write creates it. Only a not-found before any entry counts.
 */
export async function* missingAsEmpty(listing: AsyncIterable<Entry>): AsyncGenerator<Entry> {
	const iterator = listing[Symbol.asyncIterator]();
	let first: IteratorResult<Entry>;
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

export async function* march(source: AsyncIterable<Entry>, destination: AsyncIterable<Entry>): AsyncGenerator<Pair> {
	const src = source[Symbol.asyncIterator]();
	const dst = destination[Symbol.asyncIterator]();
	// Both listings start at once so a slow remote overlaps with a fast one.
	let [s, d] = await Promise.all([src.next(), dst.next()]);
	try {
		while (!s.done || !d.done) {
			if (d.done) {
				const entry = s.value as Entry;
				s = await src.next();
				yield {source: entry};
				continue;
			}
			if (s.done) {
				const entry = d.value as Entry;
				d = await dst.next();
				yield {destination: entry};
				continue;
			}
			const order = compareKeys(sortKey(s.value), sortKey(d.value));
			if (order === 0) {
				const pair = {source: s.value, destination: d.value};
				[s, d] = await Promise.all([src.next(), dst.next()]);
				yield pair;
			} else if (order < 0) {
				const entry = s.value;
				s = await src.next();
				yield {source: entry};
			} else {
				const entry = d.value;
				d = await dst.next();
				yield {destination: entry};
			}
		}
	} finally {
		await Promise.allSettled([src.return?.(), dst.return?.()]);
	}
}

/**
 * Reads up to `size` entries ahead of the consumer, so one listing keeps going
 * while the other waits on the network (an S3 page, a slow directory). Memory
 * stays bounded by `size`.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T> {
	const iterator = source[Symbol.asyncIterator]();
	let queue: T[] = [];
	let head = 0;
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
				if (queue.length - head >= size) {
					await new Promise<void>(resolve => (wakeProducer = resolve));
					continue;
				}
				const next = await iterator.next();
				if (next.done) break;
				queue.push(next.value);
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
			if (head < queue.length) {
				const value = queue[head++]!;
				if (head > 1024 && head * 2 > queue.length) {
					queue = queue.slice(head);
					head = 0;
				}
				wakeProducer?.();
				wakeProducer = undefined;
				yield value;
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
