/**
 * What the scenarios share: a real s3rver behind the gateway that lists and
 * aborts multipart uploads, data directories with credentials and tasks
 * saved through the real Store, and `cloudsync task run` as a real process.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {S3Client} from '@aws-sdk/client-s3';
import type {Credential, Task, TaskInput} from '../../../source/core/model.js';
import {listRuns} from '../../../source/jobs/history.js';
import {Store} from '../../../source/store/store.js';
import {cliEntry} from '../../support/cli.js';
import {startS3rver, type S3rverHandle} from '../../support/s3rver.js';
import {startS3rverGateway, type S3rverGateway} from '../../support/s3rver-gateway.js';

export type S3Lab = {
	s3: S3rverHandle;
	gateway: S3rverGateway;
	/** A client that talks to the gateway (for ListMultipartUploads). */
	gatewayClient: S3Client;
	stop(): Promise<void>;
};

export async function startS3Lab(...buckets: string[]): Promise<S3Lab> {
	if (!fs.existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run \`npm run build\` first (npm test does)`);
	const s3 = await startS3rver();
	for (const bucket of buckets) await s3.createBucket(bucket);
	const gateway = await startS3rverGateway(s3);
	const gatewayClient = new S3Client({
		endpoint: gateway.endpoint,
		region: 'us-east-1',
		forcePathStyle: true,
		credentials: {accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey},
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
	});
	return {
		s3,
		gateway,
		gatewayClient,
		async stop() {
			gatewayClient.destroy();
			await gateway.stop();
			await s3.stop();
		},
	};
}

/** Unfinished multipart uploads in the bucket (s3rver's own store, through the gateway). */
export async function danglingUploads(lab: S3Lab, bucket: string): Promise<string[]> {
	const {ListMultipartUploadsCommand} = await import('@aws-sdk/client-s3');
	const listed = await lab.gatewayClient.send(new ListMultipartUploadsCommand({Bucket: bucket}));
	return (listed.Uploads ?? []).map(upload => upload.Key!);
}

export function s3Credential(name: string, endpoint: string, extra: Record<string, string | number | boolean> = {}): Credential {
	return {
		name,
		provider: 's3',
		attributes: {preset: 'other', access_key_id: 'S3RVER', secret_access_key: 'S3RVER', endpoint, region: 'us-east-1', force_path_style: true, ...extra},
	};
}

const daily = {preset: 'daily', minute: '0', hour: '3', dom: '*', month: '*', dow: '*'} as const;

export function taskInput(patch: Partial<Omit<TaskInput, 'id'>> & {path: string; credential: string}): Omit<TaskInput, 'id'> {
	return {description: 'reliability task', direction: 'PUSH', transferMode: 'SYNC', bucket: '', folder: '', schedule: {...daily}, enabled: true, ...patch};
}

const scratchRoots: string[] = [];

export function scratch(prefix: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cloudsync-rel-${prefix}-`));
	scratchRoots.push(dir);
	return dir;
}

export function removeScratch(): void {
	for (const dir of scratchRoots.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
}

export type Home = {dir: string; store: Store; addTask(input: Omit<TaskInput, 'id'>): Promise<Task>};

export async function makeHome(credentials: Credential[]): Promise<Home> {
	const dir = scratch('home');
	const store = await Store.open(dir);
	for (const credential of credentials) await store.saveCredential(credential);
	return {dir, store, addTask: input => store.addTask(input)};
}

export type CliRun = {
	child: ChildProcess;
	stdout(): string;
	stderr(): string;
	done: Promise<{code: number; stdout: string; stderr: string}>;
};

/** `cloudsync ARGS` as a real process (the built entry), not waited for. */
export function startCli(home: string, args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
	const child = spawn(process.execPath, [cliEntry, ...args], {env: {...process.env, CLOUDSYNC_HOME: home, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', chunk => (stdout += String(chunk)));
	child.stderr!.on('data', chunk => (stderr += String(chunk)));
	const done = new Promise<{code: number; stdout: string; stderr: string}>(resolve => child.on('close', code => resolve({code: code ?? -1, stdout, stderr})));
	return {child, stdout: () => stdout, stderr: () => stderr, done};
}

/** Runs `cloudsync task run ID` to the end. */
export async function runTask(home: string, taskId: number, timeoutMs = 180_000): Promise<{code: number; stdout: string; stderr: string}> {
	const run = startCli(home, ['task', 'run', String(taskId)]);
	const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
	try {
		return await run.done;
	} finally {
		clearTimeout(timer);
	}
}

/** The pid and run id of the task's current run, once its record names the process that does the work. */
export async function waitForRun(home: string, taskId: number, timeoutMs = 30_000): Promise<{pid: number; runId: string}> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const latest = listRuns(home, taskId)[0];
		if (latest && latest.state === 'RUNNING' && latest.pid !== undefined) return {pid: latest.pid, runId: latest.id};
		if (Date.now() > deadline) throw new Error(`task ${taskId} had no run in progress within ${timeoutMs} ms`);
		await sleep(20);
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/** Every log file of every run under the data directory, concatenated. */
export function allRunLogs(home: string): string {
	const runs = path.join(home, 'runs');
	if (!fs.existsSync(runs)) return '';
	let text = '';
	for (const owner of fs.readdirSync(runs)) {
		for (const file of fs.readdirSync(path.join(runs, owner))) if (file.endsWith('.log')) text += fs.readFileSync(path.join(runs, owner, file), 'utf8');
	}
	return text;
}
