import {expect, test} from 'vitest';
import {validateAttributes} from '../../source/providers/registry.js';
import {MiB, partSizeFor, s3Settings, validateS3Attributes} from '../../source/providers/s3-config.js';

const keys = {access_key_id: 'AK', secret_access_key: 'SK'};

test('presets fill the endpoint and the defaults that service needs', () => {
	expect(s3Settings({...keys})).toMatchObject({preset: 'aws', endpoint: '', legacyChecksums: false, forcePathStyle: false, chunkBytes: 5 * MiB, uploadConcurrency: 4});
	expect(s3Settings({...keys, preset: 'b2', region: 'us-west-004'})).toMatchObject({endpoint: 'https://s3.us-west-004.backblazeb2.com', legacyChecksums: true});
	expect(s3Settings({...keys, preset: 'wasabi'})).toMatchObject({endpoint: 'https://s3.us-east-1.wasabisys.com'});
	expect(s3Settings({...keys, preset: 'storj'})).toMatchObject({endpoint: 'https://gateway.storjshare.io', forcePathStyle: true});
	expect(s3Settings({...keys, preset: 'r2', endpoint: 'https://acct.r2.cloudflarestorage.com'})).toMatchObject({region: 'auto'});
	expect(s3Settings({...keys, preset: 'minio', endpoint: 'minio.lan:9000'})).toMatchObject({endpoint: 'https://minio.lan:9000', forcePathStyle: true});
	expect(s3Settings({...keys, preset: 'other', endpoint: 'http://127.0.0.1:4568/'})).toMatchObject({endpoint: 'http://127.0.0.1:4568', forcePathStyle: true, legacyChecksums: true});
	expect(s3Settings({...keys, preset: 'other', endpoint: 'http://127.0.0.1:4568', legacy_checksums: false}).legacyChecksums).toBe(false);
	expect(s3Settings({...keys, endpoint: 'https://s3.eu-west-1.amazonaws.com'}).legacyChecksums).toBe(false);
	// Legacy checksums: auto (the form's default) follows the service; yes and no choose; booleans from older configs still count.
	const minio = {...keys, preset: 'minio', endpoint: 'http://minio.lan:9000'};
	expect(['auto', 'yes', 'no', true, false].map(value => s3Settings({...minio, legacy_checksums: value}).legacyChecksums)).toEqual([true, true, false, true, false]);
	expect(s3Settings({...keys, legacy_checksums: 'auto'}).legacyChecksums).toBe(false);
	expect(validateAttributes('s3', {...minio, legacy_checksums: false})).toEqual([]);
	expect(validateAttributes('s3', {...minio, legacy_checksums: 'sometimes'})).toEqual(['legacy_checksums is one of auto, yes, no, not "sometimes"']);
});

test('each wrong attribute gets one sentence', () => {
	expect(validateS3Attributes({secret_access_key: 'x'})).toEqual(['an S3 credential needs an access key ID (field access_key_id)']);
	expect(validateS3Attributes({access_key_id: 'x'})).toEqual(['an S3 credential needs a secret access key (field secret_access_key)']);
	expect(validateS3Attributes({...keys, preset: 'r2'})[0]).toMatch(/Cloudflare R2 needs the endpoint/);
	expect(validateS3Attributes({...keys, preset: 'b2'})[0]).toMatch(/Backblaze B2 needs its region/);
	expect(validateS3Attributes({...keys, preset: 'minio'})[0]).toMatch(/needs its endpoint/);
	expect(validateS3Attributes({...keys, preset: 'nas'})[0]).toMatch(/^preset is one of aws, b2/);
	expect(validateS3Attributes({...keys, chunk_size: 4})).toEqual(['chunk_size must be a whole number from 5 to 5120 (MiB), not "4"']);
	expect(validateS3Attributes({...keys, upload_concurrency: 0})[0]).toMatch(/upload_concurrency must be a whole number from 1 to 32/);
	expect(validateS3Attributes({...keys, server_side_encryption: 'aws:kms'})[0]).toMatch(/server_side_encryption is empty or AES256/);
	expect(validateS3Attributes({...keys, endpoint: 'ftp://x'})[0]).toMatch(/must start with http/);
	expect(validateS3Attributes({...keys, endpoint: 'https://user:pw@host'})[0]).toMatch(/not in the endpoint URL/);
	expect(validateS3Attributes({...keys, force_path_style: 'maybe'})[0]).toMatch(/force_path_style is yes or no/);
	expect(validateS3Attributes({...keys})).toEqual([]);
});

test('the part size grows so that any file fits in 10,000 parts', () => {
	expect(partSizeFor(1, 5 * MiB)).toBe(5 * MiB);
	expect(partSizeFor(50_000 * MiB, 5 * MiB)).toBe(5 * MiB);
	const huge = 200 * 1024 * MiB;
	const part = partSizeFor(huge, 5 * MiB);
	expect(part % MiB).toBe(0);
	expect(Math.ceil(huge / part)).toBeLessThanOrEqual(10_000);
});
