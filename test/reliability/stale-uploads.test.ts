/**
 * A run killed with SIGKILL cannot abort its multipart uploads; the task's
 * next PUSH run aborts the ones under its own location that began before it,
 * and leaves other locations' uploads alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import {CreateMultipartUploadCommand, UploadPartCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {danglingUploads, makeHome, removeScratch, runTask, s3Credential, scratch, startS3Lab, taskInput, type S3Lab} from './support/lab.js';

const bucket = 'stale';
let lab: S3Lab;
beforeAll(async () => {
	lab = await startS3Lab(bucket);
}, 60_000);
afterAll(async () => {
	await lab?.stop();
	removeScratch();
});

async function beginUpload(key: string): Promise<void> {
	const {UploadId} = await lab.gatewayClient.send(new CreateMultipartUploadCommand({Bucket: bucket, Key: key}));
	await lab.gatewayClient.send(new UploadPartCommand({Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1)}));
}

test('the next PUSH run aborts the unfinished uploads a killed run left under its folder', async () => {
	await beginUpload('mine/big/large-0.bin');
	await beginUpload('mine/other.bin');
	await beginUpload('someone-else/large.bin');
	expect((await danglingUploads(lab, bucket)).sort()).toEqual(['mine/big/large-0.bin', 'mine/other.bin', 'someone-else/large.bin']);
	const home = await makeHome([s3Credential('s3', lab.gateway.endpoint)]);
	const source = scratch('stale-source');
	fs.writeFileSync(path.join(source, 'a.txt'), 'a');
	const task = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'mine'}));
	const run = await runTask(home.dir, task.id);
	expect(run.code, run.stdout + run.stderr).toBe(0);
	expect(await danglingUploads(lab, bucket)).toEqual(['someone-else/large.bin']);
	const log = readRunLog(home.dir, task.id, listRuns(home.dir, task.id)[0]!.id);
	expect(log).toContain('big/large-0.bin: aborted an unfinished upload left by an earlier run.');
	expect(log).toContain('other.bin: aborted an unfinished upload left by an earlier run.');
}, 120_000);
