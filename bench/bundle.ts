/**
 * Bundles bench/sync-once.ts with the engine into ESM files, so a timed run
 * pays Node's start-up only (no TypeScript loader), like a built CLI would.
 * Code splitting keeps sync-once's dynamic import() of the S3 side a separate
 * chunk: a local run does not load the AWS SDK, as the CLI's lazy provider
 * registry does not (one file would hoist the SDK's imports to the top).
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function bundleSyncOnce(): Promise<string> {
	const outdir = path.join(root, 'node_modules', '.cache', 'cloudsync-bench');
	await build({
		entryPoints: [path.join(root, 'bench', 'sync-once.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outdir,
		splitting: true,
		outExtension: {'.js': '.mjs'},
		chunkNames: 'chunks/[name]-[hash]',
		packages: 'external',
		logLevel: 'error',
	});
	return path.join(outdir, 'sync-once.mjs');
}
