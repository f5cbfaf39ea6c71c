/**
 * A PULL killed with SIGKILL leaves `.cloudsync-tmp-*` files beside their
 * targets; listings hide them, so only an explicit cleanup removes them. The
 * run after a killed one removes those that predate it.
 */
import fs from 'node:fs';
import path from 'node:path';
import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {diedMessage, listRuns, newRunId, readRunLog, writeRun} from '../../source/jobs/history.js';
import {localTempPrefix} from '../../source/providers/local.js';
import {makeHome, removeScratch, runTask, s3Credential, scratch, startS3Lab, taskInput, type S3Lab} from './support/lab.js';

const bucket = 'orphans';
let lab: S3Lab;
beforeAll(async () => {
	lab = await startS3Lab(bucket);
}, 60_000);
afterAll(async () => {
	await lab?.stop();
	removeScratch();
});

test('the run after a killed PULL removes the temp files it left, and nothing else', async () => {
	await lab.s3.client.send(new PutObjectCommand({Bucket: bucket, Key: 'data/sub/a.txt', Body: 'a'}));
	const home = await makeHome([s3Credential('s3', lab.gateway.endpoint)]);
	const target = scratch('orphans-target');
	fs.mkdirSync(path.join(target, 'sub'));
	const orphans = [`sub/${localTempPrefix}0123456789ab-a.txt`, `${localTempPrefix}ba9876543210-big.bin`];
	for (const name of orphans) fs.writeFileSync(path.join(target, name), 'half of a file');
	fs.writeFileSync(path.join(target, 'mine.txt'), 'kept: COPY never deletes');
	const task = await home.addTask(taskInput({credential: 's3', path: target, bucket, folder: 'data', direction: 'PULL', transferMode: 'COPY'}));
	// The history as the runner leaves it after its worker was killed.
	const killedAt = new Date(Date.now() - 60_000);
	writeRun(home.dir, task.id, {
		id: newRunId(killedAt),
		taskId: task.id,
		state: 'FAILED',
		dryRun: false,
		trigger: 'cli',
		startedAt: killedAt.toISOString(),
		endedAt: killedAt.toISOString(),
		error: `${diedMessage} (killed by SIGKILL)`,
		filesTransferred: 0,
		bytesTransferred: 0,
		filesDeleted: 0,
		filesChecked: 0,
		errors: 1,
	});
	const run = await runTask(home.dir, task.id);
	expect(run.code, run.stdout + run.stderr).toBe(0);
	for (const name of orphans) expect(fs.existsSync(path.join(target, name)), name).toBe(false);
	expect(fs.readFileSync(path.join(target, 'sub/a.txt'), 'utf8')).toBe('a');
	expect(fs.readFileSync(path.join(target, 'mine.txt'), 'utf8')).toBe('kept: COPY never deletes');
	const log = readRunLog(home.dir, task.id, listRuns(home.dir, task.id)[0]!.id);
	for (const name of orphans) expect(log).toContain(`${name}: removed a temp file left by the earlier run that was killed.`);
}, 120_000);
