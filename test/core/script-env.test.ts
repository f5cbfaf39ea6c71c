import {describe, expect, it} from 'vitest';
import {taskSchema} from '../../source/core/schemas.js';
import {scriptEnvironment, scriptProcessEnvironment} from '../../source/core/script-env.js';

const task = taskSchema.parse({
	id: 7,
	description: 'Nightly photos',
	credential: 'aws',
	direction: 'PUSH',
	transferMode: 'SYNC',
	path: '/srv/photos',
	bucket: 'backups',
	folder: 'photos/2026',
	schedule: {preset: 'daily', minute: '0', hour: '3', dom: '*', month: '*', dow: '*'},
	enabled: true,
	encryption: true,
	filenameEncryption: false,
	encryptionPassword: 'pw-secret',
	encryptionSalt: 'salt-secret',
	snapshot: true,
	attributes: {storage_class: 'STANDARD_IA', chunk_size: 16},
});

const credential = {
	provider: 's3' as const,
	attributes: {
		access_key_id: 'AKIAEXAMPLE',
		secret_access_key: 'shh',
		endpoint: 'http://127.0.0.1:9000',
		region: 'us-east-1',
		server_side_encryption: 'AES256',
		force_path_style: true,
		chunk_size: 5,
	},
};

describe('scriptEnvironment', () => {
	it('gives exactly the NAS variables plus the provider fields, booleans as 0/1', () => {
		expect(scriptEnvironment(task, credential)).toEqual({
			CLOUD_SYNC_ID: '7',
			CLOUD_SYNC_DESCRIPTION: 'Nightly photos',
			CLOUD_SYNC_DIRECTION: 'PUSH',
			CLOUD_SYNC_TRANSFER_MODE: 'SYNC',
			CLOUD_SYNC_ENCRYPTION: '1',
			CLOUD_SYNC_FILENAME_ENCRYPTION: '0',
			CLOUD_SYNC_ENCRYPTION_PASSWORD: 'pw-secret',
			CLOUD_SYNC_ENCRYPTION_SALT: 'salt-secret',
			CLOUD_SYNC_SNAPSHOT: '1',
			CLOUD_SYNC_BUCKET: 'backups',
			CLOUD_SYNC_FOLDER: 'photos/2026',
			CLOUD_SYNC_PATH: '/srv/photos',
			CLOUD_SYNC_ACCESS_KEY_ID: 'AKIAEXAMPLE',
			CLOUD_SYNC_SECRET_ACCESS_KEY: 'shh',
			CLOUD_SYNC_ENDPOINT: 'http://127.0.0.1:9000',
			CLOUD_SYNC_REGION: 'us-east-1',
			CLOUD_SYNC_SERVER_SIDE_ENCRYPTION: 'AES256',
			CLOUD_SYNC_FORCE_PATH_STYLE: '1',
			// the task's own attribute wins over the credential's
			CLOUD_SYNC_CHUNK_SIZE: '16',
			CLOUD_SYNC_STORAGE_CLASS: 'STANDARD_IA',
		});
	});

	it('never lets a provider field overwrite a task variable (the NAS encryption bug)', () => {
		const env = scriptEnvironment({...task, encryption: false}, {provider: 's3', attributes: {encryption: 'AES256', path: '/x', bucket: 'other', id: 'abc'}});
		expect(env.CLOUD_SYNC_ENCRYPTION).toBe('0');
		expect(env.CLOUD_SYNC_PATH).toBe('/srv/photos');
		expect(env.CLOUD_SYNC_BUCKET).toBe('backups');
		expect(env.CLOUD_SYNC_ID).toBe('7');
		expect(env.CLOUD_SYNC_S3_ENCRYPTION).toBe('AES256');
		expect(env.CLOUD_SYNC_S3_PATH).toBe('/x');
		expect(env.CLOUD_SYNC_S3_BUCKET).toBe('other');
		expect(env.CLOUD_SYNC_S3_ID).toBe('abc');
	});

	it('maps field names to upper case with underscores', () => {
		const env = scriptEnvironment(task, {provider: 'dropbox', attributes: {token: 't', 'client-id': 'c', app_key: 'k'}});
		expect(env.CLOUD_SYNC_TOKEN).toBe('t');
		expect(env.CLOUD_SYNC_CLIENT_ID).toBe('c');
		expect(env.CLOUD_SYNC_APP_KEY).toBe('k');
	});
});

describe('scriptProcessEnvironment', () => {
	it('keeps the inherited environment but drops inherited CLOUD_SYNC_* so the set is exact', () => {
		const env = scriptProcessEnvironment({PATH: '/bin', HOME: '/root', CLOUD_SYNC_STALE: 'x', CLOUD_SYNC_ID: '99', UNSET: undefined}, {CLOUD_SYNC_ID: '7'});
		expect(env).toEqual({PATH: '/bin', HOME: '/root', CLOUD_SYNC_ID: '7'});
	});
});
