import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh, empty data directory for one test; removed by the returned cleanup. */
export async function tempHome(prefix = 'cloudsync-home-'): Promise<{dir: string; cleanup: () => Promise<void>}> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
	return {dir, cleanup: () => fs.rm(dir, {recursive: true, force: true})};
}

export async function tempDir(prefix = 'cloudsync-'): Promise<string> {
	return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}
