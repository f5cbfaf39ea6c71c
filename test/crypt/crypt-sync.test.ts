/**
 * CryptRemote inside the real sync engine: PUSH and PULL in SYNC, COPY and
 * MOVE modes over a local folder, checked with rclone; a wrong password on
 * PULL fails with the one sentence and neither writes nor deletes anything.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CryptRemote} from '../../source/crypt/crypt-remote.js';
import {LocalRemote} from '../../source/providers/local.js';
import {runSync} from '../../source/sync/engine.js';
import type {SyncMode} from '../../source/sync/types.js';
import {cryptEnv, rclone, requireRclone} from './rclone-crypt.js';

const password = 'sync pass';
const salt = 'sync salt';
let base: string;

const tree: Record<string, string> = {
	'a.txt': 'alpha',
	'dir/b.txt': 'bravo'.repeat(20_000),
	'dir/sub/c.txt': '',
	'Z.txt': 'zulu',
};

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
	for (const [name, content] of Object.entries(files)) {
		const full = path.join(root, name);
		await fs.mkdir(path.dirname(full), {recursive: true});
		await fs.writeFile(full, content);
	}
}

async function snapshot(root: string): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const dirent of await fs.readdir(root, {withFileTypes: true, recursive: true})) {
		if (dirent.isFile()) out[path.relative(root, path.join(dirent.parentPath, dirent.name))] = await fs.readFile(path.join(dirent.parentPath, dirent.name), 'utf8');
	}
	return out;
}

const crypt = (root: string, secret = password) => new CryptRemote(new LocalRemote(root), {password: secret, salt, filenameEncryption: 'standard'});

async function run(mode: SyncMode, source: LocalRemote | CryptRemote, destination: LocalRemote | CryptRemote) {
	return runSync({source, destination, mode, sleep: async () => {}});
}

beforeAll(async () => {
	requireRclone();
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-crypt-sync-'));
});
afterAll(async () => {
	await fs.rm(base, {recursive: true, force: true});
});

describe('sync engine over CryptRemote', () => {
	it.each(['SYNC', 'COPY', 'MOVE'] as const)('%s: PUSH encrypts a tree rclone verifies, and PULL restores it', async mode => {
		const local = path.join(base, `${mode}-local`);
		const store = path.join(base, `${mode}-store`);
		const restored = path.join(base, `${mode}-restored`);
		await writeTree(local, tree);
		await fs.mkdir(store, {recursive: true});
		await fs.mkdir(restored, {recursive: true});
		const reference = path.join(base, `${mode}-reference`);
		await writeTree(reference, tree);

		const push = await run(mode, new LocalRemote(local), crypt(store));
		expect(push.ok, JSON.stringify(push.errors)).toBe(true);
		expect(push.counts.copied).toBe(Object.keys(tree).length);
		const env = await cryptEnv({remote: store, password, salt});
		const check = await rclone(['cryptcheck', reference, 'crypt:'], env);
		expect(check.code, check.stderr).toBe(0);
		expect(await snapshot(local)).toEqual(mode === 'MOVE' ? {} : tree);

		// A second PUSH finds everything equal through the size formula and mtimes.
		if (mode !== 'MOVE') {
			const again = await run(mode, new LocalRemote(local), crypt(store));
			expect(again.counts.copied + again.counts.updated).toBe(0);
		}

		const pull = await run(mode === 'MOVE' ? 'COPY' : mode, crypt(store), new LocalRemote(restored));
		expect(pull.ok, JSON.stringify(pull.errors)).toBe(true);
		expect(await snapshot(restored)).toEqual(tree);
	});

	it('a PULL with the wrong password fails with the sentence, writes nothing and deletes nothing', async () => {
		const store = path.join(base, 'wrong-store');
		const local = path.join(base, 'wrong-local');
		await writeTree(path.join(base, 'wrong-source'), tree);
		await fs.mkdir(store, {recursive: true});
		expect((await run('SYNC', new LocalRemote(path.join(base, 'wrong-source')), crypt(store))).ok).toBe(true);
		const existing = {'keep.txt': 'mine', 'dir/other.txt': 'also mine'};
		await writeTree(local, existing);
		for (const mode of ['SYNC', 'COPY', 'MOVE'] as const) {
			const pull = await run(mode, crypt(store, 'not the password'), new LocalRemote(local));
			expect(pull.ok).toBe(false);
			// The engine names the stage ("Listing failed: ...") before our sentence.
			expect(pull.errors.map(error => error.message).join('\n')).toContain('cannot decrypt: wrong password or salt, or not an encrypted remote');
			expect(pull.counts.copied + pull.counts.deleted).toBe(0);
			expect(await snapshot(local)).toEqual(existing);
		}
		expect(Object.keys(await snapshot(store))).toHaveLength(Object.keys(tree).length);
	});
});
