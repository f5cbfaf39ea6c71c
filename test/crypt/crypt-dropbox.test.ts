/**
 * CryptRemote over the real DropboxRemote and the local Dropbox API server:
 * uploads are checked against Dropbox's content_hash of the ciphertext, names
 * survive a case-insensitive store, and reads decrypt (ranges included).
 */
import {randomBytes} from 'node:crypto';
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {CryptRemote} from '../../source/crypt/crypt-remote.js';
import {encryptedSize} from '../../source/crypt/format.js';
import {DropboxRemote} from '../../source/providers/dropbox.js';
import type {Entry} from '../../source/providers/remote.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';

let server: DropboxServer;
beforeAll(async () => {
	server = await startDropboxServer({pageSize: 4});
});
afterAll(async () => {
	await server.stop();
});

const options = {password: 'dropbox pass', salt: 'dropbox salt', filenameEncryption: 'standard'} as const;
const mtime = Date.UTC(2021, 3, 4, 5, 6, 7);

function crypt(folder: string): CryptRemote {
	return new CryptRemote(new DropboxRemote({token: server.token, api_url: server.url, chunk_size: 4}, {folder}), options);
}

async function readAll(stream: Readable): Promise<Buffer> {
	const out: Buffer[] = [];
	for await (const chunk of stream) out.push(chunk as Buffer);
	return Buffer.concat(out);
}

describe('CryptRemote over Dropbox', () => {
	it('round-trips a tree with verified uploads, decrypted sorted listing and ranged reads', async () => {
		const remote = crypt('backup');
		const files = new Map<string, Buffer>([
			['Photos/IMG 1.jpg', randomBytes(5 * 1024 * 1024 + 17)],
			['photos.txt', randomBytes(10)],
			['a/b/c.txt', randomBytes(0)],
		]);
		for (const [name, data] of files) {
			const entry = await remote.write(name, Readable.from([data]), {size: data.length, mtime});
			expect(entry.size).toBe(data.length);
		}
		// Stored names are lower-case base32, so Dropbox's case folding cannot merge two of them.
		for (const stored of server.paths()) expect(stored).toBe(stored.toLowerCase());
		const big = files.get('Photos/IMG 1.jpg') as Buffer;
		expect(server.file(`/backup/${await remote.storedPath('Photos/IMG 1.jpg')}`)?.content.length).toBe(encryptedSize(big.length));

		const listed: Entry[] = [];
		for await (const entry of remote.list()) listed.push(entry);
		expect(listed.filter(e => !e.isDir).map(e => [e.path, e.size])).toEqual([
			['Photos/IMG 1.jpg', big.length],
			['a/b/c.txt', 0],
			['photos.txt', 10],
		]);
		expect((await readAll(await remote.read('Photos/IMG 1.jpg', {start: 4 * 1024 * 1024 - 3, end: 4 * 1024 * 1024 + 70_000}))).equals(big.subarray(4 * 1024 * 1024 - 3, 4 * 1024 * 1024 + 70_001))).toBe(true);
		expect((await readAll(await remote.read('a/b/c.txt'))).length).toBe(0);
	});

	it('a body damaged on the way is refused by Dropbox and sent again; the stored object decrypts to the original', async () => {
		const remote = crypt('damaged');
		const data = randomBytes(300_000);
		const mark = server.requests.length;
		server.corruptNext(1);
		const entry = await remote.write('x.bin', Readable.from([data]), {size: data.length, mtime});
		expect(entry.size).toBe(data.length);
		expect(server.requests.slice(mark).filter(request => request.endpoint.includes('upload')).length).toBeGreaterThan(1);
		expect((await readAll(await remote.read('x.bin'))).equals(data)).toBe(true);
	});

	it('refuses base64 names on a store that ignores letter case', async () => {
		const remote = new CryptRemote(new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'b64'}), {...options, filenameEncoding: 'base64'});
		const error = await remote.write('f', Readable.from([Buffer.from('x')]), {size: 1, mtime}).then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as CloudSyncError).message).toBe(
			'base64 file name encoding needs storage that keeps upper and lower case apart, and dropbox:/b64 does not: choose base32 or base32768.',
		);
	});
});
