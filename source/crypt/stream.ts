import {Transform, type TransformCallback} from 'node:stream';
import {CHUNK_SIZE, HEADER_SIZE, MAGIC, Nonce, parseHeader, SEALED_CHUNK_SIZE, TAG_SIZE} from './format.js';
import {secretBox} from './secretbox.js';

/**
 * Plaintext in, rclone crypt format out: the header, then each 64 KiB of input
 * sealed under the next nonce. Memory stays at one chunk plus whatever whole
 * chunks a single input buffer holds.
 */
export class EncryptStream extends Transform {
	/** Plaintext bytes consumed so far. */
	plainBytes = 0;
	private readonly nonce: Nonce;
	private readonly onOutput?: (chunk: Buffer) => void;
	private readonly pending = Buffer.allocUnsafe(CHUNK_SIZE);
	private pendingLength = 0;
	private headerSent = false;

	constructor(
		private readonly key: Uint8Array,
		options: {nonce?: Uint8Array; onOutput?: (chunk: Buffer) => void} = {},
	) {
		super({readableHighWaterMark: 4 * SEALED_CHUNK_SIZE});
		this.nonce = new Nonce(options.nonce);
		this.onOutput = options.onOutput;
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.plainBytes += chunk.length;
		this.sendHeader();
		let offset = 0;
		if (this.pendingLength > 0) {
			const take = Math.min(CHUNK_SIZE - this.pendingLength, chunk.length);
			chunk.copy(this.pending, this.pendingLength, 0, take);
			this.pendingLength += take;
			offset = take;
			if (this.pendingLength === CHUNK_SIZE) {
				this.output(this.seal([this.pending]));
				this.pendingLength = 0;
			}
		}
		const whole = Math.floor((chunk.length - offset) / CHUNK_SIZE);
		if (whole > 0) {
			const parts: Buffer[] = [];
			for (let i = 0; i < whole; i++) parts.push(chunk.subarray(offset + i * CHUNK_SIZE, offset + (i + 1) * CHUNK_SIZE));
			this.output(this.seal(parts));
			offset += whole * CHUNK_SIZE;
		}
		if (offset < chunk.length) {
			chunk.copy(this.pending, this.pendingLength, offset);
			this.pendingLength += chunk.length - offset;
		}
		callback();
	}

	override _flush(callback: TransformCallback): void {
		this.sendHeader();
		if (this.pendingLength > 0) this.output(this.seal([this.pending.subarray(0, this.pendingLength)]));
		callback();
	}

	private sendHeader(): void {
		if (this.headerSent) return;
		this.headerSent = true;
		this.output(Buffer.concat([MAGIC, this.nonce.bytes]));
	}

	/** Seals consecutive chunks into one output buffer. */
	private seal(parts: Buffer[]): Buffer {
		const total = parts.reduce((sum, part) => sum + part.length + TAG_SIZE, 0);
		const out = Buffer.allocUnsafe(total);
		let at = 0;
		for (const part of parts) {
			secretBox.seal(out.subarray(at, at + part.length + TAG_SIZE), part, this.nonce.bytes, this.key);
			this.nonce.increment();
			at += part.length + TAG_SIZE;
		}
		return out;
	}

	private output(chunk: Buffer): void {
		this.onOutput?.(chunk);
		this.push(chunk);
	}
}

export type DecryptFailure = {problem: 'header'} | {problem: 'chunk'; chunk: number} | {problem: 'truncated'};

export type DecryptOptions = {
	/** Nonce of `firstChunk` when the header was read separately (range reads); otherwise the stream starts with the header. */
	nonce?: Nonce;
	/** Index of the first chunk in the input, for ranged reads (error messages). */
	firstChunk?: number;
	/** Plaintext bytes to drop at the start. */
	skip?: number;
	/** Plaintext bytes to emit at most. */
	limit?: number;
	/** Builds the error for a failure; the default names the chunk. */
	describe?: (failure: DecryptFailure) => Error;
};

function defaultDescribe(failure: DecryptFailure): Error {
	if (failure.problem === 'header') return new Error('not an rclone crypt file (bad header)');
	if (failure.problem === 'truncated') return new Error('encrypted file is truncated');
	return new Error(`chunk ${failure.chunk} failed authentication`);
}

/**
 * rclone crypt format in, plaintext out. A chunk is emitted only after its
 * Poly1305 tag checks, so damaged or forged data never reaches the consumer.
 */
export class DecryptStream extends Transform {
	private nonce?: Nonce;
	private chunkIndex: number;
	private skip: number;
	private remaining: number;
	private readonly describe: (failure: DecryptFailure) => Error;
	private readonly pending = Buffer.allocUnsafe(SEALED_CHUNK_SIZE);
	private pendingLength = 0;

	constructor(
		private readonly key: Uint8Array,
		options: DecryptOptions = {},
	) {
		super({readableHighWaterMark: 16 * CHUNK_SIZE});
		this.nonce = options.nonce?.clone();
		this.chunkIndex = options.firstChunk ?? 0;
		this.skip = options.skip ?? 0;
		this.remaining = options.limit ?? Number.POSITIVE_INFINITY;
		this.describe = options.describe ?? defaultDescribe;
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		try {
			let offset = 0;
			while (offset < chunk.length && this.remaining > 0) {
				// Whole sealed chunks straight from the input need no copy, and share one output buffer.
				const whole = this.nonce && this.pendingLength === 0 ? Math.floor((chunk.length - offset) / SEALED_CHUNK_SIZE) : 0;
				if (whole > 0) {
					this.openMany(chunk.subarray(offset, offset + whole * SEALED_CHUNK_SIZE), whole);
					offset += whole * SEALED_CHUNK_SIZE;
					continue;
				}
				const want = (this.nonce ? SEALED_CHUNK_SIZE : HEADER_SIZE) - this.pendingLength;
				const take = Math.min(want, chunk.length - offset);
				chunk.copy(this.pending, this.pendingLength, offset, offset + take);
				this.pendingLength += take;
				if (take === want) this.completePending();
				offset += take;
			}
			callback();
		} catch (error) {
			callback(error as Error);
		}
	}

	override _flush(callback: TransformCallback): void {
		try {
			if (!this.nonce) throw this.describe({problem: 'header'});
			if (this.pendingLength > 0 && this.remaining > 0) {
				if (this.pendingLength <= TAG_SIZE) throw this.describe({problem: 'truncated'});
				this.open(this.pending.subarray(0, this.pendingLength));
			}
			callback();
		} catch (error) {
			callback(error as Error);
		}
	}

	private completePending(): void {
		if (this.nonce) this.open(this.pending.subarray(0, SEALED_CHUNK_SIZE));
		else {
			try {
				this.nonce = parseHeader(this.pending.subarray(0, HEADER_SIZE));
			} catch {
				throw this.describe({problem: 'header'});
			}
		}
		this.pendingLength = 0;
	}

	private open(sealed: Buffer): void {
		const plain = Buffer.allocUnsafe(sealed.length - TAG_SIZE);
		this.openInto(plain, sealed);
		this.emitPlain(plain);
	}

	private openMany(sealed: Buffer, count: number): void {
		const plain = Buffer.allocUnsafe(count * CHUNK_SIZE);
		for (let i = 0; i < count; i++) {
			this.openInto(plain.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), sealed.subarray(i * SEALED_CHUNK_SIZE, (i + 1) * SEALED_CHUNK_SIZE));
		}
		this.emitPlain(plain);
	}

	private openInto(plain: Buffer, sealed: Buffer): void {
		const nonce = this.nonce as Nonce;
		if (!secretBox.open(plain, sealed, nonce.bytes, this.key)) throw this.describe({problem: 'chunk', chunk: this.chunkIndex});
		nonce.increment();
		this.chunkIndex++;
	}

	/** Pushes decrypted bytes, dropping the skipped start and anything past the limit. */
	private emitPlain(plain: Buffer): void {
		let out = plain;
		if (this.skip > 0) {
			const drop = Math.min(this.skip, out.length);
			out = out.subarray(drop);
			this.skip -= drop;
		}
		if (out.length > this.remaining) out = out.subarray(0, this.remaining);
		this.remaining -= out.length;
		if (out.length > 0) this.push(out);
	}
}
