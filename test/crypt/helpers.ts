import fs from 'node:fs/promises';
import path from 'node:path';
import type {Readable} from 'node:stream';
import {expect} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import type {Entry} from '../../source/providers/remote.js';

export async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

export async function readAll(stream: Readable): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

export async function caught(promise: Promise<unknown>): Promise<CloudSyncError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		return error as CloudSyncError;
	}
	throw new Error('expected a CloudSyncError');
}

/** Files below `dir`, relative, sorted. */
export async function storedFiles(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const dirent of await fs.readdir(dir, {withFileTypes: true, recursive: true})) {
		if (dirent.isFile()) out.push(path.relative(dir, path.join(dirent.parentPath, dirent.name)));
	}
	return out.sort();
}

/** Listing order key: a directory sorts as its path plus '/'. */
export const sortKey = (entry: Entry) => (entry.isDir ? `${entry.path}/` : entry.path);
