import fs from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cloudsync} from '../support/cli.js';
import {tempHome} from '../support/home.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {startS3rverGateway, type S3rverGateway} from '../support/s3rver-gateway.js';

// s3rver checks the access key but accepts any secret; the gateway in front of
// it checks Signature V4 the way S3 does, so a wrong secret is refused.
let s3: S3rverHandle;
let gateway: S3rverGateway;
beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket('backups');
	gateway = await startS3rverGateway(s3);
});
afterAll(async () => {
	await gateway?.stop();
	await s3?.stop();
});

const add = (home: string, name: string, secret: string, extra: string[] = []) =>
	cloudsync(home, ['credential', 'add', name, '--provider', 's3', '--field', `endpoint=${gateway.endpoint}`, '--field', 'access_key_id=S3RVER', '--field-env', 'secret_access_key=SECRET', ...extra], {env: {SECRET: secret}});

test('credential add against a running S3 server verifies and saves; a wrong secret or key saves nothing', async () => {
	const home = await tempHome();
	try {
		const good = await add(home.dir, 'minio', 'S3RVER');
		expect(good.stderr).toBe('');
		expect(good.stdout).toContain('Saved credential "minio" (');
		expect(good.stdout).toContain('verified');
		expect(good.code).toBe(0);

		const wrongSecret = await add(home.dir, 'bad-secret', 'not-the-secret');
		expect(wrongSecret.code).toBe(1);
		expect(wrongSecret.stderr.trim().split('\n')).toHaveLength(1);
		expect(wrongSecret.stderr).toMatch(/^cloudsync: the secret access key is wrong/);

		const wrongKey = await cloudsync(home.dir, ['credential', 'add', 'bad-key', '--provider', 's3', '--field', `endpoint=${gateway.endpoint}`, '--field', 'access_key_id=NOBODY', '--field', 'secret_access_key=-'], {input: 'S3RVER\n'});
		expect(wrongKey.code).toBe(1);
		expect(wrongKey.stderr).toMatch(/^cloudsync: .*access key/i);

		const list = JSON.parse((await cloudsync(home.dir, ['--json', 'credential', 'list'])).stdout) as Array<{name: string}>;
		expect(list.map(c => c.name)).toEqual(['minio']);
		const db = await fs.readFile(path.join(home.dir, 'db.json'), 'utf8');
		expect(db).not.toContain('not-the-secret');
	} finally {
		await home.cleanup();
	}
});

test('an unreachable endpoint is one sentence, and nothing is saved', async () => {
	const home = await tempHome();
	try {
		const result = await cloudsync(home.dir, ['credential', 'add', 'dead', '--provider', 's3', '--field', 'endpoint=http://127.0.0.1:9', '--field', 'access_key_id=A', '--field', 'secret_access_key=-'], {input: 'B\n'});
		expect(result.code).toBe(1);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/127\.0\.0\.1:9/);
		expect(JSON.parse((await cloudsync(home.dir, ['--json', 'credential', 'list'])).stdout)).toEqual([]);
	} finally {
		await home.cleanup();
	}
});
