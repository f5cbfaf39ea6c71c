import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CryptRemote} from '../../source/crypt/crypt-remote.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry, HashType, Remote, RemoteFeatures, WriteOptions} from '../../source/providers/remote.js';
import {caught} from '../support/errors.js';

/**
 * A local folder that, like S3 or Dropbox, reports hashes of what it stored
 * in the entry write() returns. `damage` flips a stored byte before the
 * hashes are taken, as a bit flip in transit or at rest would.
 */
class HashReportingRemote implements Remote {
	readonly features: RemoteFeatures;
	readonly label = 'hash-reporting';
	damage = false;
	misreportSize = false;
	constructor(readonly local: LocalRemote) {
		this.features = {...local.features, hashes: ['md5', 'dropbox'], slowHash: false};
	}
	list = (dir?: string) => this.local.list(dir);
	stat = (p: string) => this.local.stat(p);
	read: Remote['read'] = (p, range, options) => this.local.read(p, range, options);
	delete = (p: string) => this.local.delete(p);
	mkdir = (p: string) => this.local.mkdir(p);
	rmdir = (p: string) => this.local.rmdir(p);
	verify = () => this.local.verify();
	async write(p: string, body: Readable, options: WriteOptions): Promise<Entry> {
		const entry = await this.local.write(p, body, options);
		if (this.damage) {
			const file = path.join(this.local.root, p);
			const bytes = await fs.readFile(file);
			bytes[bytes.length >> 1] ^= 1;
			await fs.writeFile(file, bytes);
		}
		const hashes: Partial<Record<HashType, string>> = {};
		for (const type of this.features.hashes) hashes[type] = await this.local.hash(p, type);
		return {...entry, size: entry.size + (this.misreportSize ? 1 : 0), hashes};
	}
}

let base: string;
beforeAll(async () => {
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-crypt-verify-'));
});
afterAll(async () => {
	await fs.rm(base, {recursive: true, force: true});
});

const options = {password: 'p', salt: 's', filenameEncryption: 'standard'} as const;
const mtime = Date.UTC(2022, 1, 1);

describe('CryptRemote verifies uploads against the ciphertext it sent', () => {
	it('accepts an upload whose stored md5 and Dropbox content hash match, across 4 MiB blocks', async () => {
		const inner = new HashReportingRemote(new LocalRemote(path.join(base, 'clean')));
		const crypt = new CryptRemote(inner, options);
		const data = randomBytes(9 * 1024 * 1024 + 3);
		const entry = await crypt.write('ok.bin', Readable.from([data]), {size: data.length, mtime});
		expect(entry).toMatchObject({path: 'ok.bin', size: data.length});
		expect(entry.hashes).toBeUndefined();
	});

	it('removes an object whose stored hash differs from what was sent and fails the write', async () => {
		const inner = new HashReportingRemote(new LocalRemote(path.join(base, 'damaged')));
		inner.damage = true;
		const crypt = new CryptRemote(inner, options);
		const data = randomBytes(100_000);
		const error = await caught(crypt.write('bad.bin', Readable.from([data]), {size: data.length, mtime}));
		expect(error.kind).toBe('transient');
		expect(error.message).toMatch(/^Upload of "bad.bin" did not verify: the stored object's (md5|dropbox) hash differs from the encrypted data sent, so it was removed; run the task again\.$/);
		expect(await crypt.stat('bad.bin')).toBeUndefined();
	});

	it('fails on a stored size that differs from the encrypted size', async () => {
		const inner = new HashReportingRemote(new LocalRemote(path.join(base, 'size')));
		inner.misreportSize = true;
		const crypt = new CryptRemote(inner, options);
		const error = await caught(crypt.write('s.bin', Readable.from([Buffer.from('abc')]), {size: 3, mtime}));
		expect(error.message).toContain("stored object's size (52 bytes, expected 51)");
	});

	it('leaves nothing when the source is shorter than announced or fails mid-way', async () => {
		const dir = path.join(base, 'short');
		const crypt = new CryptRemote(new LocalRemote(dir), options);
		await caught(crypt.write('short.bin', Readable.from([randomBytes(50)]), {size: 100, mtime}));
		async function* failing() {
			yield randomBytes(70_000);
			throw new Error('disk read error');
		}
		await expect(crypt.write('broken.bin', Readable.from(failing()), {size: 140_000, mtime})).rejects.toThrow();
		expect(await fs.readdir(dir).catch(() => [])).toEqual([]);
	});
});
