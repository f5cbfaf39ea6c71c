import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import type {Credential} from '../../source/core/model.js';
import {exportConfig, importConfig} from '../../source/store/config-transfer.js';
import {dataDir} from '../../source/store/home.js';
import {Store, type NewTask} from '../../source/store/store.js';
import {tempHome} from '../support/home.js';

const run = promisify(execFile);
const daily = {preset: 'daily', minute: '0', hour: '0', dom: '*', month: '*', dow: '*'} as const;

const s3Credential: Credential = {
	name: 'backup-s3',
	provider: 's3',
	attributes: {access_key_id: 'AKIAEXAMPLEKEYID0001', secret_access_key: 'sEcReT/value+with=chars', endpoint: 'http://127.0.0.1:9000'},
};

function taskInput(overrides: Partial<NewTask> = {}): NewTask {
	return {
		description: 'home to s3',
		credential: 'backup-s3',
		direction: 'PUSH',
		transferMode: 'SYNC',
		path: '/srv/data',
		bucket: 'b',
		schedule: {...daily},
		enabled: true,
		...overrides,
	};
}

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
	home = await tempHome();
});
afterEach(async () => {
	await home.cleanup();
});

describe('data directory', () => {
	test('is $CLOUDSYNC_HOME, else $XDG_CONFIG_HOME/cloudsync, else ~/.config/cloudsync', () => {
		expect(dataDir({CLOUDSYNC_HOME: '/x/y', XDG_CONFIG_HOME: '/c'})).toBe('/x/y');
		expect(dataDir({XDG_CONFIG_HOME: '/c'})).toBe('/c/cloudsync');
		expect(dataDir({HOME: process.env.HOME})).toMatch(/\.config\/cloudsync$/);
	});

	test('is created with mode 0700 and the seed file with mode 0600', async () => {
		const dir = path.join(home.dir, 'nested', 'home');
		await Store.open(dir);
		expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
		expect((await fs.stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
	});
});

describe('store', () => {
	test('keeps credentials and tasks, and never writes a secret in clear text', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		const task = await store.addTask(taskInput({encryption: true, encryptionPassword: 'pässword one', encryptionSalt: 'salt-two'}));
		expect(task.id).toBe(1);

		const reopened = await Store.open(home.dir);
		expect(await reopened.getCredential('backup-s3')).toEqual(s3Credential);
		expect((await reopened.getTask(1))?.encryptionPassword).toBe('pässword one');

		const text = await fs.readFile(path.join(home.dir, 'db.json'), 'utf8');
		for (const secret of ['AKIAEXAMPLEKEYID0001', 'sEcReT/value+with=chars', 'pässword one', 'salt-two']) {
			expect(text).not.toContain(secret);
		}
		expect(text).toContain('http://127.0.0.1:9000');
	});

	test('refuses a duplicate credential name and a task with an unknown credential', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await expect(store.saveCredential(s3Credential)).rejects.toThrow('a credential named "backup-s3" already exists');
		await expect(store.addTask(taskInput({credential: 'nope'}))).rejects.toThrow('there is no credential named "nope"');
	});

	test('refuses to delete a credential that a task uses, naming the task', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await store.addTask(taskInput());
		await expect(store.deleteCredential('backup-s3')).rejects.toThrow('credential "backup-s3" is used by task 1 "home to s3"');
		await store.deleteTask(1);
		await store.deleteCredential('backup-s3');
		expect(await store.listCredentials()).toEqual([]);
	});

	test('with several tasks on the credential, the refusal says what to do before it lists them, at most five', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		for (let i = 1; i <= 7; i++) await store.addTask(taskInput({description: `job ${i}`}));
		await expect(store.deleteCredential('backup-s3')).rejects.toThrow(
			'credential "backup-s3" is used by 7 tasks: change or delete them first (1 "job 1", 2 "job 2", 3 "job 3", 4 "job 4", 5 "job 5" and 2 more)',
		);
		expect(await store.listCredentials()).toHaveLength(1);
	});

	test('edits re-validate the whole task', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await store.addTask(taskInput());
		await expect(store.updateTask(1, {transfers: 0})).rejects.toThrow(/transfers/);
		expect((await store.updateTask(1, {description: 'renamed'})).description).toBe('renamed');
		await expect(store.updateTask(9, {description: 'x'})).rejects.toThrow('there is no task 9');
	});

	test('two processes making 200 edits each lose nothing', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: '/tmp'}});
		const script = path.join(import.meta.dirname, 'concurrent-editor.ts');
		const editor = (label: string) => run(process.execPath, ['--import', 'tsx', script, home.dir, label, '200']);
		await Promise.all([editor('a'), editor('b')]);
		const tasks = await store.listTasks();
		expect(tasks).toHaveLength(400);
		expect(new Set(tasks.map(t => t.id)).size).toBe(400);
		for (const label of ['a', 'b']) {
			const mine = tasks.filter(t => t.description.startsWith(`${label}-`)).map(t => t.description);
			expect(mine).toEqual(Array.from({length: 200}, (_, i) => `${label}-${i}`));
		}
	}, 120_000);
});

describe('a broken db.json', () => {
	async function brokenStore(content: string): Promise<{file: string; error: CloudSyncError}> {
		const file = path.join(home.dir, 'db.json');
		await fs.writeFile(file, content);
		const error = await Store.open(home.dir).then(
			() => undefined,
			(error_: unknown) => error_,
		);
		expect(error).toBeInstanceOf(CloudSyncError);
		expect(await fs.readFile(file, 'utf8')).toBe(content);
		return {file, error: error as CloudSyncError};
	}

	test('with a syntax error names the file, line and problem, and is left untouched', async () => {
		const {file, error} = await brokenStore('{\n\t"version": 1,\n\t"nextTaskId": 1,\n\t"credentials": [,],\n\t"tasks": []\n}\n');
		expect(error.message).toBe(`${file} line 4, column 18: unexpected ","; fix it by hand or restore it from a backup; cloudsync will not overwrite it`);
		expect(error.message.split('\n')).toHaveLength(1);
	});

	test('with a wrong value names the line of the field', async () => {
		const db = {version: 1, nextTaskId: 2, credentials: [{name: 'c', provider: 'local', attributes: {root: '/'}}], tasks: [{id: 1, description: 'd', credential: 'c', direction: 'SIDEWAYS', transferMode: 'SYNC', path: '/x', schedule: daily, enabled: true}]};
		const {error} = await brokenStore(JSON.stringify(db, null, 2));
		expect(error.message).toMatch(/db\.json line 22: tasks\.0\.direction|db\.json line \d+: tasks\[0\]\.direction/);
		expect(error.message).toContain('"PUSH"');
	});

	test('that is empty, or from a newer version, is refused with a clear sentence', async () => {
		expect((await brokenStore('')).error.message).toContain('db.json is empty');
		const newer = JSON.stringify({version: 99, nextTaskId: 1, credentials: [], tasks: []});
		expect((await brokenStore(newer)).error.message).toContain('written by a newer cloudsync (data version 99');
	});

	test('is not overwritten by an edit', async () => {
		const store = await Store.open(home.dir);
		const file = path.join(home.dir, 'db.json');
		await fs.writeFile(file, '{"version": 1, oops');
		await expect(store.saveCredential(s3Credential)).rejects.toThrow(/line 1, column 16: unexpected "o" where a quoted property name should be/);
		expect(await fs.readFile(file, 'utf8')).toBe('{"version": 1, oops');
	});
});

describe('reading an unchanged db.json', () => {
	test('validates it once: later reads share the same frozen data until the file changes', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await store.addTask(taskInput());
		const first = await store.read();
		const second = await store.read();
		expect(second).toBe(first);
		expect(Object.isFrozen(first)).toBe(true);
		expect(Object.isFrozen(first.tasks[0]!.schedule)).toBe(true);
		expect(() => {
			(first.tasks[0]!.schedule as {hour: string}).hour = '5';
		}).toThrow(TypeError);
		// What readers are handed out to change stays theirs.
		const [task] = await store.listTasks();
		task!.description = 'changed by a reader';
		expect((await store.listTasks())[0]!.description).toBe('home to s3');
		// An update works on a copy, and its result is read afresh.
		await store.updateTask(1, {description: 'renamed'});
		const third = await store.read();
		expect(third).not.toBe(first);
		expect(third.tasks[0]!.description).toBe('renamed');
		expect(first.tasks[0]!.description).toBe('home to s3');
	});

	test('still reports a task that another process broke after it was read, with its line', async () => {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await store.addTask(taskInput());
		await store.addTask(taskInput({description: 'second'}));
		expect(await store.listTasks()).toHaveLength(2);
		const file = path.join(home.dir, 'db.json');
		const text = await fs.readFile(file, 'utf8');
		const broken = text.replace('"description": "second",\n\t\t\t"credential": "backup-s3",\n\t\t\t"direction": "PUSH"', '"description": "second",\n\t\t\t"credential": "backup-s3",\n\t\t\t"direction": "SIDEWAYS"');
		expect(broken).not.toBe(text);
		await fs.writeFile(file, broken);
		const error = await store.listTasks().then(
			() => undefined,
			(error_: unknown) => error_,
		);
		expect(error).toBeInstanceOf(CloudSyncError);
		const line = broken.split('\n').findIndex(l => l.includes('SIDEWAYS')) + 1;
		expect((error as Error).message).toContain(`${file} line ${line}: tasks[1].direction:`);
		expect((error as Error).message).toContain('cloudsync will not overwrite it');
		// Put back as it was, it reads again (and as before).
		await fs.writeFile(file, text);
		expect((await store.listTasks()).map(t => t.description)).toEqual(['home to s3', 'second']);
	});
});

describe('config export and import', () => {
	async function exported(withSecretSeed: boolean): Promise<string> {
		const store = await Store.open(home.dir);
		await store.saveCredential(s3Credential);
		await store.addTask(taskInput({encryption: true, encryptionPassword: 'crypt-pass', encryptionSalt: 'crypt-salt'}));
		const file = path.join(home.dir, 'export.json');
		await exportConfig(store, file, {withSecretSeed});
		return file;
	}

	test('without the seed: no secret in the file; a fresh home keeps names and tasks and marks secrets unusable', async () => {
		const file = await exported(false);
		const text = await fs.readFile(file, 'utf8');
		for (const secret of ['AKIAEXAMPLEKEYID0001', 'sEcReT/value+with=chars', 'crypt-pass', 'crypt-salt']) expect(text).not.toContain(secret);
		expect(text).not.toContain('secretSeed');

		const other = await tempHome();
		try {
			const fresh = await Store.open(other.dir);
			const summary = await importConfig(fresh, file);
			expect(summary).toEqual({credentials: 1, tasks: 1, unusableCredentials: ['backup-s3'], unusableTasks: [1]});
			const credential = await fresh.getCredential('backup-s3');
			expect(credential?.secretsUnusable).toBe(true);
			expect(credential?.attributes.secret_access_key).toBe('');
			expect(credential?.attributes.endpoint).toBe('http://127.0.0.1:9000');
			const task = await fresh.getTask(1);
			expect(task?.description).toBe('home to s3');
			expect(task?.secretsUnusable).toBe(true);
			// Entering the secret again makes the credential usable.
			await fresh.saveCredential({...credential!, attributes: {...credential!.attributes, access_key_id: 'AKIAEXAMPLEKEYID0001', secret_access_key: 'new'}}, {replace: true});
			expect((await fresh.getCredential('backup-s3'))?.secretsUnusable).toBeUndefined();
		} finally {
			await other.cleanup();
		}
	});

	test('with the seed: everything works on another machine', async () => {
		const file = await exported(true);
		const other = await tempHome();
		try {
			const fresh = await Store.open(other.dir);
			const summary = await importConfig(fresh, file);
			expect(summary.unusableCredentials).toEqual([]);
			expect(await fresh.getCredential('backup-s3')).toEqual(s3Credential);
			expect((await fresh.getTask(1))?.encryptionPassword).toBe('crypt-pass');
			// Re-sealed under the new machine's own seed.
			const db = await fs.readFile(path.join(other.dir, 'db.json'), 'utf8');
			expect(db).not.toContain('crypt-pass');
			expect(await fs.readFile(path.join(other.dir, 'secret.key'), 'utf8')).not.toBe(await fs.readFile(path.join(home.dir, 'secret.key'), 'utf8'));
		} finally {
			await other.cleanup();
		}
	});

	test('refuses a name clash, and a file that is not an export, changing nothing', async () => {
		const file = await exported(false);
		const store = await Store.open(home.dir);
		const before = await fs.readFile(path.join(home.dir, 'db.json'), 'utf8');
		await expect(importConfig(store, file)).rejects.toThrow('credential "backup-s3" already exists here');
		const bogus = path.join(home.dir, 'bogus.json');
		await fs.writeFile(bogus, '{"hello": 1}');
		await expect(importConfig(store, bogus)).rejects.toThrow(/is not a cloudsync export/);
		await expect(importConfig(store, path.join(home.dir, 'missing.json'))).rejects.toThrow(/no such file/);
		expect(await fs.readFile(path.join(home.dir, 'db.json'), 'utf8')).toBe(before);
	});
});
