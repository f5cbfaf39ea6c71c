import {randomBytes} from 'node:crypto';
import {CloudSyncError} from '../core/errors.js';

/** rclone crypt file layout: header (magic + nonce), then sealed 64 KiB chunks. */
export const MAGIC = Buffer.from('RCLONE\0\0', 'latin1');
export const NONCE_SIZE = 24;
export const HEADER_SIZE = MAGIC.length + NONCE_SIZE;
export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;

/** Stored size of a file of `plainSize` bytes: 32 + n + 16 * ceil(n / 65536). */
export function encryptedSize(plainSize: number): number {
	return HEADER_SIZE + plainSize + TAG_SIZE * Math.ceil(plainSize / CHUNK_SIZE);
}

/** Plain size of a stored file, or undefined when no plaintext encrypts to that size. */
export function decryptedSize(storedSize: number): number | undefined {
	if (!Number.isSafeInteger(storedSize) || storedSize < HEADER_SIZE) return undefined;
	const body = storedSize - HEADER_SIZE;
	const whole = Math.floor(body / SEALED_CHUNK_SIZE);
	const rest = body % SEALED_CHUNK_SIZE;
	if (rest > 0 && rest <= TAG_SIZE) return undefined;
	return whole * CHUNK_SIZE + (rest === 0 ? 0 : rest - TAG_SIZE);
}

/** The 24-byte per-file nonce; chunk i uses the header nonce plus i, little-endian. */
export class Nonce {
	readonly bytes: Buffer;

	constructor(bytes?: Uint8Array) {
		this.bytes = bytes ? Buffer.from(bytes) : randomBytes(NONCE_SIZE);
		if (this.bytes.length !== NONCE_SIZE) throw new Error('nonce must be 24 bytes');
	}

	increment(): void {
		for (let i = 0; i < NONCE_SIZE; i++) {
			this.bytes[i] = (this.bytes[i] + 1) & 0xff;
			if (this.bytes[i] !== 0) return;
		}
	}

	/** Adds a non-negative integer (up to 2^53) with carry through all 24 bytes. */
	add(amount: number): void {
		let carry = amount;
		for (let i = 0; i < NONCE_SIZE && carry > 0; i++) {
			const sum = this.bytes[i] + (carry % 256);
			this.bytes[i] = sum & 0xff;
			carry = Math.floor(carry / 256) + (sum >> 8);
		}
	}

	clone(): Nonce {
		return new Nonce(this.bytes);
	}
}

/** Parses a 32-byte header; throws the wrong-password error for anything that is not one. */
export function parseHeader(header: Buffer): Nonce {
	if (header.length < HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw wrongPasswordError();
	return new Nonce(header.subarray(MAGIC.length, HEADER_SIZE));
}

export const WRONG_PASSWORD_MESSAGE = 'cannot decrypt: wrong password or salt, or not an encrypted remote';

export function wrongPasswordError(): CloudSyncError {
	return new CloudSyncError('auth', WRONG_PASSWORD_MESSAGE);
}

/** Which stored bytes a plaintext range needs, and how to trim the decrypted chunks. */
export type CipherRange = {
	firstChunk: number;
	/** Stored byte offset of the first needed chunk. */
	start: number;
	/** Inclusive stored end, or undefined for "to the end". */
	end?: number;
	/** Plaintext bytes to drop from the first decrypted chunk. */
	skip: number;
	/** Plaintext bytes to emit, or undefined for "to the end". */
	limit?: number;
};

export function cipherRange(start: number, end?: number): CipherRange {
	const firstChunk = Math.floor(start / CHUNK_SIZE);
	const range: CipherRange = {firstChunk, start: HEADER_SIZE + firstChunk * SEALED_CHUNK_SIZE, skip: start - firstChunk * CHUNK_SIZE};
	if (end !== undefined) {
		const lastChunk = Math.floor(end / CHUNK_SIZE);
		range.end = HEADER_SIZE + (lastChunk + 1) * SEALED_CHUNK_SIZE - 1;
		range.limit = Math.max(0, end - start + 1);
	}
	return range;
}
