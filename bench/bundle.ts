/**
 * Bundles bench/sync-once.ts with the engine into one ESM file, so a timed run
 * pays Node's start-up only (no TypeScript loader), like a built CLI would.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function bundleSyncOnce(): Promise<string> {
	const outfile = path.join(root, 'node_modules', '.cache', 'cloudsync-bench', 'sync-once.mjs');
	await build({
		entryPoints: [path.join(root, 'bench', 'sync-once.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile,
		packages: 'external',
		logLevel: 'error',
	});
	return outfile;
}
