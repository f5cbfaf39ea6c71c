/** Opens the S3 side of a benchmark (filled in once source/providers/s3.ts lands). */
import type {Remote} from '../source/providers/remote.js';

export type S3Side = {endpoint: string; bucket: string; folder: string; accessKeyId: string; secretAccessKey: string; mtimeIndexFile?: string};

export async function openS3ForBench(_side: S3Side): Promise<Remote> {
	throw new Error('the S3 provider is not available yet');
}
