/**
 * Hostile local input, through `cloudsync task run` against s3rver:
 * unreadable files and folders (as the unprivileged user nobody, since root
 * reads everything), FIFOs and sockets, files that grow or vanish while the
 * run goes on, a task folder that does not exist, and a full disk on PULL (a
 * 2 MiB tmpfs). Each ends with a clear one-line error or a clean success;
 * no partial file under a final name; nothing else lost.
 */
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {localTempPrefix} from '../../source/providers/local.js';
import {cliEntry} from '../support/cli.js';
import {makeHome, removeScratch, runTask, s3Credential, scratch, sleep, startCli, taskInput, type Home} from './support/lab.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {recordRow} from './support/summary.js';
import {compareDigests, hashBucket, hashLocal, writeTree} from './support/trees.js';

const bucket = 'local';
let s3: S3rverHandle;
let home: Home;

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	home = await makeHome([s3Credential('s3', s3.endpoint)]);
}, 60_000);
afterAll(async () => {
	await s3?.stop();
	removeScratch();
});

const lastLog = (taskId: number) => readRunLog(home.dir, taskId, listRuns(home.dir, taskId)[0]!.id);
const oneLine = (stderr: string) => expect(stderr).toMatch(/^cloudsync: [^\n]+\n$/);
const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}));

describe('hostile local input', () => {
	test('FIFOs and sockets are skipped without hanging the run; regular files arrive', async () => {
		const source = scratch('special');
		const digests = writeTree(source, 10, 1);
		execFileSync('mkfifo', [path.join(source, 'a-fifo')]);
		const socketPath = path.join(source, 'a-socket');
		const server = net.createServer().listen(socketPath);
		try {
			const task = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'special'}));
			const run = await runTask(home.dir, task.id, 60_000);
			expect(run.code === 0 || run.code === 1, run.stdout + run.stderr).toBe(true);
			if (run.code === 1) oneLine(run.stderr);
			const uploaded = compareDigests(digests, await hashBucket(s3.client, bucket, 'special'));
			expect(uploaded).toMatchObject({missing: [], differ: [], extra: []});
			recordRow({scenario: 'hostile local: FIFO + socket', runs: 1, injected: 2, verified: uploaded.verified, lost: 0});
		} finally {
			server.close();
		}
	}, 120_000);

	test('as nobody: an unreadable file and folder fail alone with a clear error; nothing is deleted', async () => {
		const root = scratch('nobody');
		fs.chmodSync(root, 0o755);
		const source = path.join(root, 'source');
		const digests = writeTree(source, 12, 2);
		fs.writeFileSync(path.join(source, 'secret-file.txt'), 'root only');
		fs.chmodSync(path.join(source, 'secret-file.txt'), 0o600);
		fs.mkdirSync(path.join(source, 'secret-dir'));
		fs.writeFileSync(path.join(source, 'secret-dir', 'inside.txt'), 'root only');
		fs.chmodSync(path.join(source, 'secret-dir'), 0o700);
		execFileSync('chmod', ['-R', 'a+rX', source]);
		fs.chmodSync(path.join(source, 'secret-file.txt'), 0o600);
		fs.chmodSync(path.join(source, 'secret-dir'), 0o700);
		const nobodyHome = path.join(root, 'home');
		const nobody = await makeHomeAt(nobodyHome);
		const task = await nobody.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'nobody'}));
		await put('nobody/extra-on-destination.txt', 'must stay: the run had errors');
		execFileSync('chown', ['-R', 'nobody:nogroup', nobodyHome]);
		const run = await new Promise<{code: number; stdout: string; stderr: string}>(resolve => {
			const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, cliEntry, 'task', 'run', String(task.id)], {
				env: {PATH: process.env.PATH, CLOUDSYNC_HOME: nobodyHome, NO_COLOR: '1', HOME: nobodyHome},
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', c => (stdout += String(c)));
			child.stderr.on('data', c => (stderr += String(c)));
			child.on('close', code => resolve({code: code ?? -1, stdout, stderr}));
		});
		expect(run.code, run.stdout + run.stderr).toBe(1);
		oneLine(run.stderr);
		expect(run.stderr).toMatch(/secret-(file\.txt|dir)/);
		expect(run.stderr).toMatch(/permission|not readable|denied|access/i);
		const log = readRunLog(nobodyHome, task.id, listRuns(nobodyHome, task.id)[0]!.id);
		expect(log).toMatch(/secret-file\.txt: [^\n]*(permission|not readable|denied|access)/i);
		expect(log).toMatch(/secret-dir[^\n]*(permission|not readable|denied|access)/i);
		const inBucket = await hashBucket(s3.client, bucket, 'nobody');
		expect(inBucket.has('extra-on-destination.txt')).toBe(true);
		const uploaded = compareDigests(digests, inBucket);
		expect(uploaded).toMatchObject({missing: [], differ: []});
		expect(uploaded.extra).toEqual(['extra-on-destination.txt']);
		recordRow({scenario: 'hostile local: unreadable (as nobody)', runs: 1, injected: 2, verified: uploaded.verified + 1, lost: 0});
	}, 120_000);

	test('a growing file and files deleted mid-run: clear errors or clean copies, never a torn object; the rerun completes', async () => {
		const source = scratch('moving');
		const digests = writeTree(source, 40, 3);
		const growing = path.join(source, 'growing.log');
		fs.writeFileSync(growing, Buffer.alloc(3 * 1024 * 1024, 7));
		const task = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'moving', bwlimit: '2M', transfers: 2}));
		const run = startCli(home.dir, ['task', 'run', String(task.id)]);
		const victims = [...digests.keys()].filter((_, i) => i % 3 === 0);
		let appended = 0;
		const deadline = Date.now() + 3_000;
		await sleep(800);
		for (const name of victims) fs.rmSync(path.join(source, name), {force: true});
		while (Date.now() < deadline && run.child.exitCode === null) {
			fs.appendFileSync(growing, Buffer.alloc(64 * 1024, 8));
			appended++;
			await sleep(50);
		}
		const first = await run.done;
		expect(first.code === 0 || first.code === 1, first.stdout + first.stderr).toBe(true);
		if (first.code === 1) oneLine(first.stderr);
		// Whatever arrived is whole: every object is a file as it was at some moment.
		const inBucket = await hashBucket(s3.client, bucket, 'moving');
		for (const [name, digest] of inBucket) {
			if (name === 'growing.log') continue;
			expect(digests.get(name)?.md5, name).toBe(digest.md5);
		}
		const grown = inBucket.get('growing.log');
		if (grown) {
			const prefix = fs.readFileSync(growing).subarray(0, grown.size);
			expect((await import('./support/trees.js')).md5(prefix)).toBe(grown.md5);
		}
		const again = await runTask(home.dir, task.id);
		expect(again.code, again.stdout + again.stderr).toBe(0);
		const end = compareDigests(hashLocal(source), await hashBucket(s3.client, bucket, 'moving'));
		expect(end).toMatchObject({missing: [], differ: [], extra: []});
		recordRow({scenario: 'hostile local: growing + vanishing files', runs: 2, injected: victims.length + appended, verified: end.verified, lost: 0});
	}, 180_000);

	test('a task folder that does not exist: PUSH SYNC fails in one line and deletes nothing on the destination', async () => {
		const source = scratch('gone');
		writeTree(source, 5, 4);
		const task = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'gone'}));
		expect((await runTask(home.dir, task.id)).code).toBe(0);
		const before = await hashBucket(s3.client, bucket, 'gone');
		fs.rmSync(source, {recursive: true});
		const run = await runTask(home.dir, task.id);
		expect(run.code).toBe(1);
		oneLine(run.stderr);
		expect(run.stderr).toMatch(/does not exist|not exist|no such/i);
		expect(compareDigests(before, await hashBucket(s3.client, bucket, 'gone'))).toMatchObject({verified: before.size, missing: [], extra: []});
		expect(fs.existsSync(source)).toBe(false);
		recordRow({scenario: 'hostile local: missing task folder', runs: 2, injected: 1, verified: before.size, lost: 0});
	}, 120_000);

	test('a full disk on PULL (2 MiB tmpfs): a clear error, no partial file, nothing else lost', async () => {
		const mountPoint = scratch('tmpfs');
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
		} catch (error) {
			throw new Error(`cannot mount a 2 MiB tmpfs for the full-disk test (needs root and CAP_SYS_ADMIN): ${String(error)}`);
		}
		try {
			fs.writeFileSync(path.join(mountPoint, 'keep.txt'), 'was here before');
			const big = Buffer.alloc(900 * 1024, 1);
			for (const name of ['a.bin', 'b.bin', 'c.bin']) await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `full/${name}`, Body: Buffer.concat([big, Buffer.from(name)])}));
			const task = await home.addTask(taskInput({credential: 's3', path: mountPoint, bucket, folder: 'full', direction: 'PULL', transferMode: 'COPY'}));
			const run = await runTask(home.dir, task.id);
			expect(run.code, run.stdout + run.stderr).toBe(1);
			oneLine(run.stderr);
			expect(run.stderr + lastLog(task.id)).toMatch(/no space|full|ENOSPC/i);
			const local = hashLocal(mountPoint);
			expect(fs.readFileSync(path.join(mountPoint, 'keep.txt'), 'utf8')).toBe('was here before');
			const remote = await hashBucket(s3.client, bucket, 'full');
			for (const [name, digest] of local) {
				expect(name.startsWith(localTempPrefix) || path.basename(name).startsWith(localTempPrefix), `left over: ${name}`).toBe(false);
				if (name !== 'keep.txt') expect(remote.get(name)?.md5, `partial: ${name}`).toBe(digest.md5);
			}
			recordRow({scenario: 'hostile local: full disk on PULL', runs: 1, injected: 1, verified: local.size, lost: 0});
		} finally {
			execFileSync('umount', [mountPoint]);
		}
	}, 120_000);
});

async function makeHomeAt(dir: string): Promise<Home> {
	const {Store} = await import('../../source/store/store.js');
	const store = await Store.open(dir);
	await store.saveCredential(s3Credential('s3', s3.endpoint));
	return {dir, store, addTask: input => store.addTask(input)};
}
