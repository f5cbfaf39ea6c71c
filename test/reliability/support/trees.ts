/** Seeded file trees and content comparisons (our own hashes, besides rclone's). */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {GetObjectCommand, ListObjectsV2Command, type S3Client} from '@aws-sdk/client-s3';
import {seededRandom} from '../../support/fault-proxy.js';

export type Digest = {size: number; md5: string};
export type Digests = Map<string, Digest>;

export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/**
 * Writes `count` files with seeded names (in up to three folder levels) and
 * contents; `big` adds that many files of `bigBytes` (multipart sized).
 * Returns each file's size and MD5.
 */
export function writeTree(root: string, count: number, seed: number, options: {big?: number; bigBytes?: number; maxBytes?: number} = {}): Digests {
	const random = seededRandom(seed);
	const digests: Digests = new Map();
	fs.mkdirSync(root, {recursive: true});
	const write = (name: string, size: number) => {
		const data = Buffer.alloc(size);
		let i = 0;
		for (; i + 4 <= size; i += 4) data.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
		for (; i < size; i++) data[i] = Math.floor(random() * 256);
		const full = path.join(root, ...name.split('/'));
		fs.mkdirSync(path.dirname(full), {recursive: true});
		fs.writeFileSync(full, data);
		const mtime = 1_700_000_000 + Math.floor(random() * 1_000_000);
		fs.utimesSync(full, mtime, mtime);
		digests.set(name, {size, md5: md5(data)});
	};
	for (let i = 0; i < count; i++) {
		const depth = Math.floor(random() * 3);
		const dirs = Array.from({length: depth}, (_, d) => `dir${d}-${Math.floor(random() * 6)}`);
		const size = random() < 0.05 ? 0 : 4 + Math.floor(random() * random() * (options.maxBytes ?? 24 * 1024));
		write([...dirs, `file-${String(i).padStart(5, '0')}.bin`].join('/'), size);
	}
	for (let i = 0; i < (options.big ?? 0); i++) write(`big/large-${i}.bin`, options.bigBytes ?? 6 * 1024 * 1024);
	return digests;
}

/** Every regular file under root (temp files included, so leftovers show). */
export function hashLocal(root: string): Digests {
	const digests: Digests = new Map();
	const walk = (dir: string, prefix: string) => {
		for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
			else if (entry.isFile()) {
				const data = fs.readFileSync(full);
				digests.set(prefix + entry.name, {size: data.length, md5: md5(data)});
			}
		}
	};
	if (fs.existsSync(root)) walk(root, '');
	return digests;
}

/** Every object under `prefix/`, downloaded and hashed (names relative to the prefix). */
export async function hashBucket(client: S3Client, bucket: string, prefix: string): Promise<Digests> {
	const digests: Digests = new Map();
	let token: string | undefined;
	const keys: string[] = [];
	do {
		const page = await client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token}));
		for (const object of page.Contents ?? []) keys.push(object.Key!);
		token = page.IsTruncated ? page.NextContinuationToken : undefined;
	} while (token);
	const queue = [...keys];
	await Promise.all(
		Array.from({length: 8}, async () => {
			for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
				const object = await client.send(new GetObjectCommand({Bucket: bucket, Key: key}));
				const data = Buffer.from(await object.Body!.transformToByteArray());
				digests.set(key.slice(prefix.length + 1), {size: data.length, md5: md5(data)});
			}
		}),
	);
	return digests;
}

export type Comparison = {verified: number; missing: string[]; differ: string[]; extra: string[]};

/** Which expected files are present with the same content, missing, different; and what is extra. */
export function compareDigests(expected: Digests, actual: Digests): Comparison {
	const result: Comparison = {verified: 0, missing: [], differ: [], extra: []};
	for (const [name, digest] of expected) {
		const found = actual.get(name);
		if (!found) result.missing.push(name);
		else if (found.md5 !== digest.md5 || found.size !== digest.size) result.differ.push(name);
		else result.verified++;
	}
	for (const name of actual.keys()) if (!expected.has(name)) result.extra.push(name);
	return result;
}
