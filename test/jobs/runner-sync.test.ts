/**
 * Whole runs through TaskRunner against a real s3rver: the sync, dry runs,
 * scripts around it, cancel mid-transfer, restore with ownership, crypt.
 */
import {randomBytes} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {taskSchema} from '../../source/core/schemas.js';
import {restoreTask} from '../../source/core/restore.js';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';
import {tempDir, tempHome} from '../support/home.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {mountBtrfs} from './btrfs.js';
import {refusal, s3Credential, taskInput, waitFor} from './helpers.js';
import {startRecorder} from './s3-recorder.js';

let s3: S3rverHandle;
let recorder: Awaited<ReturnType<typeof startRecorder>>;
let home: Awaited<ReturnType<typeof tempHome>>;
let store: Store;
let scratch: string;
let bucketCount = 0;

beforeAll(async () => {
	s3 = await startS3rver();
	recorder = await startRecorder(s3.port);
	home = await tempHome();
	scratch = await tempDir('cloudsync-runner-sync-');
	store = await Store.open(home.dir);
	await store.saveCredential(s3Credential('s3', s3.endpoint));
	await store.saveCredential(s3Credential('recorded', recorder.endpoint));
});
afterAll(async () => {
	await recorder?.stop();
	await s3?.stop();
	await home?.cleanup();
	fs.rmSync(scratch, {recursive: true, force: true});
});

async function newBucket(): Promise<string> {
	const name = `bucket-${++bucketCount}`;
	await s3.createBucket(name);
	return name;
}

function folderWith(name: string, files: Record<string, string | Buffer>): string {
	const dir = path.join(scratch, name);
	for (const [file, content] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(dir, file)), {recursive: true});
		fs.writeFileSync(path.join(dir, file), content);
	}
	fs.mkdirSync(dir, {recursive: true});
	return dir;
}

async function keys(bucket: string): Promise<string[]> {
	const listed = await s3.client.send(new ListObjectsV2Command({Bucket: bucket}));
	return (listed.Contents ?? []).map(object => object.Key!).sort();
}

async function objectText(bucket: string, key: string): Promise<string> {
	const response = await s3.client.send(new GetObjectCommand({Bucket: bucket, Key: key}));
	return response.Body!.transformToString();
}

async function run(runner: TaskRunner, taskId: number, dryRun = false) {
	await runner.start(taskId, {dryRun});
	return runner.wait(taskId);
}

describe('runs against s3rver', () => {
	it('PUSH SYNC uploads, runs the scripts in order, and records counts', async () => {
		const bucket = await newBucket();
		const src = folderWith('push', {'a.txt': 'alpha', 'docs/b.txt': 'bravo'});
		const marker = path.join(scratch, 'push-order.txt');
		const task = await store.addTask(
			taskInput({credential: 's3', path: src, bucket, folder: 'backup', preScript: `echo pre >> ${marker}`, postScript: `echo post >> ${marker}; echo "post sees $CLOUD_SYNC_BUCKET"`}),
		);
		const runner = new TaskRunner(store);
		const progress: number[] = [];
		runner.on('progress', (_id, p) => progress.push(p.filesDone));
		const record = await run(runner, task.id);
		expect(record).toMatchObject({state: 'SUCCESS', filesTransferred: 2, bytesTransferred: 10, errors: 0, dryRun: false});
		expect(await keys(bucket)).toEqual(['backup/a.txt', 'backup/docs/b.txt']);
		expect(await objectText(bucket, 'backup/docs/b.txt')).toBe('bravo');
		expect(fs.readFileSync(marker, 'utf8')).toBe('pre\npost\n');
		const log = readRunLog(home.dir, task.id, record.id);
		const order = ['Running the pre-script.', 'a.txt: Copied', 'Running the post-script.', '[post-script] post sees bucket-1'].map(text => log.indexOf(text));
		expect(order.every(index => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(progress.length).toBeGreaterThan(0);
		// the same run again has nothing to do
		expect(await run(runner, task.id)).toMatchObject({state: 'SUCCESS', filesTransferred: 0, filesChecked: 2});
	});

	it('a failing pre-script fails the run and transfers nothing; the post-script does not run; a failing post-script fails it', async () => {
		const bucket = await newBucket();
		const src = folderWith('prefail', {'a.txt': 'alpha'});
		const marker = path.join(scratch, 'prefail-post');
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket, preScript: 'echo failing >&2; exit 4', postScript: `touch ${marker}`}));
		const record = await run(new TaskRunner(store), task.id);
		expect(record).toMatchObject({state: 'FAILED', error: 'the pre-script exited with status 4; nothing was transferred', filesTransferred: 0});
		expect(await keys(bucket)).toEqual([]);
		expect(fs.existsSync(marker)).toBe(false);
		expect(readRunLog(home.dir, task.id, record.id)).toContain('[pre-script] failing');
		// a failing post-script fails the run, but what was transferred is recorded
		await store.updateTask(task.id, {preScript: '', postScript: 'exit 6'});
		const after = await run(new TaskRunner(store), task.id);
		expect(after).toMatchObject({state: 'FAILED', error: 'the post-script exited with status 6', filesTransferred: 1});
		expect(await keys(bucket)).toEqual(['a.txt']);
	});

	it('a dry run changes nothing, runs no scripts, and logs what would happen', async () => {
		const bucket = await newBucket();
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'extra.txt', Body: 'only remote'}));
		const src = folderWith('dry', {'new.txt': 'new file'});
		const marker = path.join(scratch, 'dry-marker');
		const task = await store.addTask(taskInput({credential: 's3', path: src, bucket, preScript: `touch ${marker}`, postScript: `touch ${marker}`}));
		const record = await run(new TaskRunner(store), task.id, true);
		expect(record).toMatchObject({state: 'SUCCESS', dryRun: true});
		expect(await keys(bucket)).toEqual(['extra.txt']);
		expect(fs.readdirSync(src)).toEqual(['new.txt']);
		expect(fs.existsSync(marker)).toBe(false);
		const log = readRunLog(home.dir, task.id, record.id);
		expect(log).toContain('Dry run: the pre-script is not run.');
		expect(log).toContain('Dry run: the post-script is not run.');
		expect(log).toContain('Would copy new.txt (8 bytes)');
		expect(log).toContain('Would delete from the destination extra.txt');
	});

	it('dry-runs an unsaved task from a form, filed under runs/unsaved', async () => {
		const bucket = await newBucket();
		const src = folderWith('unsaved', {'x.txt': 'x'});
		const task = taskSchema.parse({...taskInput({credential: 's3', path: src, bucket}), id: 1});
		const runner = new TaskRunner(store);
		const active = await runner.dryRunUnsaved({...task, id: 0});
		const record = await runner.wait(0);
		expect(record).toMatchObject({id: active.runId, state: 'SUCCESS', dryRun: true});
		expect(listRuns(home.dir, 'unsaved').map(r => r.id)).toContain(active.runId);
		const log = readRunLog(home.dir, 'unsaved', active.runId);
		expect(log).toContain('Would copy x.txt');
		// Its id is a placeholder: the log names it the unsaved task.
		expect(log).toContain(`Run ${active.runId} of the unsaved task (dry run) started`);
		expect(log).toMatch(/INFO +Unsaved task "[^"]*": PUSH/);
		expect(log).not.toMatch(/task 0\b|Task 0\b/);
		expect(await keys(bucket)).toEqual([]);
		expect(await refusal(runner.dryRunUnsaved({...task, path: ''}))).toMatch(/^usage: invalid task field path/);
	});

	it('cancels mid-transfer: ABORTED within 10 s, uploads aborted, nothing deleted, no partial object', async () => {
		const bucket = await newBucket();
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'keep/extra.txt', Body: 'SYNC would delete me'}));
		const src = folderWith('cancel', {'big.bin': randomBytes(24 * 1024 * 1024)});
		const task = await store.addTask(taskInput({credential: 'recorded', path: src, bucket, folder: 'keep', bwlimit: '2M'}));
		const runner = new TaskRunner(store);
		await runner.start(task.id);
		await waitFor(() => (runner.active()[0]?.progress?.bytesDone ?? 0) > 1024 * 1024, 30_000, 'the upload to get going');
		const before = Date.now();
		await runner.cancel(task.id);
		expect(Date.now() - before).toBeLessThan(10_000);
		const record = listRuns(home.dir, task.id)[0]!;
		expect(record.state).toBe('ABORTED');
		expect(await keys(bucket)).toEqual(['keep/extra.txt']);
		await expect(s3.client.send(new HeadObjectCommand({Bucket: bucket, Key: 'keep/big.bin'}))).rejects.toThrow();
		// every multipart upload that was started was aborted
		expect(recorder.createdUploads.length).toBeGreaterThan(0);
		for (const id of recorder.createdUploads) {
			expect(recorder.requests.some(r => r.method === 'DELETE' && r.url.includes(`uploadId=${id}`))).toBe(true);
		}
		expect(readRunLog(home.dir, task.id, record.id)).toContain('Cancel requested');
	});

	it('cancels a PULL mid-transfer without leaving temp files or a partial file', async () => {
		const bucket = await newBucket();
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'big.bin', Body: randomBytes(16 * 1024 * 1024)}));
		const dest = folderWith('cancel-pull', {'mine.txt': 'local only'});
		const task = await store.addTask(taskInput({credential: 's3', path: dest, bucket, direction: 'PULL', transferMode: 'SYNC', bwlimit: '2M'}));
		const runner = new TaskRunner(store);
		await runner.start(task.id);
		await waitFor(() => (runner.active()[0]?.progress?.bytesDone ?? 0) > 1024 * 1024, 30_000, 'the download to get going');
		await runner.cancel(task.id);
		expect(listRuns(home.dir, task.id)[0]!.state).toBe('ABORTED');
		expect(fs.readdirSync(dest)).toEqual(['mine.txt']);
	});

	it('restores with ownership: mode, uid, gid and mtime round-trip through object metadata', async () => {
		const bucket = await newBucket();
		const src = folderWith('owned', {'ann.txt': 'ann', 'bob/bob.txt': 'bob'});
		const files = [
			{file: 'ann.txt', uid: 1001, gid: 1001, mode: 0o640, mtime: new Date('2020-01-02T03:04:05Z')},
			{file: 'bob/bob.txt', uid: 1002, gid: 1003, mode: 0o604, mtime: new Date('2021-06-07T08:09:10Z')},
		];
		for (const f of files) {
			fs.chownSync(path.join(src, f.file), f.uid, f.gid);
			fs.chmodSync(path.join(src, f.file), f.mode);
			fs.utimesSync(path.join(src, f.file), f.mtime, f.mtime);
		}
		const backup = await store.addTask(taskInput({credential: 's3', path: src, bucket, folder: 'home', transferMode: 'COPY'}));
		const runner = new TaskRunner(store);
		expect((await run(runner, backup.id)).state).toBe('SUCCESS');
		const head = await s3.client.send(new HeadObjectCommand({Bucket: bucket, Key: 'home/bob/bob.txt'}));
		expect(head.Metadata).toMatchObject({uid: '1002', gid: '1003'});
		expect(Object.keys(head.Metadata ?? {})).toEqual(expect.arrayContaining(['mtime', 'mode', 'uid', 'gid']));

		const target = path.join(scratch, 'restored');
		const restore = await store.addTask(restoreTask(backup, {description: 'Bring home back', path: target}));
		expect(restore).toMatchObject({direction: 'PULL', transferMode: 'COPY', enabled: false, bucket, folder: 'home', credential: 's3'});
		// a dry run of the restore creates nothing, not even the folder
		const dry = await run(runner, restore.id, true);
		expect(dry.state).toBe('SUCCESS');
		expect(fs.existsSync(target)).toBe(false);
		expect(readRunLog(home.dir, restore.id, dry.id)).toContain('Would copy bob/bob.txt (3 bytes)');
		expect((await run(runner, restore.id)).state).toBe('SUCCESS');
		for (const f of files) {
			const stats = fs.statSync(path.join(target, f.file));
			expect({file: f.file, uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777, mtime: Math.floor(stats.mtimeMs / 1000)}).toEqual({
				file: f.file,
				uid: f.uid,
				gid: f.gid,
				mode: f.mode,
				mtime: f.mtime.getTime() / 1000,
			});
		}
	});

	it('encrypts with crypt on PUSH and decrypts on the restore', async () => {
		const bucket = await newBucket();
		const src = folderWith('secret-src', {'plans/secret.txt': 'the plan'});
		const backup = await store.addTask(taskInput({credential: 's3', path: src, bucket, encryption: true, encryptionPassword: 'crypt-pw', encryptionSalt: 'crypt-salt'}));
		const runner = new TaskRunner(store);
		expect((await run(runner, backup.id)).state).toBe('SUCCESS');
		const stored = await keys(bucket);
		expect(stored).toHaveLength(1);
		expect(stored[0]).not.toContain('secret');
		expect(await objectText(bucket, stored[0]!)).not.toContain('the plan');
		const target = path.join(scratch, 'secret-restored');
		const restore = await store.addTask(restoreTask(backup, {description: 'decrypt', path: target}));
		expect((await run(runner, restore.id)).state).toBe('SUCCESS');
		expect(fs.readFileSync(path.join(target, 'plans/secret.txt'), 'utf8')).toBe('the plan');
		expect(readRunLog(home.dir, backup.id, listRuns(home.dir, backup.id)[0]!.id)).not.toContain('crypt-pw');
	});

	it('backs up from a btrfs snapshot taken before the pre-script, and always removes it', async () => {
		const volume = mountBtrfs();
		try {
			const subvolume = path.join(volume.mountPoint, 'vol');
			execFileSync('btrfs', ['subvolume', 'create', subvolume], {stdio: 'ignore'});
			const src = path.join(subvolume, 'data');
			fs.mkdirSync(src);
			fs.writeFileSync(path.join(src, 'a.txt'), 'as it was');
			const bucket = await newBucket();
			const task = await store.addTask(taskInput({credential: 's3', path: src, bucket, snapshot: true, preScript: `echo changed > ${src}/a.txt; echo new > ${src}/late.txt`}));
			const runner = new TaskRunner(store);
			const record = await run(runner, task.id);
			expect(record.state).toBe('SUCCESS');
			expect(await keys(bucket)).toEqual(['a.txt']);
			expect(await objectText(bucket, 'a.txt')).toBe('as it was');
			const log = readRunLog(home.dir, task.id, record.id);
			expect(log).toMatch(/Took btrfs snapshot .*cloudsync-task\d+-/);
			expect(log).toMatch(/Removed btrfs snapshot/);
			const subvolumes = () => execFileSync('btrfs', ['subvolume', 'list', volume.mountPoint], {encoding: 'utf8'});
			expect(subvolumes()).not.toContain('cloudsync-task');

			await store.updateTask(task.id, {preScript: 'exit 9'});
			const failed = await run(runner, task.id);
			expect(failed).toMatchObject({state: 'FAILED', error: 'the pre-script exited with status 9; nothing was transferred'});
			expect(subvolumes()).not.toContain('cloudsync-task');
			expect(fs.existsSync(path.join(subvolume, '.cloudsync-snapshots'))).toBe(false);
		} finally {
			volume.cleanup();
		}
	});

	it('refuses a snapshot where the file system has none, and for PULL', async () => {
		const src = folderWith('nosnap', {'a.txt': 'a'});
		const runner = new TaskRunner(store);
		const push = await store.addTask(taskInput({credential: 's3', path: src, bucket: await newBucket(), snapshot: true}));
		const record = await run(runner, push.id);
		expect(record.state).toBe('FAILED');
		expect(record.error).toMatch(new RegExp(`^cannot take a snapshot: snapshots need ZFS or btrfs; ${src} is on \\w+$`));
		const pull = await store.addTask(taskInput({credential: 's3', path: src, bucket: await newBucket(), direction: 'PULL', snapshot: true}));
		expect(await run(runner, pull.id)).toMatchObject({state: 'FAILED', error: 'cannot take a snapshot: a snapshot is only for PUSH tasks: a PULL writes into the folder'});
		expect(fs.readdirSync(src)).toEqual(['a.txt']);
	});
});
