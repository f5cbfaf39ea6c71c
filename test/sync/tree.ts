/** Building and snapshotting local trees for sync tests. */
import {createHash} from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(prefix = 'cloudsync-sync-'): Promise<string> {
	return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes files (path -> content) under root, each with an mtime a fixed time ago. */
export async function writeTree(root: string, files: Record<string, string | Buffer>, mtimeSeconds = 1_700_000_000): Promise<void> {
	for (const [name, content] of Object.entries(files)) {
		const full = path.join(root, ...name.split('/'));
		if (name.endsWith('/')) {
			await fs.mkdir(full, {recursive: true});
			continue;
		}
		await fs.mkdir(path.dirname(full), {recursive: true});
		await fs.writeFile(full, content);
		await fs.utimes(full, mtimeSeconds, mtimeSeconds);
	}
}

export type Snapshot = Record<string, string>;

/** Every file and folder under root with size, mtime (ns) and MD5; folders end with '/'. */
export async function snapshot(root: string): Promise<Snapshot> {
	const out: Snapshot = {};
	const walk = async (dir: string, prefix: string) => {
		const entries = await fs.readdir(dir, {withFileTypes: true});
		for (const entry of entries) {
			const full = path.join(dir, entry.name);
			const name = prefix + entry.name;
			const stats = await fs.lstat(full, {bigint: true});
			if (entry.isDirectory()) {
				out[`${name}/`] = `dir mode=${(Number(stats.mode) & 0o7777).toString(8)}`;
				await walk(full, `${name}/`);
			} else if (entry.isFile()) {
				const md5 = createHash('md5').update(await fs.readFile(full)).digest('hex');
				out[name] = `size=${stats.size} mtime=${stats.mtimeNs} md5=${md5}`;
			} else {
				out[name] = 'other';
			}
		}
	};
	await walk(root, '');
	return out;
}

export async function fileNames(root: string): Promise<string[]> {
	return Object.keys(await snapshot(root)).filter(n => !n.endsWith('/')).sort();
}

/** Folders made by `folder()` (written with `files`), all removed by `cleanup()` (for afterAll). */
export function tempFolders(): {folder(files?: Record<string, string | Buffer>): Promise<string>; cleanup(): Promise<void>} {
	const roots: string[] = [];
	return {
		async folder(files = {}) {
			const root = await tempDir();
			roots.push(root);
			await writeTree(root, files);
			return root;
		},
		async cleanup() {
			for (const root of roots.splice(0)) await fs.rm(root, {recursive: true, force: true});
		},
	};
}
