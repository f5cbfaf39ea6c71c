/**
 * A real Remote with chosen operations made to fail, for the engine's error
 * paths that a local disk cannot produce on demand (root ignores chmod).
 * Everything not listed goes to the real remote underneath.
 */
import type {Readable} from 'node:stream';
import {CloudSyncError} from '../../source/core/errors.js';
import type {Entry, HashType, ListOptions, ReadRange, Remote, WriteOptions} from '../../source/providers/remote.js';

export type Faults = {
	/** Paths whose write fails (permanently unless `transientWrites` is set for the path). */
	failWrite?: Set<string>;
	/** Paths whose first N writes fail with a transient error. */
	transientWrites?: Map<string, number>;
	/** Fail the listing after this many entries. */
	failListAfter?: number;
	/** Called before each write starts. */
	beforeWrite?: (path: string) => void | Promise<void>;
	/** Called before each read of a file's content starts. */
	beforeRead?: (path: string) => void | Promise<void>;
};

export class FaultyRemote implements Remote {
	writes: string[] = [];
	constructor(
		readonly inner: Remote,
		readonly faults: Faults,
	) {}

	get features() {
		return this.inner.features;
	}
	get label() {
		return `faulty:${this.inner.label}`;
	}

	async *list(dir?: string, options?: ListOptions): AsyncGenerator<Entry> {
		let n = 0;
		for await (const entry of this.inner.list(dir, options)) {
			if (this.faults.failListAfter !== undefined && n++ >= this.faults.failListAfter) {
				throw new CloudSyncError('transient', 'the listing broke off (injected)');
			}
			yield entry;
		}
	}
	stat(path: string) {
		return this.inner.stat(path);
	}
	async read(path: string, range?: ReadRange, options?: {signal?: AbortSignal}) {
		await this.faults.beforeRead?.(path);
		return this.inner.read(path, range, options);
	}
	async write(path: string, body: Readable, options: WriteOptions): Promise<Entry> {
		this.writes.push(path);
		await this.faults.beforeWrite?.(path);
		const transient = this.faults.transientWrites?.get(path);
		if (transient !== undefined && transient > 0) {
			this.faults.transientWrites!.set(path, transient - 1);
			body.resume();
			throw new CloudSyncError('transient', `the server answered 503 for ${path} (injected)`);
		}
		if (this.faults.failWrite?.has(path)) {
			body.resume();
			throw new CloudSyncError('permanent', `the server refused ${path} (injected)`);
		}
		return this.inner.write(path, body, options);
	}
	delete(path: string) {
		return this.inner.delete(path);
	}
	mkdir(path: string) {
		return this.inner.mkdir(path);
	}
	rmdir(path: string) {
		return this.inner.rmdir(path);
	}
	setMtime(path: string, mtime: number) {
		return this.inner.setMtime!(path, mtime);
	}
	hash(path: string, type: HashType, options?: {signal?: AbortSignal}) {
		return this.inner.hash!(path, type, options);
	}
	verify() {
		return this.inner.verify();
	}
}
