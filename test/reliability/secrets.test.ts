/**
 * Secrets: after full runs with every secret field set (S3 secret key,
 * encryption password and salt, Dropbox token, refresh token and app
 * secret), no secret appears in db.json, any file under the data directory
 * (run logs and records, indexes, locks; the seed file aside), an export
 * without the seed, the screenshots/ directory, the CLI's output, or the
 * process arguments sampled with `ps -eo args` while the runs went on.
 * A pre-script that prints the password (the scripts' environment holds it,
 * as specified) is redacted in the log.
 */
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {cloudsync, repoRoot} from '../support/cli.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {makeHome, removeScratch, scratch, taskInput} from './support/lab.js';
import {recordRow} from './support/summary.js';
import {writeTree} from './support/trees.js';

let s3: S3rverHandle;
let dropbox: DropboxServer;
const secret = (what: string) => `${what}-${randomBytes(9).toString('hex')}`;
const appKey = 'reliability-app';
const secrets = {
	s3Secret: secret('s3secret'),
	password: secret('password'),
	salt: secret('salt'),
	dropboxSecret: secret('appsecret'),
	dropboxToken: '',
	dropboxRefresh: '',
};

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket('secrets');
	dropbox = await startDropboxServer({apps: {[appKey]: secrets.dropboxSecret}});
	const issued = dropbox.issueTokens(appKey);
	secrets.dropboxToken = issued.token;
	secrets.dropboxRefresh = issued.refreshToken;
}, 60_000);
afterAll(async () => {
	await s3?.stop();
	await dropbox?.stop();
	removeScratch();
});

function sampleProcesses(into: string[]): () => void {
	let stopped = false;
	const loop = () => {
		if (stopped) return;
		execFile('ps', ['-eo', 'args'], {maxBuffer: 16 * 1024 * 1024}, (_error, stdout) => {
			into.push(stdout);
			setTimeout(loop, 40);
		});
	};
	loop();
	return () => {
		stopped = true;
	};
}

function filesUnder(dir: string, skip: (file: string) => boolean = () => false): string[] {
	const out: string[] = [];
	if (!fs.existsSync(dir)) return out;
	for (const entry of fs.readdirSync(dir, {withFileTypes: true, recursive: true})) {
		const full = path.join(entry.parentPath, entry.name);
		if (entry.isFile() && !skip(full)) out.push(full);
	}
	return out;
}

test('no secret in the store, logs, export, screenshots, output or process list', async () => {
	const home = await makeHome([]);
	const source = scratch('secrets-source');
	writeTree(source, 20, 11);
	const samples: string[] = [];
	const outputs: string[] = [];
	const stop = sampleProcesses(samples);
	const env = {
		S3_SECRET: secrets.s3Secret,
		TASK_PASSWORD: secrets.password,
		TASK_SALT: secrets.salt,
		DBX_TOKEN: secrets.dropboxToken,
		DBX_REFRESH: secrets.dropboxRefresh,
		DBX_SECRET: secrets.dropboxSecret,
	};
	const cli = async (args: string[]) => {
		const result = await cloudsync(home.dir, args, {env});
		outputs.push(result.stdout, result.stderr);
		expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
		return result;
	};
	try {
		await cli(['credential', 'add', 's3', '--provider', 's3', '--field', 'preset=other', '--field', 'access_key_id=S3RVER', '--field-env', 'secret_access_key=S3_SECRET', '--field', `endpoint=${s3.endpoint}`, '--field', 'region=us-east-1']);
		await cli(['credential', 'add', 'dbx', '--provider', 'dropbox', '--field', `client_id=${appKey}`, '--field-env', 'client_secret=DBX_SECRET', '--field-env', 'token=DBX_TOKEN', '--field-env', 'refresh_token=DBX_REFRESH', '--field', `api_url=${dropbox.url}`]);
		// Two tasks get their secrets through the store, one through the CLI (--password-env, --salt-env).
		const leaky = 'echo "password is $CLOUD_SYNC_ENCRYPTION_PASSWORD, salt $CLOUD_SYNC_ENCRYPTION_SALT, key $CLOUD_SYNC_SECRET_ACCESS_KEY, token $CLOUD_SYNC_TOKEN"';
		const s3Task = await home.addTask(taskInput({credential: 's3', path: source, bucket: 'secrets', folder: 'enc', encryption: true, encryptionPassword: secrets.password, encryptionSalt: secrets.salt, preScript: leaky, postScript: leaky}));
		const dbxTask = await home.addTask(taskInput({credential: 'dbx', path: source, folder: 'enc', encryption: true, encryptionPassword: secrets.password, encryptionSalt: secrets.salt, preScript: leaky}));
		const viaEnv = await cli(['--json', 'task', 'add', '--description', 'password from env', '--credential', 's3', '--direction', 'push', '--mode', 'copy', '--path', source, '--bucket', 'secrets', '--folder', 'env', '--encryption', '--password-env', 'TASK_PASSWORD', '--salt-env', 'TASK_SALT']);
		for (const id of [s3Task.id, dbxTask.id, (JSON.parse(viaEnv.stdout) as {id: number}).id]) {
			await cli(['task', 'run', String(id)]);
			await cli(['task', 'run', String(id), '--dry-run']);
			await cli(['task', 'logs', String(id)]);
			await cli(['task', 'show', String(id)]);
		}
		await cli(['credential', 'show', 's3']);
		await cli(['credential', 'show', 'dbx']);
		await cli(['--json', 'credential', 'show', 'dbx']);
		await cli(['credential', 'verify', 'dbx']);
		await cli(['task', 'list']);
		await cli(['config', 'export', path.join(home.dir, 'export-without-seed.json')]);
	} finally {
		stop();
	}
	const places: Array<[string, string]> = [];
	for (const file of filesUnder(home.dir, file => path.basename(file) === 'secret.key')) places.push([file, fs.readFileSync(file, 'latin1')]);
	for (const file of filesUnder(path.join(repoRoot, 'screenshots'))) places.push([file, fs.readFileSync(file, 'latin1')]);
	samples.forEach((text, i) => places.push([`ps -eo args sample ${i}`, text]));
	outputs.forEach((text, i) => places.push([`CLI output ${i}`, text]));
	expect(places.some(([file]) => file.endsWith('db.json'))).toBe(true);
	expect(places.some(([file]) => file.endsWith('.log'))).toBe(true);
	// A sample caught a run in progress (it runs in the `task run` process).
	expect(samples.some(text => /cli\.js task run \d+/.test(text))).toBe(true);
	const hits: string[] = [];
	for (const [name, value] of Object.entries(secrets)) {
		for (const [where, text] of places) if (text.includes(value)) hits.push(`${name} in ${where}`);
	}
	// The leaky script really ran, and what it printed was masked.
	const logs = places.filter(([file]) => file.endsWith('.log')).map(([, text]) => text).join('\n');
	expect(logs).toMatch(/\[pre-script\] password is \S+, salt/);
	recordRow({scenario: 'secrets: zero hits', runs: 9, injected: Object.keys(secrets).length, verified: places.length, lost: hits.length});
	expect(hits).toEqual([]);
}, 300_000);
