/**
 * Start-up loads only what the command uses: `--version` and `--help` load no
 * command module, store or provider; a local task's run opens its remotes
 * without the S3 or Dropbox SDKs, the crypt layer or execa. Each module that
 * must stay unloaded throws here if anything imports it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {afterEach, expect, test, vi} from 'vitest';

// vi.mock is hoisted above everything, so each factory is written out.
vi.mock('../../source/providers/s3.js', () => {
	throw new Error('providers/s3 was loaded');
});
vi.mock('../../source/providers/s3-mtime-index.js', () => {
	throw new Error('providers/s3-mtime-index was loaded');
});
vi.mock('../../source/providers/dropbox.js', () => {
	throw new Error('providers/dropbox was loaded');
});
vi.mock('../../source/crypt/crypt-remote.js', () => {
	throw new Error('crypt/crypt-remote was loaded');
});
vi.mock('execa', () => {
	throw new Error('execa was loaded');
});
vi.mock('../../source/cli/credential.js', () => {
	throw new Error('cli/credential was loaded');
});
vi.mock('../../source/cli/task.js', () => {
	throw new Error('cli/task was loaded');
});
vi.mock('../../source/cli/config.js', () => {
	throw new Error('cli/config was loaded');
});
vi.mock('../../source/store/store.js', () => {
	throw new Error('store/store was loaded');
});

let dir: string | undefined;
afterEach(async () => {
	if (dir) await fs.rm(dir, {recursive: true, force: true});
	dir = undefined;
});

test('--version and --help load no command module, store or provider', async () => {
	const {runCli} = await import('../../source/cli/program.js');
	for (const argv of [['--version'], ['--help'], ['task', '--help']]) {
		const stdout = new PassThrough();
		const stderr = new PassThrough();
		let out = '';
		stdout.on('data', chunk => (out += String(chunk)));
		const code = await runCli(argv, {stdout, stderr, stdin: new PassThrough(), env: {}}, '9.9.9');
		expect(code).toBe(0);
		expect(out.length).toBeGreaterThan(0);
	}
});

test('a local task opens its remotes, and the registry describes every provider, without S3, Dropbox, crypt or execa', async () => {
	dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-lazy-'));
	const {providers, validateAttributes, openBrowser} = await import('../../source/providers/registry.js');
	expect(Object.keys(providers).sort()).toEqual(['dropbox', 'local', 's3']);
	expect(validateAttributes('s3', {})).not.toEqual([]);
	const {openRunRemotes} = await import('../../source/jobs/remotes.js');
	const credential = {name: 'disk', provider: 'local' as const, attributes: {root: dir}};
	const task = {path: dir, direction: 'PUSH', folder: 'backup', followSymlinks: false, encryption: false} as unknown as Parameters<typeof openRunRemotes>[0];
	const remotes = await openRunRemotes(task, credential as Parameters<typeof openRunRemotes>[1], {});
	expect(remotes.destination.label).toBe(`local:${path.join(dir, 'backup')}`);
	// An S3 browser is made without loading S3; its first call loads it (refused here).
	const browser = openBrowser({name: 's3', provider: 's3', attributes: {access_key_id: 'a', secret_access_key: 'b'}} as Parameters<typeof openBrowser>[0]);
	expect(typeof browser.listBuckets).toBe('function');
	await expect(browser.listFolders('bucket', '')).rejects.toThrow(/was loaded|error when mocking/);
});
