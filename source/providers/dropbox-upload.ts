/**
 * Uploads to Dropbox from a stream with one chunk in memory: a file that fits
 * in one chunk goes in one files/upload call; a larger one through an upload
 * session (start, append_v2 per chunk, finish with the last chunk). Every call
 * carries its chunk's content_hash so Dropbox rejects data damaged on the way,
 * and the hash of the whole file is checked against the one Dropbox returns.
 * Nothing is visible under the final name before the commit (upload or finish).
 */
import type {Readable} from 'node:stream';
import type {files} from 'dropbox';
import {CloudSyncError} from '../core/errors.js';
import type {DropboxClient} from './dropbox-client.js';
import {hasErrorTag, type DropboxFailure} from './dropbox-errors.js';
import {DropboxContentHasher} from './dropbox-hash.js';

export type UploadOptions = {
	size: number;
	mtime: number;
	/** Bytes per request; a multiple of 4 MiB so chunk hashes combine into the file's. */
	chunkSize: number;
	/** Dropbox content_hash the source claims, checked before the commit. */
	expectedHash?: string;
	signal?: AbortSignal;
	/** For messages: `"/x/y" on Dropbox`. */
	where: string;
	/** Path as written in messages about the source. */
	name: string;
};

/** Dropbox keeps whole seconds: "2015-05-12T15:50:38Z". */
export function dropboxTimestamp(mtimeMs: number): string {
	return new Date(Math.floor(mtimeMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads a stream in chunks of a given size, keeping what is left of the last piece. */
export class ChunkReader {
	private readonly pieces: AsyncIterator<unknown>;
	private leftover?: Buffer;
	private ended = false;

	/** `name` is for the message when the source fails. */
	constructor(
		body: Readable,
		private readonly name = 'the source',
	) {
		this.pieces = body[Symbol.asyncIterator]();
	}

	/** Up to `size` bytes; fewer only at the end of the stream. `expected` sizes the first allocation. */
	async read(size: number, expected: number): Promise<Buffer> {
		let out = Buffer.allocUnsafe(Math.max(1, Math.min(size, expected)));
		let filled = 0;
		while (filled < size) {
			const piece = await this.nextPiece();
			if (!piece) break;
			const take = Math.min(piece.length, size - filled);
			if (filled + take > out.length) {
				const grown = Buffer.allocUnsafe(Math.min(size, Math.max(out.length * 2, filled + take)));
				out.copy(grown, 0, 0, filled);
				out = grown;
			}
			piece.copy(out, filled, 0, take);
			filled += take;
			if (take < piece.length) this.leftover = piece.subarray(take);
		}
		return out.subarray(0, filled);
	}

	async atEnd(): Promise<boolean> {
		if (this.leftover) return false;
		const piece = await this.nextPiece();
		if (!piece) return true;
		this.leftover = piece;
		return false;
	}

	private async nextPiece(): Promise<Buffer | undefined> {
		if (this.leftover) {
			const piece = this.leftover;
			this.leftover = undefined;
			return piece;
		}
		while (!this.ended) {
			let next: IteratorResult<unknown>;
			try {
				next = await this.pieces.next();
			} catch (error) {
				if (error instanceof CloudSyncError) throw error;
				const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
				throw new CloudSyncError('transient', `reading ${this.name} for the upload failed: ${detail}`, {cause: error});
			}
			if (next.done) {
				this.ended = true;
				return undefined;
			}
			const piece = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
			if (piece.length > 0) return piece;
		}
		return undefined;
	}
}

export async function uploadToDropbox(client: DropboxClient, dropboxPath: string, body: Readable, options: UploadOptions): Promise<files.FileMetadata> {
	const {chunkSize, signal, where} = options;
	const fileHasher = new DropboxContentHasher();
	const reader = new ChunkReader(body, options.name);
	let sent = 0;
	const commit: files.CommitInfo = {
		path: dropboxPath,
		mode: {'.tag': 'overwrite'},
		autorename: false,
		client_modified: dropboxTimestamp(options.mtime),
		mute: true,
		strict_conflict: false,
	};
	/** The chunk's own content_hash; its block digests also feed the file's hash. */
	const hashChunk = (chunk: Buffer) => new DropboxContentHasher(digest => fileHasher.addBlockDigest(digest)).update(chunk).digest();
	const readChunk = () => reader.read(chunkSize, options.size - sent);
	const checkWhole = (total: number) => {
		if (options.size >= 0 && total !== options.size) {
			throw new CloudSyncError('transient', `${options.name} changed while it was uploaded: expected ${options.size} bytes, got ${total}`);
		}
		if (options.expectedHash && fileHasher.digest() !== options.expectedHash.toLowerCase()) {
			throw new CloudSyncError('corrupt', `${options.name} was read differently than it was hashed (content hash mismatch): run the task again`);
		}
	};

	const first = await readChunk();
	const firstHash = hashChunk(first);
	let metadata: files.FileMetadata;
	if (await reader.atEnd()) {
		checkWhole(first.length);
		metadata = await client.call('upload', where, sdk => sdk.filesUpload({...commit, contents: first, content_hash: firstHash}), signal);
	} else {
		const started = await client.call(
			'start an upload of',
			where,
			sdk => sdk.filesUploadSessionStart({contents: first, close: false, content_hash: firstHash}),
			signal,
		);
		const sessionId = started.session_id;
		sent = first.length;
		for (;;) {
			const chunk = await readChunk();
			const chunkHash = hashChunk(chunk);
			const cursor = {session_id: sessionId, offset: sent};
			if (await reader.atEnd()) {
				checkWhole(sent + chunk.length);
				metadata = await finishSession(client, {cursor, commit, contents: chunk, content_hash: chunkHash}, fileHasher.digest(), options);
				sent += chunk.length;
				break;
			}
			await appendChunk(client, cursor, chunk, chunkHash, options);
			sent += chunk.length;
		}
	}
	const expected = fileHasher.digest();
	if (metadata.content_hash !== expected) {
		throw new CloudSyncError('corrupt', `the copy of ${options.name} on Dropbox does not match the source (content hash differs): run the task again`);
	}
	return metadata;
}

function correctOffset(error: unknown): number | undefined {
	if (!hasErrorTag(error, 'incorrect_offset')) return undefined;
	const failure = (error instanceof CloudSyncError ? error.cause : error) as DropboxFailure;
	const body = (failure.error as {error?: Record<string, unknown>}).error ?? {};
	const nested = (body.lookup_failed as {correct_offset?: unknown} | undefined)?.correct_offset;
	const offset = body.correct_offset ?? nested;
	return typeof offset === 'number' ? offset : undefined;
}

async function appendChunk(
	client: DropboxClient,
	cursor: files.UploadSessionCursor,
	chunk: Buffer,
	chunkHash: string,
	options: UploadOptions,
): Promise<void> {
	try {
		await client.call(
			'upload a chunk of',
			options.where,
			sdk => sdk.filesUploadSessionAppendV2({cursor, close: false, contents: chunk, content_hash: chunkHash}),
			options.signal,
		);
	} catch (error) {
		// A retry after a lost answer: Dropbox already has this chunk.
		if (correctOffset(error) === cursor.offset + chunk.length) return;
		throw error;
	}
}

async function finishSession(
	client: DropboxClient,
	arg: files.UploadSessionFinishArg,
	wholeHash: string,
	options: UploadOptions,
): Promise<files.FileMetadata> {
	try {
		return await client.call('finish the upload of', options.where, sdk => sdk.filesUploadSessionFinish(arg), options.signal);
	} catch (error) {
		// A retry after a lost answer finds the session already committed:
		// the file is there if its hash is the one we sent.
		if (!(error instanceof CloudSyncError) || error.kind !== 'not_found') throw error;
		const existing = await client
			.call('check the upload of', options.where, sdk => sdk.filesGetMetadata({path: arg.commit.path}), options.signal)
			.catch(() => undefined);
		if (existing?.['.tag'] === 'file' && existing.content_hash === wholeHash) return existing;
		throw error;
	}
}
