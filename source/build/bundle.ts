/**
 * `npm run build` step: bundles the compiled app (dist/) into dist/app/:
 * CommonJS files loaded through a V8 code cache (see bundleApp below), with
 * library code patched for the full-screen app (library-patches.ts) and
 * esbuild's interop helpers made cheaper (interop.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build, transform} from 'esbuild';
import {cheaperInterop} from './interop.js';
import {libraryPatches} from './library-patches.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'app');

/** Each bundle file that reads `import.meta.url` gets it from its own path. */
const metaUrl = {define: {'import.meta.url': '__cloudsyncMetaUrl'}, line: 'var __cloudsyncMetaUrl = require("node:url").pathToFileURL(__filename).href;'};

/**
 * Builds dist/app in three steps:
 * 1. esbuild bundles the program and its run worker into ES module files
 *    (entries `main.js` and `worker-main.js`, plus chunks that each load
 *    only when used), in a staging directory;
 * 2. each file becomes CommonJS (same code; imports become requires, dynamic
 *    imports lazy requires), so that launch/code-cache.ts can compile it
 *    with a V8 code cache, which Node 20 offers only for scripts;
 * 3. the entry files `cli.js` and `run-worker.js` (launch/bin.ts) load them
 *    through that cache. They carry a hash of every file, which names the
 *    cache.
 */
export async function bundleApp(): Promise<void> {
	const staging = path.join(dist, 'app-staging');
	for (const dir of [outdir, staging]) fs.rmSync(dir, {recursive: true, force: true});
	await build({
		entryPoints: {main: path.join(dist, 'cli.js'), 'worker-main': path.join(dist, 'jobs', 'run-worker.js')},
		bundle: true,
		splitting: true,
		format: 'esm',
		platform: 'node',
		target: 'node20',
		outdir: staging,
		entryNames: '[name]',
		chunkNames: '[name]-[hash]',
		external: ['sodium-native', 'react-devtools-core'],
		define: {'process.env.NODE_ENV': '"production"'},
		plugins: libraryPatches,
		logLevel: 'warning',
	});
	fs.mkdirSync(outdir, {recursive: true});
	// The files are CommonJS although the package is an ES module package.
	fs.writeFileSync(path.join(outdir, 'package.json'), '{"type": "commonjs"}\n');
	const hash = crypto.createHash('sha256');
	for (const name of fs.readdirSync(staging).sort()) {
		// The entry's "#!" line stays with the entry file (cli.js); this one is wrapped in a function.
		const text = fs.readFileSync(path.join(staging, name), 'utf8').replace(/^#!.*\n/, '');
		const {code} = await transform(text, {
			format: 'cjs',
			platform: 'node',
			target: 'node20',
			supported: {'dynamic-import': false},
			define: metaUrl.define,
			banner: `"use strict";${text.includes('import.meta') ? `\n${metaUrl.line}` : ''}`,
			// Warnings were shown (or, for libraries, left out) when the code was bundled.
			logLevel: 'error',
		});
		const cheaper = cheaperInterop(code, name);
		fs.writeFileSync(path.join(outdir, name), cheaper);
		hash.update(`${name}\0${cheaper}\0`);
	}
	fs.rmSync(staging, {recursive: true, force: true});
	const buildId = hash.digest('hex');
	for (const [file, entry, worker] of [['cli.js', 'main.js', false], ['run-worker.js', 'worker-main.js', true]] as const) {
		await build({
			entryPoints: [path.join(dist, 'launch', 'bin.js')],
			bundle: true,
			format: 'cjs',
			platform: 'node',
			target: 'node20',
			outfile: path.join(outdir, file),
			define: {...metaUrl.define, CLOUDSYNC_ENTRY: JSON.stringify(entry), CLOUDSYNC_WORKER: String(worker), CLOUDSYNC_BUILD_ID: JSON.stringify(buildId)},
			banner: {js: `#!/usr/bin/env node\n"use strict";\n${metaUrl.line}`},
			logLevel: 'warning',
		});
	}
	fs.chmodSync(path.join(outdir, 'cli.js'), 0o755);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleApp();
