import {randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {compareKeys} from '../../source/core/paths.js';
import {CryptRemote, type CryptRemoteOptions} from '../../source/crypt/crypt-remote.js';
import {LocalRemote} from '../../source/providers/local.js';
import type {Entry} from '../../source/providers/remote.js';
import {cryptEnv, rclone, requireRclone, type RcloneCrypt} from './rclone-crypt.js';

const password = 'interop pass';
const salt = 'interop salt';
let base: string;
let sourceDir: string;
const files = new Map<string, Buffer>();
const mtime = Date.UTC(2023, 5, 6, 7, 8, 9, 500);

const tree: Array<[string, number]> = [
	['empty.txt', 0],
	['hello.txt', 12],
	['64kplus1.bin', 65537],
	['docs/report final.pdf', 3 * 65536 + 7],
	['docs/ünïcödé/日本語.txt', 100],
	['docs/a/b/c/deep.dat', 65536],
	['z-last', 1],
];

async function collect(listing: AsyncIterable<Entry>): Promise<Entry[]> {
	const out: Entry[] = [];
	for await (const entry of listing) out.push(entry);
	return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

type Mode = Pick<CryptRemoteOptions, 'filenameEncryption' | 'filenameEncoding' | 'directoryNameEncryption'>;
const modes: Array<[string, Mode]> = [
	['standard base32', {filenameEncryption: 'standard'}],
	['standard base64, plain directory names', {filenameEncryption: 'standard', filenameEncoding: 'base64', directoryNameEncryption: false}],
	['standard base32768', {filenameEncryption: 'standard', filenameEncoding: 'base32768'}],
	['names off', {filenameEncryption: 'off'}],
	['names obfuscated', {filenameEncryption: 'obfuscate'}],
];

function rcloneConfig(remote: string, mode: Mode, secret = password): RcloneCrypt {
	return {remote, password: secret, salt, ...mode};
}

async function flip(file: string, offset: number): Promise<void> {
	const bytes = await fs.readFile(file);
	bytes[offset] ^= 0x10;
	await fs.writeFile(file, bytes);
}

beforeAll(async () => {
	requireRclone();
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-crypt-interop-'));
	sourceDir = path.join(base, 'source');
	for (const [name, size] of tree) {
		const data = randomBytes(size);
		files.set(name, data);
		const full = path.join(sourceDir, name);
		await fs.mkdir(path.dirname(full), {recursive: true});
		await fs.writeFile(full, data);
		await fs.utimes(full, mtime / 1000, mtime / 1000);
	}
});

afterAll(async () => {
	await fs.rm(base, {recursive: true, force: true});
});

describe.each(modes)('rclone interop over a local folder: %s', (label, mode) => {
	const slug = label.replace(/\W+/g, '-');

	it('rclone verifies and reads what cloudsync wrote', async () => {
		const store = path.join(base, `cs-${slug}`);
		const crypt = new CryptRemote(new LocalRemote(store), {password, salt, ...mode});
		for (const [name, data] of files) await crypt.write(name, Readable.from([data]), {size: data.length, mtime});
		const env = await cryptEnv(rcloneConfig(store, mode));

		const cryptcheck = await rclone(['cryptcheck', sourceDir, 'crypt:'], env);
		expect(cryptcheck.code, cryptcheck.stderr).toBe(0);
		expect(cryptcheck.stderr).toContain(`${files.size} matching files`);
		const check = await rclone(['check', '--download', sourceDir, 'crypt:'], env);
		expect(check.code, check.stderr).toBe(0);
		for (const name of label === 'standard base32' ? ['docs/ünïcödé/日本語.txt', '64kplus1.bin'] : ['docs/ünïcödé/日本語.txt']) {
			const cat = await rclone(['cat', `crypt:${name}`], env);
			expect(cat.code, cat.stderr).toBe(0);
			expect(cat.raw.equals(files.get(name) as Buffer)).toBe(true);
		}
		const listing = JSON.parse((await rclone(['lsjson', '-R', '--files-only', 'crypt:'], env)).stdout) as Array<{Path: string; Size: number; ModTime: string}>;
		expect(listing.map(item => [item.Path, item.Size, Date.parse(item.ModTime)]).sort()).toEqual([...files].map(([name, data]) => [name, data.length, mtime]).sort());
	});

	it('cloudsync reads back what rclone wrote, identical', async () => {
		const store = path.join(base, `rc-${slug}`);
		const env = await cryptEnv(rcloneConfig(store, mode));
		const copy = await rclone(['copy', sourceDir, 'crypt:'], env);
		expect(copy.code, copy.stderr).toBe(0);
		const crypt = new CryptRemote(new LocalRemote(store), {password, salt, ...mode});
		await crypt.verify();
		const problems: string[] = [];
		const entries = (await collect(crypt.list('', {onError: where => problems.push(where)}))).filter(entry => !entry.isDir);
		expect(problems).toEqual([]);
		expect(entries.map(entry => entry.path)).toEqual([...files.keys()].sort(compareKeys));
		for (const entry of entries) {
			const data = files.get(entry.path) as Buffer;
			expect(entry.size).toBe(data.length);
			expect(entry.mtime).toBe(mtime);
			expect((await readAll(await crypt.read(entry.path))).equals(data)).toBe(true);
		}
		const big = files.get('docs/report final.pdf') as Buffer;
		const part = await readAll(await crypt.read('docs/report final.pdf', {start: 65530, end: 2 * 65536 + 3}));
		expect(part.equals(big.subarray(65530, 2 * 65536 + 4))).toBe(true);

		const wrong = new CryptRemote(new LocalRemote(store), {password: 'not it', salt, ...mode});
		await expect(wrong.verify()).rejects.toThrow('cannot decrypt: wrong password or salt, or not an encrypted remote');
	});

	it('a tampered byte is detected by both rclone and cloudsync', async () => {
		const store = path.join(base, `cs-${slug}`);
		const crypt = new CryptRemote(new LocalRemote(store), {password, salt, ...mode});
		const name = 'docs/report final.pdf';
		await flip(path.join(store, await crypt.storedPath(name)), 32 + 65552 + 123);
		const env = await cryptEnv(rcloneConfig(store, mode));

		const cat = await rclone(['cat', `crypt:${name}`], env);
		expect(cat.code).not.toBe(0);
		expect(cat.stderr).toContain('failed to authenticate decrypted block');
		const check = await rclone(['check', '--download', sourceDir, 'crypt:'], env);
		expect(check.code).not.toBe(0);
		expect(check.stderr).toContain(name);

		const error = await readAll(await crypt.read(name)).then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as CloudSyncError).message).toBe(`Cannot decrypt "${name}": chunk 1 failed authentication, so the stored data was changed or damaged after encryption.`);
	});
});
