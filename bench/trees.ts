/**
 * Generated workloads, made once and kept in the bench cache (outside the
 * repository): many small files in folders of 1,000, fixed mtimes, and a copy
 * of each tree (made with `cp -a`, mtimes kept) as the no-op destination.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);
const PER_DIR = 1_000;
const MTIME = 1_700_000_000;

async function writeFiles(root: string, count: number, size: number): Promise<void> {
	const content = Buffer.alloc(size, 0x61);
	const dirs = Math.ceil(count / PER_DIR);
	for (let d = 0; d < dirs; d++) {
		const dir = path.join(root, `d${String(d).padStart(4, '0')}`);
		await fs.mkdir(dir, {recursive: true});
		const n = Math.min(PER_DIR, count - d * PER_DIR);
		const jobs: Promise<void>[] = [];
		for (let f = 0; f < n; f++) {
			const file = path.join(dir, `f${String(f).padStart(4, '0')}.dat`);
			jobs.push(fs.writeFile(file, content).then(() => fs.utimes(file, MTIME, MTIME)));
			if (jobs.length >= 64) await Promise.all(jobs.splice(0));
		}
		await Promise.all(jobs);
	}
}

/** A source tree of `count` files of `size` bytes; returns its path. */
export async function sourceTree(cache: string, name: string, count: number, size: number, log: (s: string) => void): Promise<string> {
	const root = path.join(cache, name, 'src');
	const marker = path.join(cache, name, 'src.complete');
	if (await fs.stat(marker).catch(() => undefined)) return root;
	log(`generating ${count} files of ${size} bytes in ${root} (once) ...`);
	await fs.rm(path.join(cache, name), {recursive: true, force: true});
	await writeFiles(root, count, size);
	await fs.writeFile(marker, '');
	return root;
}

/** An identical copy of the source tree (for no-op syncs); returns its path. */
export async function mirrorTree(cache: string, name: string, log: (s: string) => void): Promise<string> {
	const src = path.join(cache, name, 'src');
	const dst = path.join(cache, name, 'dst');
	const marker = path.join(cache, name, 'dst.complete');
	if (await fs.stat(marker).catch(() => undefined)) return dst;
	log(`copying ${src} to ${dst} (once) ...`);
	await fs.rm(dst, {recursive: true, force: true});
	await run('cp', ['-a', src, dst], {maxBuffer: 1 << 20});
	await fs.writeFile(marker, '');
	return dst;
}

export async function onefile(cache: string, sizeMiB: number, log: (s: string) => void): Promise<string> {
	const dir = path.join(cache, `one-${sizeMiB}m`);
	const file = path.join(dir, 'big.bin');
	if ((await fs.stat(file).catch(() => undefined))?.size === sizeMiB * 1024 * 1024) return dir;
	log(`generating a ${sizeMiB} MiB file (once) ...`);
	await fs.mkdir(dir, {recursive: true});
	const handle = await fs.open(`${file}.partial`, 'w');
	const block = Buffer.alloc(1024 * 1024);
	for (let i = 0; i < sizeMiB; i++) {
		for (let j = 0; j < block.length; j += 4) block.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
		await handle.write(block);
	}
	await handle.close();
	await fs.utimes(`${file}.partial`, MTIME, MTIME);
	await fs.rename(`${file}.partial`, file);
	return dir;
}
