import {createHash, type Hash} from 'node:crypto';
import type {HashType} from '../providers/remote.js';

const DROPBOX_BLOCK = 4 * 1024 * 1024;

/** Hashes of the bytes sent, in the types the inner remote reports, to check the stored object. */
export class UploadHasher {
	private readonly hashes = new Map<HashType, Hash>();
	private dropboxBlock?: Hash;
	private dropboxBlockLength = 0;
	private readonly dropboxDigests: Buffer[] = [];

	constructor(readonly types: HashType[]) {
		for (const type of types) {
			if (type === 'md5' || type === 'sha256') this.hashes.set(type, createHash(type));
		}
	}

	update(chunk: Buffer): void {
		for (const hash of this.hashes.values()) hash.update(chunk);
		if (this.types.includes('dropbox')) this.updateDropbox(chunk);
	}

	digests(): Partial<Record<HashType, string>> {
		const out: Partial<Record<HashType, string>> = {};
		for (const [type, hash] of this.hashes) out[type] = hash.digest('hex');
		if (this.types.includes('dropbox')) {
			if (this.dropboxBlock && this.dropboxBlockLength > 0) this.dropboxDigests.push(this.dropboxBlock.digest());
			out.dropbox = createHash('sha256').update(Buffer.concat(this.dropboxDigests)).digest('hex');
		}
		return out;
	}

	/** Dropbox content_hash: sha256 of the concatenated sha256 digests of 4 MiB blocks. */
	private updateDropbox(chunk: Buffer): void {
		let offset = 0;
		while (offset < chunk.length) {
			this.dropboxBlock ??= createHash('sha256');
			const take = Math.min(DROPBOX_BLOCK - this.dropboxBlockLength, chunk.length - offset);
			this.dropboxBlock.update(chunk.subarray(offset, offset + take));
			this.dropboxBlockLength += take;
			offset += take;
			if (this.dropboxBlockLength === DROPBOX_BLOCK) {
				this.dropboxDigests.push(this.dropboxBlock.digest());
				this.dropboxBlock = undefined;
				this.dropboxBlockLength = 0;
			}
		}
	}
}
