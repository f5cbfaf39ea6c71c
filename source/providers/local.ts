/**
 * A local directory acting as cloud storage. Writes go to a temp file in the
 * target's directory and are renamed into place, so no partial file ever has
 * the final name. Every path is a Remote path checked with unsafeNameReason,
 * and nothing is created, changed or removed through a symlink that leads
 * outside the root: this is the safety net for PULL.
 */
import {randomBytes} from 'node:crypto';
import fsSync, {constants as fsConstants, type BigIntStats} from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {Readable, Transform, Writable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {CloudSyncError} from '../core/errors.js';
import {exactNs, msFromNs, splitNs} from '../core/mtime.js';
import {errnoError, nativeFs} from '../native/load.js';
import {compareKeys, unsafeNameReason} from '../core/paths.js';
import {errorCode, hashFile, isAbort, localError, StreamHasher} from './local-files.js';
import {entryFromStats, inodeKey, localTempPrefix, walkLocalPages, type LocalListErrorHandler} from './local-walk.js';
import type {Entry, HashType, ListOptions, LocationBrowser, ReadRange, Remote, RemoteFeatures, WriteOptions} from './remote.js';

export {localTempPrefix, type LocalListErrorHandler} from './local-walk.js';

export type LocalRemoteOptions = {
	/** Follow symbolic links (with loop protection) instead of skipping them. */
	followSymlinks?: boolean;
	/**
	 * Called for a directory or file the walk cannot read; the walk goes on
	 * without it. Without a handler (here or in list's options) list() throws.
	 */
	onError?: LocalListErrorHandler;
};

/**
 * Ranges up to this size are read synchronously in one go: open, read and
 * close on the thread pool cost about 0.3 ms of CPU per small file (most of
 * the local side of pushing many small files), the same calls made directly
 * about 10 µs, a pause of the event loop no one notices.
 */
const smallReadBytes = 64 * 1024;

/**
 * A stream of up to `length` bytes at `start` of a regular file (fewer at its
 * end), in one piece. The file is opened now (so a missing file fails the
 * call, as the streamed path does) without blocking on a FIFO, and read when
 * the consumer first asks, so a file that changes before the copy begins is
 * read as it is then.
 */
function smallFileStream(full: string, start: number, length: number): Readable {
	let fd: number | undefined;
	try {
		fd = fsSync.openSync(full, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
		if (!fsSync.fstatSync(fd).isFile()) throw new CloudSyncError('permanent', `cannot read ${full}: it is not a regular file`);
	} catch (error) {
		if (fd !== undefined) fsSync.closeSync(fd);
		throw localError(error, 'read', full);
	}
	const close = () => {
		if (fd === undefined) return;
		const open = fd;
		fd = undefined;
		fsSync.closeSync(open);
	};
	return new Readable({
		read() {
			if (fd === undefined) return;
			let data: Buffer;
			try {
				const buffer = Buffer.allocUnsafe(length);
				let filled = 0;
				while (filled < length) {
					const n = fsSync.readSync(fd, buffer, filled, length - filled, start + filled);
					if (n === 0) break;
					filled += n;
				}
				data = filled === length ? buffer : buffer.subarray(0, filled);
				close();
			} catch (error) {
				try {
					close();
				} catch {
					// The read error is the one to report.
				}
				this.destroy(localError(error, 'read', full));
				return;
			}
			if (data.length > 0) this.push(data);
			this.push(null);
		},
		destroy(error, callback) {
			try {
				close();
			} catch {
				// Nothing more to do with a descriptor that does not close.
			}
			callback(error);
		},
	});
}

export class LocalRemote implements Remote, LocationBrowser {
	readonly features: RemoteFeatures = {
		hashes: ['md5', 'sha256', 'dropbox'],
		// The native helper sets times to the nanosecond; fs.utimes (its fallback)
		// only to the microsecond, which libuv truncates to.
		precisionMs: nativeFs() ? 1e-6 : 0.002,
		canSetMtime: true,
		posixMetadata: true,
		slowHash: true,
	};
	readonly label: string;
	readonly root: string;
	readonly followSymlinks: boolean;
	private readonly onError?: LocalListErrorHandler;
	private realRoot?: string;
	private rootReady = false;

	constructor(root: string, options: LocalRemoteOptions = {}) {
		this.root = path.resolve(root);
		this.label = `local:${this.root}`;
		this.followSymlinks = options.followSymlinks ?? false;
		this.onError = options.onError;
	}

	async *list(dir = '', options: ListOptions = {}): AsyncGenerator<Entry> {
		for await (const page of this.listPages(dir, options)) yield* page;
	}

	/** The listing in pages (see Remote.listPages): what the sync engine reads. */
	async *listPages(dir = '', options: ListOptions = {}): AsyncGenerator<Entry[]> {
		const onError = options.onError ?? this.onError;
		const start = dir === '' ? '' : this.checkName(dir);
		const startPath = this.localPath(start);
		let rootStats: BigIntStats;
		try {
			rootStats = await this.statFor(startPath);
		} catch (error) {
			throw localError(error, 'list the folder', startPath);
		}
		if (!rootStats.isDirectory()) throw new CloudSyncError('permanent', `cannot list ${startPath}: it is a file, not a folder`);
		const report = (where: string, error: CloudSyncError) => {
			if (!onError) throw error;
			onError(where, error);
		};
		yield* walkLocalPages(this, start, new Set([inodeKey(rootStats)]), report, options.signal);
	}

	async stat(remotePath: string): Promise<Entry | undefined> {
		const name = this.checkName(remotePath);
		const full = this.localPath(name);
		try {
			const stats = await this.statFor(full);
			if (!stats.isFile() && !stats.isDirectory()) return undefined;
			return entryFromStats(name, stats);
		} catch (error) {
			const code = errorCode(error);
			if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
			throw localError(error, 'read', full);
		}
	}

	async read(remotePath: string, range?: ReadRange, options: {signal?: AbortSignal} = {}): Promise<Readable> {
		const full = this.localPath(this.checkName(remotePath));
		if (range?.end !== undefined && range.end - range.start + 1 <= smallReadBytes) {
			if (options.signal?.aborted) throw new CloudSyncError('aborted', `reading ${full} was cancelled`);
			return smallFileStream(full, range.start, range.end - range.start + 1);
		}
		let handle: fs.FileHandle;
		try {
			handle = await fs.open(full, 'r');
		} catch (error) {
			throw localError(error, 'read', full);
		}
		return handle.createReadStream({start: range?.start, end: range?.end, signal: options.signal, highWaterMark: 1024 * 1024});
	}

	async write(remotePath: string, body: Readable, options: WriteOptions): Promise<Entry> {
		const name = this.checkName(remotePath);
		const final = this.localPath(name);
		const parent = await this.ensureParents(name);
		const temp = path.join(parent, tempName(path.basename(final)));
		let handle: fs.FileHandle | undefined;
		try {
			handle = await fs.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
			const hashers = Object.entries(options.hashes ?? {}).map(([type, expected]) => ({hasher: new StreamHasher(type as HashType), expected}));
			let size = 0;
			const tap = new Transform({
				transform(chunk: Buffer, _encoding, done) {
					size += chunk.length;
					for (const {hasher} of hashers) hasher.update(chunk);
					done(null, chunk);
				},
			});
			await pipeline(body, tap, fileSink(handle), {signal: options.signal});
			if (options.size >= 0 && size !== options.size) {
				throw new CloudSyncError('transient', `${name} changed while it was copied: expected ${options.size} bytes, got ${size}`);
			}
			for (const {hasher, expected} of hashers) {
				const actual = hasher.digest();
				if (expected && actual !== expected.toLowerCase()) {
					throw new CloudSyncError('corrupt', `${name} arrived corrupted: its ${hasher.type} hash does not match the source's`);
				}
			}
			await handle.sync();
			await handle.chmod(options.mode === undefined ? 0o666 & ~process.umask() : options.mode & 0o7777);
			if (process.getuid?.() === 0 && (options.uid !== undefined || options.gid !== undefined)) {
				await handle.chown(options.uid ?? -1, options.gid ?? -1);
			}
			await setTimes(handle, final, exactNs(options));
			const stats = await handle.stat({bigint: true});
			await handle.close();
			handle = undefined;
			await fs.rename(temp, final);
			return entryFromStats(name, stats);
		} catch (error) {
			await handle?.close().catch(() => undefined);
			await fs.rm(temp, {force: true}).catch(() => undefined);
			if (isAbort(error) || options.signal?.aborted) throw new CloudSyncError('aborted', `writing ${final} was cancelled`, {cause: error});
			throw localError(error, 'write', final);
		}
	}

	async delete(remotePath: string): Promise<void> {
		const name = this.checkName(remotePath);
		await this.checkParentsInside(name);
		const full = this.localPath(name);
		try {
			await fs.unlink(full);
		} catch (error) {
			if (errorCode(error) === 'ENOENT') return;
			throw localError(error, 'delete', full);
		}
	}

	async mkdir(remotePath: string): Promise<void> {
		const name = this.checkName(remotePath);
		await this.ensureParents(`${name}/.`);
	}

	async rmdir(remotePath: string): Promise<void> {
		const name = this.checkName(remotePath);
		await this.checkParentsInside(name);
		const full = this.localPath(name);
		try {
			await fs.rmdir(full);
		} catch (error) {
			if (errorCode(error) === 'ENOENT') return;
			throw localError(error, 'remove the folder', full);
		}
	}

	async setMtime(remotePath: string, mtime: number, mtimeNs?: bigint): Promise<void> {
		const name = this.checkName(remotePath);
		await this.checkParentsInside(name);
		const full = this.localPath(name);
		try {
			const stats = await fs.lstat(full);
			if (stats.isSymbolicLink()) await this.assertInside(full);
			await setTimes(full, full, exactNs({mtime, mtimeNs}));
		} catch (error) {
			throw localError(error, 'set the modification time of', full);
		}
	}

	async hash(remotePath: string, type: HashType, options: {signal?: AbortSignal} = {}): Promise<string | undefined> {
		const full = this.localPath(this.checkName(remotePath));
		try {
			return await hashFile(full, type, options.signal);
		} catch (error) {
			if (isAbort(error)) throw new CloudSyncError('aborted', `hashing ${full} was cancelled`, {cause: error});
			throw localError(error, 'read', full);
		}
	}

	async verify(): Promise<void> {
		let stats;
		try {
			stats = await fs.stat(this.root);
		} catch (error) {
			if (errorCode(error) === 'ENOENT') throw new CloudSyncError('not_found', `the folder ${this.root} does not exist: create it or choose another folder`);
			throw localError(error, 'open the folder', this.root);
		}
		if (!stats.isDirectory()) throw new CloudSyncError('permanent', `${this.root} is a file, not a folder: choose a folder`);
		const probe = path.join(this.root, `${localTempPrefix}${randomBytes(6).toString('hex')}-verify`);
		try {
			await fs.writeFile(probe, '', {flag: 'wx'});
		} catch (error) {
			throw new CloudSyncError('access_denied', `the folder ${this.root} is not writable: check its owner and permissions`, {cause: error});
		}
		await fs.rm(probe, {force: true});
	}

	async listFolders(_bucket: string | undefined, dir: string): Promise<string[]> {
		const base = dir === '' ? '' : this.checkName(dir.replace(/^\/+|\/+$/g, ''));
		const full = this.localPath(base);
		try {
			const dirents = await fs.readdir(full, {withFileTypes: true});
			const folders: string[] = [];
			for (const dirent of dirents) {
				if (dirent.name.startsWith(localTempPrefix)) continue;
				if (dirent.isDirectory()) folders.push(dirent.name);
				else if (dirent.isSymbolicLink() && this.followSymlinks) {
					const target = await fs.stat(path.join(full, dirent.name)).catch(() => undefined);
					if (target?.isDirectory()) folders.push(dirent.name);
				}
			}
			return folders.sort(compareKeys);
		} catch (error) {
			throw localError(error, 'list the folder', full);
		}
	}

	private checkName(remotePath: string): string {
		const reason = unsafeNameReason(remotePath);
		if (reason) throw new CloudSyncError('unsafe_path', `refused the name "${printable(remotePath)}": ${reason}`);
		return remotePath;
	}

	localPath(name: string): string {
		return name === '' ? this.root : path.join(this.root, ...name.split('/'));
	}

	private statFor(full: string): Promise<BigIntStats> {
		return fs.stat(full, {bigint: true});
	}

	private async assertInside(full: string): Promise<void> {
		this.realRoot ??= await fs.realpath(this.root);
		const real = await fs.realpath(full);
		if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
			throw new CloudSyncError('unsafe_path', `refused to write through ${full}: it is a symbolic link that leads outside ${this.root}`);
		}
	}

	/** Checks (creating missing ones) every folder above `name`; returns the parent's local path. */
	private async ensureParents(name: string): Promise<string> {
		return this.walkParents(name, true);
	}

	private async checkParentsInside(name: string): Promise<void> {
		await this.walkParents(name, false);
	}

	private async walkParents(name: string, create: boolean): Promise<string> {
		if (create && !this.rootReady) {
			// A PULL into a folder that does not exist yet creates it.
			await fs.mkdir(this.root, {recursive: true}).catch(error => {
				throw localError(error, 'create the folder', this.root);
			});
			this.rootReady = true;
		}
		const segments = name.split('/');
		let current = this.root;
		for (const segment of segments.slice(0, -1)) {
			current = path.join(current, segment);
			let stats;
			try {
				stats = await fs.lstat(current);
			} catch (error) {
				if (errorCode(error) !== 'ENOENT') throw localError(error, 'open the folder', current);
				if (!create) return current;
				try {
					await fs.mkdir(current);
				} catch (mkdirError) {
					if (errorCode(mkdirError) !== 'EEXIST') throw localError(mkdirError, 'create the folder', current);
				}
				stats = await fs.lstat(current);
			}
			if (stats.isSymbolicLink()) {
				await this.assertInside(current);
				stats = await fs.stat(current);
			}
			if (!stats.isDirectory()) throw new CloudSyncError('permanent', `cannot use ${current} as a folder: a file with that name is in the way`);
		}
		return current;
	}
}

/**
 * Sets atime and mtime of an open file or a path (following links, as utimes
 * does) to `ns`: exactly with the native helper, else to the microsecond.
 */
async function setTimes(target: fs.FileHandle | string, where: string, ns: bigint): Promise<void> {
	const native = nativeFs();
	if (native) {
		const {seconds, nanoseconds} = splitNs(ns);
		const errno = native.setTimes(typeof target === 'string' ? target : target.fd, seconds, nanoseconds);
		if (errno !== 0) throw errnoError(errno, 'utimensat', where);
		return;
	}
	const seconds = msFromNs(ns) / 1000;
	await (typeof target === 'string' ? fs.utimes(target, seconds, seconds) : target.utimes(seconds, seconds));
}

/** Writes into an open FileHandle and leaves it open, so the caller can fsync and set times. */
function fileSink(handle: fs.FileHandle): Writable {
	return new Writable({
		highWaterMark: 1024 * 1024,
		write(chunk: Buffer, _encoding, done) {
			writeAll(handle, chunk).then(() => done(), done);
		},
	});
}

async function writeAll(handle: fs.FileHandle, chunk: Buffer): Promise<void> {
	let offset = 0;
	while (offset < chunk.length) {
		const {bytesWritten} = await handle.write(chunk, offset, chunk.length - offset);
		offset += bytesWritten;
	}
}

/** A temp name beside the target that stays within the 255-byte name limit. */
function tempName(base: string): string {
	const prefix = `${localTempPrefix}${randomBytes(6).toString('hex')}-`;
	let tail = base;
	while (Buffer.byteLength(prefix + tail) > 255) tail = Array.from(tail).slice(1).join('');
	return prefix + tail;
}

function printable(name: string): string {
	// eslint-disable-next-line no-control-regex
	return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200);
}
