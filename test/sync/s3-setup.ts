/** An s3rver behind a pass-through fault proxy (to count requests), and S3Remotes on it. */
import {S3Remote} from '../../source/providers/s3.js';
import {MemoryMtimeIndex, type MtimeIndex} from '../../source/providers/s3-mtime-index.js';
import {startFaultProxy, type FaultProxy, type FaultProxyOptions} from '../support/fault-proxy.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import type {RcloneS3} from './rclone-helper.js';

export type S3Lab = {s3: S3rverHandle; proxy: FaultProxy; rcloneS3: RcloneS3; stop(): Promise<void>};

export async function startS3Lab(bucket: string, proxyOptions: Omit<FaultProxyOptions, 'target'> = {}): Promise<S3Lab> {
	const s3 = await startS3rver();
	await s3.createBucket(bucket);
	const proxy = await startFaultProxy({target: s3.endpoint, ...proxyOptions});
	return {
		s3,
		proxy,
		rcloneS3: {endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey},
		async stop() {
			await proxy.stop();
			await s3.stop();
		},
	};
}

export function s3Remote(endpoint: string, bucket: string, folder: string, mtimeIndex: MtimeIndex = new MemoryMtimeIndex()): S3Remote {
	return new S3Remote(
		{
			preset: 'other',
			endpoint,
			region: 'us-east-1',
			force_path_style: true,
			access_key_id: 'S3RVER',
			secret_access_key: 'S3RVER',
		},
		{bucket, folder},
		{mtimeIndex},
	);
}
