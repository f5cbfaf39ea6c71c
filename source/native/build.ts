/**
 * `npm run build` step: compiles cloudsync-fs.c into dist/native/ with the C
 * compiler and Node's headers. A machine without them still gets a working
 * cloudsync (the local provider falls back to Node's fs), so failure is a
 * warning, never a failed install.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {nativeFileName} from './load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sourceFile = path.join(root, 'source', 'native', 'cloudsync-fs.c');
const outDir = path.join(root, 'dist', 'native');
const target = path.join(outDir, nativeFileName);

function headers(): string | undefined {
	const candidates = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
	return candidates.find(dir => fs.existsSync(path.join(dir, 'node_api.h')));
}

function warn(reason: string): void {
	process.stderr.write(
		`cloudsync: the native file helper was not built (${reason}); local folders will use Node's fs, ` +
			'which lists more slowly and keeps modification times only to the microsecond.\n',
	);
}

function build(): void {
	fs.rmSync(target, {force: true});
	const include = headers();
	if (!include) return warn("Node's C headers (node_api.h) were not found; install the nodejs-dev package or Node from nodejs.org");
	fs.mkdirSync(outDir, {recursive: true});
	const temp = path.join(outDir, `build-${process.pid}-${nativeFileName}`);
	const compiler = process.env.CC || 'cc';
	const result = spawnSync(compiler, ['-O2', '-Wall', '-shared', '-fPIC', `-I${include}`, '-o', temp, sourceFile], {encoding: 'utf8'});
	if (result.error || result.status !== 0) {
		fs.rmSync(temp, {force: true});
		const detail = result.error ? `${compiler} could not run: ${result.error.message}` : `${compiler} failed: ${result.stderr.trim().split('\n')[0]}`;
		return warn(detail);
	}
	try {
		createRequire(import.meta.url)(temp);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		return warn(`the compiled helper does not load: ${error instanceof Error ? error.message : String(error)}`);
	}
	fs.renameSync(temp, target);
}

build();
