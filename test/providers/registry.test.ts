import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, expect, test} from 'vitest';
import type {Credential} from '../../source/core/model.js';
import {LocalRemote} from '../../source/providers/local.js';
import {openBrowser, openRemote, providers, secretFieldNames, validateAttributes, verifyCredential} from '../../source/providers/registry.js';
import {isSecretAttribute} from '../../source/store/secret-fields.js';
import {startS3rverGateway, type S3rverGateway} from '../support/s3rver-gateway.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {caught} from '../support/errors.js';

let s3: S3rverHandle;
let gateway: S3rverGateway;
let base: string;

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket('registry');
	gateway = await startS3rverGateway(s3);
	base = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-registry-'));
});

afterAll(async () => {
	await gateway?.stop();
	await s3?.stop();
	if (base) await fs.rm(base, {recursive: true, force: true});
});

function s3Credential(overrides: Record<string, string | number | boolean> = {}): Credential {
	return {name: 'nas', provider: 's3', attributes: {preset: 'other', endpoint: gateway.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, ...overrides}};
}

test('every provider describes its fields; secret fields are known to the store', () => {
	expect(Object.keys(providers).sort()).toEqual(['dropbox', 'local', 's3']);
	for (const description of Object.values(providers)) {
		for (const field of description.fields) {
			expect(field.label.length).toBeGreaterThan(0);
			expect(field.help.length).toBeGreaterThan(0);
		}
	}
	expect(secretFieldNames('s3')).toEqual(['secret_access_key', 'session_token']);
	expect(secretFieldNames('local')).toEqual([]);
	expect(isSecretAttribute('s3', 'secret_access_key')).toBe(true);
	expect(isSecretAttribute('s3', 'endpoint')).toBe(false);
});

test('validateAttributes gives one sentence per missing or mistyped field', () => {
	expect(validateAttributes('s3', {})).toEqual(['Access key ID (access_key_id) is required', 'Secret access key (secret_access_key) is required']);
	expect(validateAttributes('s3', {access_key_id: 'a', secret_access_key: 'b', chunk_size: 'big'})).toEqual(['chunk_size needs a number, not "big"']);
	expect(validateAttributes('s3', {access_key_id: 'a', secret_access_key: 'b', preset: 'nas'})[0]).toMatch(/^preset is one of aws, b2, wasabi/);
	expect(validateAttributes('s3', {access_key_id: 'a', secret_access_key: 'b', force_path_style: 'perhaps'})).toEqual(['force_path_style is yes or no, not "perhaps"']);
	expect(validateAttributes('local', {})).toEqual(['Base folder (root) is required']);
	expect(validateAttributes('local', {root: 'relative/dir'})).toEqual(['the base folder "relative/dir" must be an absolute path (starting with /)']);
	expect(validateAttributes('local', {root: base})).toEqual([]);
	expect(validateAttributes('s3', s3Credential().attributes)).toEqual([]);
});

test('verifyCredential: a good S3 key passes, a wrong secret is one clear sentence', async () => {
	await verifyCredential(s3Credential());
	await verifyCredential(s3Credential(), {bucket: 'registry', folder: 'some/folder'});
	const wrong = await caught(verifyCredential(s3Credential({secret_access_key: 'wrong'})));
	expect(wrong.message).toBe(`the secret access key is wrong for this access key ID at ${gateway.endpoint}: check secret_access_key`);
	const missing = await caught(verifyCredential(s3Credential(), {bucket: 'nope-bucket'}));
	expect(missing.kind).toBe('not_found');
	const invalid = await caught(verifyCredential(s3Credential({access_key_id: ''})));
	expect(invalid.kind).toBe('usage');
	const unusable = await caught(verifyCredential({...s3Credential(), secretsUnusable: true}));
	expect(unusable.message).toMatch(/imported without the secret seed/);
});

test('local: the task folder is inside the base folder; unsafe folders are refused', async () => {
	const credential: Credential = {name: 'disk', provider: 'local', attributes: {root: base}};
	await verifyCredential(credential);
	const remote = (await openRemote(credential, {folder: 'backups/server1'})) as LocalRemote;
	expect(remote.root).toBe(path.join(base, 'backups', 'server1'));
	await remote.write('f.txt', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0});
	expect(await openBrowser(credential).listFolders(undefined, '')).toEqual(['backups']);
	expect(await openBrowser(credential).listFolders(undefined, 'backups')).toEqual(['server1']);
	expect((await caught(openRemote(credential, {folder: '../etc'}))).kind).toBe('unsafe_path');
	expect((await caught(verifyCredential({name: 'x', provider: 'local', attributes: {root: path.join(base, 'missing')}}))).message).toMatch(/does not exist/);
});

test('S3: openRemote keeps the mtime index in the given file; the browser lists buckets and folders', async () => {
	const indexFile = path.join(base, 'index', 'task-1.json');
	const remote = await openRemote(s3Credential(), {bucket: 'registry', folder: 'task1'}, {mtimeIndexFile: indexFile});
	await remote.write('a/b.txt', Readable.from([Buffer.from('abc')]), {size: 3, mtime: 1700000000250});
	await remote.close?.();
	// s3rver only reports a common prefix that has an object directly inside it.
	await s3.client.send(new PutObjectCommand({Bucket: 'registry', Key: 'task1/top.txt', Body: Buffer.from('t')}));
	const saved = JSON.parse(await fs.readFile(indexFile, 'utf8')) as {entries: unknown[][]};
	expect(saved.entries).toEqual([['task1/a/b.txt', '900150983cd24fb0d6963f7d28e17f72', 3, 1700000000250]]);
	const browser = openBrowser(s3Credential());
	expect(await browser.listBuckets?.()).toEqual(['registry']);
	expect(await browser.listFolders('registry', '')).toEqual(['task1']);
	expect(await browser.listFolders('registry', 'task1')).toEqual(['a']);
});
