import type {Readable} from 'node:stream';
import {pipeline} from 'node:stream';
import {CloudSyncError} from '../core/errors.js';
import type {Entry, HashType, ListOptions, ReadRange, Remote, RemoteFeatures, WriteOptions} from '../providers/remote.js';
import {listDecrypted, SUBTREE_BUFFER_LIMIT, type ListErrorHandler} from './crypt-list.js';
import {cipherRange, decryptedSize, encryptedSize, HEADER_SIZE, Nonce, parseHeader, SEALED_CHUNK_SIZE, wrongPasswordError} from './format.js';
import {deriveKeys, type CryptKeys} from './keys.js';
import type {FilenameEncoding} from './name-encodings.js';
import {NameCipher, type FilenameEncryption} from './names.js';
import {DecryptStream, EncryptStream, type DecryptFailure} from './stream.js';
import {UploadHasher} from './upload-hash.js';

export type CryptRemoteOptions = {
	/** Plain text; rclone's config holds the same value obscured. */
	password: string;
	/** Plain text; empty or absent means rclone's built-in salt. */
	salt?: string;
	filenameEncryption: FilenameEncryption;
	filenameEncoding?: FilenameEncoding;
	directoryNameEncryption?: boolean;
	/** Names that do not decrypt and files with impossible sizes are reported here and skipped. */
	onError?: ListErrorHandler;
	/** Tuning for tests: subtrees up to this many entries are sorted in memory. */
	subtreeBufferLimit?: number;
};

/**
 * An rclone "crypt" remote over any other Remote: paths and contents are
 * encrypted on the way in and decrypted on the way out, byte-compatible with
 * rclone. Keys come from scrypt (slow on purpose), derived once on first use.
 */
export class CryptRemote implements Remote {
	readonly features: RemoteFeatures;
	readonly label: string;
	setMtime?: (path: string, mtime: number, mtimeNs?: bigint) => Promise<void>;
	private readonly options: CryptRemoteOptions;
	private ready?: Promise<{keys: CryptKeys; names: NameCipher}>;

	constructor(
		readonly inner: Remote,
		options: CryptRemoteOptions,
	) {
		this.options = {...options};
		this.label = `crypt:${inner.label}`;
		this.features = {
			hashes: [],
			precisionMs: inner.features.precisionMs,
			canSetMtime: inner.features.canSetMtime,
			posixMetadata: inner.features.posixMetadata,
			slowHash: false,
		};
		if (inner.setMtime) {
			this.setMtime = async (path, mtime, mtimeNs) => {
				const {names} = await this.keys();
				await inner.setMtime?.(names.encryptFile(path), mtime, mtimeNs);
			};
		}
	}

	/** Stored (encrypted) path of a file, e.g. for logs or rclone cross-checks. */
	async storedPath(path: string): Promise<string> {
		return (await this.keys()).names.encryptFile(path);
	}

	async *list(dir = '', options: ListOptions = {}): AsyncGenerator<Entry> {
		const {names} = await this.keys();
		const report = options.onError ?? this.options.onError ?? (() => undefined);
		const walk = {inner: this.inner, names, signal: options.signal, report, bufferLimit: this.options.subtreeBufferLimit ?? SUBTREE_BUFFER_LIMIT};
		yield* listDecrypted(walk, names.encryptDirectory(dir), dir, true);
	}

	async stat(path: string): Promise<Entry | undefined> {
		const {names} = await this.keys();
		const file = await this.inner.stat(names.encryptFile(path));
		if (file && !file.isDir) {
			const size = decryptedSize(file.size);
			if (size === undefined) {
				throw new CloudSyncError('corrupt', `"${path}" has a stored size (${file.size} bytes) that no encrypted file has: it is damaged or not encrypted.`);
			}
			return {...file, path, size, hashes: undefined};
		}
		const dir = await this.inner.stat(names.encryptDirectory(path));
		return dir?.isDir ? {...dir, path, size: 0, hashes: undefined} : undefined;
	}

	async read(path: string, range?: ReadRange, options: {signal?: AbortSignal} = {}): Promise<Readable> {
		const {keys, names} = await this.keys();
		const stored = names.encryptFile(path);
		const describe = (firstChunk: number) => (failure: DecryptFailure) => this.decryptError(path, names, firstChunk, failure);
		if (!range || (range.start === 0 && range.end === undefined)) {
			return this.pipe(await this.inner.read(stored, undefined, options), new DecryptStream(keys.dataKey, {describe: describe(0)}));
		}
		const span = cipherRange(range.start, range.end);
		if (span.firstChunk === 0) {
			const body = await this.inner.read(stored, {start: 0, end: span.end}, options);
			return this.pipe(body, new DecryptStream(keys.dataKey, {skip: span.skip, limit: span.limit, describe: describe(0)}));
		}
		const header = await readAll(await this.inner.read(stored, {start: 0, end: HEADER_SIZE - 1}, options));
		let nonce: Nonce;
		try {
			nonce = parseHeader(header);
		} catch {
			throw this.decryptError(path, names, 0, {problem: 'header'});
		}
		nonce.add(span.firstChunk);
		const body = await this.inner.read(stored, {start: span.start, end: span.end}, options);
		return this.pipe(body, new DecryptStream(keys.dataKey, {nonce, firstChunk: span.firstChunk, skip: span.skip, limit: span.limit, describe: describe(span.firstChunk)}));
	}

	/**
	 * Streams `body` through encryption into the inner remote, then checks the
	 * stored object against what was sent: its size always, and its hash when
	 * the inner remote reports one for free (S3 single-part md5, Dropbox
	 * content_hash). A mismatch removes the object and fails the write.
	 */
	async write(path: string, body: Readable, options: WriteOptions): Promise<Entry> {
		const {keys, names} = await this.keys();
		this.checkCaseSafe(names);
		const stored = names.encryptFile(path);
		const hashTypes: HashType[] = this.inner.features.slowHash ? [] : this.inner.features.hashes;
		const hasher = hashTypes.length > 0 ? new UploadHasher(hashTypes) : undefined;
		const encrypt = new EncryptStream(keys.dataKey, {onOutput: hasher ? chunk => hasher.update(chunk) : undefined});
		pipeline(body, encrypt, () => undefined);
		const storedSize = options.size >= 0 ? encryptedSize(options.size) : -1;
		const {hashes: _plainHashes, ...rest} = options;
		let entry: Entry;
		try {
			entry = await this.inner.write(stored, encrypt, {...rest, size: storedSize});
		} catch (error) {
			encrypt.destroy();
			throw error;
		}
		const mismatch = this.verifyUpload(entry, encryptedSize(encrypt.plainBytes), hasher?.digests());
		if (mismatch) {
			await this.inner.delete(stored).catch(() => undefined);
			throw new CloudSyncError('transient', `Upload of "${path}" did not verify: the stored object's ${mismatch} differs from the encrypted data sent, so it was removed; run the task again.`);
		}
		return {...entry, path, size: encrypt.plainBytes, hashes: undefined};
	}

	async delete(path: string): Promise<void> {
		const {names} = await this.keys();
		await this.inner.delete(names.encryptFile(path));
	}

	async mkdir(path: string): Promise<void> {
		const {names} = await this.keys();
		this.checkCaseSafe(names);
		await this.inner.mkdir(names.encryptDirectory(path));
	}

	async rmdir(path: string): Promise<void> {
		const {names} = await this.keys();
		await this.inner.rmdir(names.encryptDirectory(path));
	}

	/**
	 * Checks the inner remote, then the keys: among the first 20 files found,
	 * at least one must decrypt (its name, or with names off its first chunk).
	 * An empty remote passes: there is nothing to decrypt yet.
	 */
	async verify(): Promise<void> {
		await this.inner.verify();
		const {keys, names} = await this.keys();
		let tried = 0;
		for await (const entry of this.inner.list('')) {
			// Without standard names only content proves the key, and an empty file has none.
			if (entry.isDir || (names.mode !== 'standard' && entry.size <= HEADER_SIZE)) continue;
			tried++;
			try {
				names.decryptPath(entry.path, false);
				if (names.mode === 'standard') return;
				const head = await this.inner.read(entry.path, {start: 0, end: HEADER_SIZE + SEALED_CHUNK_SIZE - 1});
				await readAll(this.pipe(head, new DecryptStream(keys.dataKey, {limit: 1, describe: () => wrongPasswordError()})));
				return;
			} catch (error) {
				if (error instanceof CloudSyncError && error.kind !== 'corrupt' && error.kind !== 'auth') throw error;
			}
			if (tried >= 20) break;
		}
		if (tried > 0) throw wrongPasswordError();
	}

	async close(): Promise<void> {
		await this.inner.close?.();
	}

	private keys(): Promise<{keys: CryptKeys; names: NameCipher}> {
		this.ready ??= deriveKeys(this.options.password, this.options.salt ?? '').then(keys => ({keys, names: new NameCipher(keys, this.options)}));
		return this.ready;
	}

	private pipe(source: Readable, decrypt: DecryptStream): Readable {
		pipeline(source, decrypt, () => undefined);
		return decrypt;
	}

	private decryptError(path: string, names: NameCipher, firstChunk: number, failure: DecryptFailure): Error {
		if (failure.problem === 'header') {
			// The header holds no key material: a bad one under a name that decrypted is damage.
			if (names.mode !== 'standard') return wrongPasswordError();
			return new CloudSyncError('corrupt', `Cannot decrypt "${path}": it does not start with an rclone crypt header, so it is damaged or was not written by crypt.`);
		}
		if (failure.problem === 'truncated') {
			return new CloudSyncError('corrupt', `Cannot decrypt "${path}": the stored file is cut short (its last chunk is incomplete); restore it from another copy.`);
		}
		// A standard name that decrypted, or an earlier chunk that authenticated, proves the key.
		if (names.mode !== 'standard' && failure.chunk === firstChunk) return wrongPasswordError();
		return new CloudSyncError(
			'corrupt',
			`Cannot decrypt "${path}": chunk ${failure.chunk} failed authentication, so the stored data was changed or damaged after encryption.`,
		);
	}

	/** base64 names differ only in letter case; a store that folds case would merge them. */
	private checkCaseSafe(names: NameCipher): void {
		if (names.mode === 'standard' && names.encoding === 'base64' && (this.inner.features as {caseInsensitive?: boolean}).caseInsensitive) {
			throw new CloudSyncError(
				'usage',
				`base64 file name encoding needs storage that keeps upper and lower case apart, and ${this.inner.label} does not: choose base32 or base32768.`,
			);
		}
	}

	private verifyUpload(entry: Entry, expectedSize: number, sent?: Partial<Record<HashType, string>>): string | undefined {
		if (entry.size !== expectedSize) return `size (${entry.size} bytes, expected ${expectedSize})`;
		for (const [type, digest] of Object.entries(sent ?? {})) {
			const stored = entry.hashes?.[type as HashType];
			if (stored && stored.toLowerCase() !== digest) return `${type} hash`;
		}
		return undefined;
	}
}

async function readAll(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}
