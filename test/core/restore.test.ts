import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {taskSchema} from '../../source/core/schemas.js';
import {restoreTask} from '../../source/core/restore.js';
import {Store} from '../../source/store/store.js';
import {tempHome} from '../support/home.js';

const backup = taskSchema.parse({
	id: 3,
	description: 'Backup of /srv/data',
	credential: 'minio',
	direction: 'PUSH',
	transferMode: 'SYNC',
	path: '/srv/data',
	bucket: 'backups',
	folder: 'data',
	schedule: {preset: 'daily', minute: '0', hour: '2', dom: '*', month: '*', dow: '*'},
	enabled: true,
	preScript: 'pg_dump > /srv/data/db.sql',
	postScript: 'echo done',
	scriptTimeoutSec: 120,
	encryption: true,
	filenameEncryption: true,
	filenameEncoding: 'base64',
	directoryNameEncryption: false,
	encryptionPassword: 'pw',
	encryptionSalt: 'salt',
	snapshot: true,
	exclude: ['*.tmp'],
	include: [],
	transfers: 8,
	bwlimit: '08:00,1M 20:00,off',
	followSymlinks: true,
	createEmptySrcDirs: true,
	attributes: {storage_class: 'GLACIER_IR', chunk_size: 64},
});

describe('restoreTask', () => {
	it('reverses the direction and copies the location, encryption, transfers and attributes; disabled, COPY', () => {
		expect(restoreTask(backup, {description: 'Restore data', path: '/srv/restore'})).toEqual({
			description: 'Restore data',
			credential: 'minio',
			direction: 'PULL',
			transferMode: 'COPY',
			path: '/srv/restore',
			bucket: 'backups',
			folder: 'data',
			schedule: backup.schedule,
			enabled: false,
			preScript: '',
			postScript: '',
			scriptTimeoutSec: 120,
			encryption: true,
			filenameEncryption: true,
			filenameEncoding: 'base64',
			directoryNameEncryption: false,
			encryptionPassword: 'pw',
			encryptionSalt: 'salt',
			snapshot: false,
			exclude: ['*.tmp'],
			include: [],
			transfers: 8,
			bwlimit: '08:00,1M 20:00,off',
			followSymlinks: false,
			createEmptySrcDirs: true,
			attributes: {storage_class: 'GLACIER_IR', chunk_size: 64},
		});
	});

	it('takes SYNC when asked and reverses a PULL into a PUSH', () => {
		const restored = restoreTask({...backup, direction: 'PULL'}, {description: 'x', path: '/a/', mode: 'SYNC'});
		expect(restored.direction).toBe('PUSH');
		expect(restored.transferMode).toBe('SYNC');
		expect(restored.path).toBe('/a');
	});

	it('does not share arrays or objects with the original', () => {
		const restored = restoreTask(backup, {description: 'x', path: '/a'});
		restored.exclude!.push('more');
		restored.attributes!.storage_class = 'changed';
		expect(backup.exclude).toEqual(['*.tmp']);
		expect(backup.attributes.storage_class).toBe('GLACIER_IR');
	});

	it('refuses a relative path, an empty description and MOVE with one sentence', () => {
		const attempt = (options: Parameters<typeof restoreTask>[1]) => {
			try {
				restoreTask(backup, options);
			} catch (error) {
				expect(error).toBeInstanceOf(CloudSyncError);
				return (error as CloudSyncError).message;
			}
			return 'no error';
		};
		expect(attempt({description: 'x', path: 'relative/dir'})).toBe('the restore path "relative/dir" is not absolute: give the full path of the folder to restore into');
		expect(attempt({description: '  ', path: '/a'})).toBe('a restore task needs a description: pass --description');
		expect(attempt({description: 'x', path: '/a', mode: 'MOVE' as 'COPY'})).toBe('a restore runs as COPY or SYNC, not MOVE');
	});

	describe('saved through the store', () => {
		let home: Awaited<ReturnType<typeof tempHome>>;
		beforeEach(async () => {
			home = await tempHome();
		});
		afterEach(async () => home.cleanup());

		it('is a valid task the store accepts, with secrets sealed and reopened', async () => {
			const store = await Store.open(home.dir);
			await store.saveCredential({name: 'minio', provider: 'local', attributes: {}});
			const original = await store.addTask({...backup, id: undefined} as never);
			const saved = await store.addTask(restoreTask(original, {description: 'Restore', path: '/srv/back'}));
			expect(saved.id).not.toBe(original.id);
			expect(saved.direction).toBe('PULL');
			expect(saved.enabled).toBe(false);
			expect((await store.requireTask(saved.id)).encryptionPassword).toBe('pw');
		});
	});
});
