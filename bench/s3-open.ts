/** Opens the S3 side of a benchmark, with a per-task mtime index file when given. */
import type {Remote} from '../source/providers/remote.js';
import {S3Remote} from '../source/providers/s3.js';
import {FileMtimeIndex, MemoryMtimeIndex} from '../source/providers/s3-mtime-index.js';

export type S3Side = {endpoint: string; bucket: string; folder: string; accessKeyId: string; secretAccessKey: string; mtimeIndexFile?: string};

export async function openS3ForBench(side: S3Side): Promise<Remote> {
	const mtimeIndex = side.mtimeIndexFile ? await FileMtimeIndex.open(side.mtimeIndexFile) : new MemoryMtimeIndex();
	return new S3Remote(
		{
			preset: 'other',
			endpoint: side.endpoint,
			region: 'us-east-1',
			force_path_style: true,
			access_key_id: side.accessKeyId,
			secret_access_key: side.secretAccessKey,
		},
		{bucket: side.bucket, folder: side.folder},
		{mtimeIndex},
	);
}
