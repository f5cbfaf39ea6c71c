/**
 * Dropbox's content_hash: split the content into 4 MiB blocks, take the
 * SHA-256 of each block, and the SHA-256 of those digests concatenated
 * (https://www.dropbox.com/developers/reference/content-hash). An empty file
 * has no blocks, so its hash is the SHA-256 of nothing.
 */
import {createHash, type Hash} from 'node:crypto';

export const dropboxBlockSize = 4 * 1024 * 1024;

/** Hashes a byte stream incrementally, holding one block's hash state, never the data. */
export class DropboxContentHasher {
	private readonly overall: Hash = createHash('sha256');
	private block: Hash = createHash('sha256');
	private blockBytes = 0;
	private finished = false;

	/** `onBlock` sees each block's digest, so a caller can combine several hashers. */
	constructor(private readonly onBlock?: (digest: Buffer) => void) {}

	update(data: Uint8Array): this {
		if (this.finished) throw new Error('DropboxContentHasher.update after digest');
		let offset = 0;
		while (offset < data.length) {
			const take = Math.min(dropboxBlockSize - this.blockBytes, data.length - offset);
			this.block.update(data.subarray(offset, offset + take));
			this.blockBytes += take;
			offset += take;
			if (this.blockBytes === dropboxBlockSize) this.closeBlock();
		}
		return this;
	}

	/**
	 * Feeds a block digest computed elsewhere (a chunk's own hasher). Only valid
	 * on block boundaries: the caller's chunks are whole multiples of 4 MiB.
	 */
	addBlockDigest(digest: Buffer): void {
		if (this.blockBytes !== 0) throw new Error('DropboxContentHasher.addBlockDigest in the middle of a block');
		this.overall.update(digest);
	}

	/** Lower-case hex, as Dropbox returns it. */
	digest(): string {
		if (!this.finished) {
			if (this.blockBytes > 0) this.closeBlock();
			this.finished = true;
		}
		return this.overall.copy().digest('hex');
	}

	private closeBlock(): void {
		const digest = this.block.digest();
		this.overall.update(digest);
		this.onBlock?.(digest);
		this.block = createHash('sha256');
		this.blockBytes = 0;
	}
}

export function dropboxContentHash(data: Uint8Array): string {
	return new DropboxContentHasher().update(data).digest();
}
