import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs/promises';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3';
import {freePort, waitForPort} from './ports.js';

const require = createRequire(import.meta.url);

export type S3rverHandle = {
	endpoint: string;
	port: number;
	accessKeyId: string;
	secretAccessKey: string;
	/** The directory s3rver keeps its buckets in. */
	directory: string;
	/** A raw SDK client for arranging and inspecting state behind the code under test. */
	client: S3Client;
	createBucket(name: string): Promise<void>;
	stop(): Promise<void>;
};

/**
 * Starts a real s3rver process on a free loopback port. It needs
 * `--openssl-legacy-provider`, or listings that are cut short fail with 500.
 */
export async function startS3rver(): Promise<S3rverHandle> {
	const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-s3rver-'));
	const port = await freePort();
	const bin = require.resolve('s3rver/bin/s3rver.js');
	const child: ChildProcess = spawn(
		process.execPath,
		['--openssl-legacy-provider', bin, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent', '--no-vhost-buckets'],
		{stdio: ['ignore', 'ignore', 'pipe']},
	);
	let stderr = '';
	child.stderr?.on('data', chunk => {
		stderr += String(chunk);
	});
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	try {
		await waitForPort(port);
	} catch (error) {
		child.kill('SIGKILL');
		throw new Error(`s3rver did not start: ${stderr || String(error)}`);
	}
	const endpoint = `http://127.0.0.1:${port}`;
	const client = new S3Client({
		endpoint,
		region: 'us-east-1',
		forcePathStyle: true,
		credentials: {accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER'},
		requestChecksumCalculation: 'WHEN_REQUIRED',
		responseChecksumValidation: 'WHEN_REQUIRED',
	});
	return {
		endpoint,
		port,
		accessKeyId: 'S3RVER',
		secretAccessKey: 'S3RVER',
		directory,
		client,
		async createBucket(name: string) {
			await client.send(new CreateBucketCommand({Bucket: name}));
		},
		async stop() {
			client.destroy();
			child.kill('SIGTERM');
			await Promise.race([exited, new Promise(r => setTimeout(r, 3000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
			await fs.rm(directory, {recursive: true, force: true});
		},
	};
}
