/**
 * W1: push 2,000 files of 4 KiB to S3.  W2: push one 200 MiB file to S3.
 * W3: no-op SYNC of 20,000 files local -> S3 (rclone with its defaults, which
 * HEADs every object; cloudsync with its per-task mtime index).
 * One s3rver for both tools, fresh folders per run, same source trees.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {startS3rver} from '../test/support/s3rver.js';
import {compare, timeRow, type SideRunner} from './local.js';
import {cacheDir} from './measure.js';
import {onefile, sourceTree} from './trees.js';
import type {BenchRow} from './types.js';

const bucket = 'bench';

export async function benchS3(
	runner: SideRunner,
	runs: number,
	log: (s: string) => void,
	which: {w1: boolean; w2: boolean; w3: boolean},
): Promise<BenchRow[]> {
	const cache = cacheDir();
	const s3 = await startS3rver();
	const rows: BenchRow[] = [];
	const keys = {endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey};
	const side = (folder: string, mtimeIndexFile?: string) => ({type: 's3', bucket, folder, ...keys, ...(mtimeIndexFile ? {mtimeIndexFile} : {})});
	try {
		await s3.createBucket(bucket);
		let serial = 0;
		const push = async (name: string, src: string) => {
			const {ours, theirs} = await compare(
				runs,
				() => runner.cloudsync({mode: 'SYNC', source: {type: 'local', root: src}, destination: side(`${name}-cs-${++serial}`)}),
				() => runner.rclone(['sync', src, `BENCHS3:${bucket}/${name}-rc-${++serial}`], keys),
				undefined,
				1, // s3rver is a Node process too: its first requests run cold
			);
			return {ours, theirs};
		};
		if (which.w1) {
			const src = await sourceTree(cache, 'push-2k', 2_000, 4096, log);
			log('W1: push 2,000 files of 4 KiB ...');
			const {ours, theirs} = await push('w1', src);
			rows.push(timeRow('W1 push 2,000 x 4 KiB files to S3', ours, theirs));
		}
		if (which.w2) {
			const src = await onefile(cache, 200, log);
			log('W2: push one 200 MiB file ...');
			const {ours, theirs} = await push('w2', src);
			rows.push(timeRow('W2 push one 200 MiB file to S3', ours, theirs));
		}
		if (which.w3) {
			const src = await sourceTree(cache, 'local-20k', 20_000, 1024, log);
			const indexDir = await fs.mkdtemp(path.join(cache, 'w3-index-'));
			const indexFile = path.join(indexDir, 'mtimes.json');
			log('W3: first upload of 20,000 files (not timed) ...');
			await runner.cloudsync({mode: 'SYNC', transfers: 8, source: {type: 'local', root: src}, destination: side('w3', indexFile)});
			log('W3: no-op SYNC of 20,000 files ...');
			const {ours, theirs} = await compare(
				runs,
				() => runner.cloudsync({mode: 'SYNC', source: {type: 'local', root: src}, destination: side('w3', indexFile)}),
				() => runner.rclone(['sync', src, `BENCHS3:${bucket}/w3`], keys),
			);
			rows.push(timeRow('W3 no-op SYNC 20,000 files local->S3', ours, theirs));
			await fs.rm(indexDir, {recursive: true, force: true});
		}
	} finally {
		await s3.stop();
	}
	return rows;
}
