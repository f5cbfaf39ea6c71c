/**
 * Small pieces of the local provider: turning Node's fs errors into one
 * sentence and hashing a file.
 */
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {CloudSyncError} from '../core/errors.js';
import type {HashType} from './remote.js';

export function errorCode(error: unknown): string | undefined {
	return typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : undefined;
}

/** One sentence for a failed file-system call on `where` (a local path, never secret). */
export function localError(error: unknown, action: string, where: string): CloudSyncError {
	if (error instanceof CloudSyncError) return error;
	const code = errorCode(error);
	const options = {cause: error};
	switch (code) {
		case 'ENOENT':
			return new CloudSyncError('not_found', `cannot ${action} ${where}: it does not exist`, options);
		case 'EACCES':
		case 'EPERM':
			return new CloudSyncError('access_denied', `cannot ${action} ${where}: permission denied; check the owner and permissions of the folder`, options);
		case 'ENOSPC':
		case 'EDQUOT':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: the disk is full; free some space and run again`, options);
		case 'EROFS':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: the file system is read-only`, options);
		case 'EISDIR':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: a folder is in the way`, options);
		case 'ENOTDIR':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: a file is in the way where a folder should be`, options);
		case 'ENOTEMPTY':
		case 'EEXIST':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: the folder is not empty`, options);
		case 'ELOOP':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: too many levels of symbolic links`, options);
		case 'ENAMETOOLONG':
			return new CloudSyncError('permanent', `cannot ${action} ${where}: the name is too long for this file system`, options);
		case 'EMFILE':
		case 'ENFILE':
		case 'EBUSY':
		case 'EAGAIN':
			return new CloudSyncError('transient', `cannot ${action} ${where}: the system is busy (${code}); try again`, options);
		case 'ABORT_ERR':
			return new CloudSyncError('aborted', `${action} ${where} was cancelled`, options);
		default: {
			const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
			return new CloudSyncError('permanent', `cannot ${action} ${where}: ${detail}`, options);
		}
	}
}

export function isAbort(error: unknown): boolean {
	return (error instanceof Error && error.name === 'AbortError') || errorCode(error) === 'ABORT_ERR';
}

const dropboxBlock = 4 * 1024 * 1024;

/** Hashes a byte stream incrementally: md5, sha256, or Dropbox's content_hash. */
export class StreamHasher {
	private readonly hash;
	private block = createHash('sha256');
	private blockBytes = 0;
	private readonly blockDigests: Buffer[] = [];

	constructor(readonly type: HashType) {
		this.hash = createHash(type === 'md5' ? 'md5' : 'sha256');
	}

	update(chunk: Buffer): void {
		if (this.type !== 'dropbox') {
			this.hash.update(chunk);
			return;
		}
		let offset = 0;
		while (offset < chunk.length) {
			const take = Math.min(dropboxBlock - this.blockBytes, chunk.length - offset);
			this.block.update(chunk.subarray(offset, offset + take));
			this.blockBytes += take;
			offset += take;
			if (this.blockBytes === dropboxBlock) this.closeBlock();
		}
	}

	digest(): string {
		if (this.type !== 'dropbox') return this.hash.digest('hex');
		if (this.blockBytes > 0) this.closeBlock();
		for (const digest of this.blockDigests) this.hash.update(digest);
		return this.hash.digest('hex');
	}

	private closeBlock(): void {
		this.blockDigests.push(this.block.digest());
		this.block = createHash('sha256');
		this.blockBytes = 0;
	}
}

export async function hashFile(file: string, type: HashType, signal?: AbortSignal): Promise<string> {
	const hasher = new StreamHasher(type);
	const stream = createReadStream(file, {signal, highWaterMark: 1024 * 1024});
	for await (const chunk of stream) hasher.update(chunk as Buffer);
	return hasher.digest();
}
