/**
 * Temp files a killed PULL left in the task's folder. Writes go to
 * `.cloudsync-tmp-*` beside the target and are renamed into place; a run
 * killed with SIGKILL leaves them, and listings hide them, so no later run
 * would ever remove them. Only files last changed before the current run
 * began are removed (a temp of this run is being written, so its ctime is new).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {localTempPrefix} from '../providers/local.js';

export async function removeOrphanTemps(root: string, before: Date, signal?: AbortSignal): Promise<string[]> {
	const removed: string[] = [];
	const walk = async (dir: string, prefix: string): Promise<void> => {
		if (signal?.aborted) return;
		let entries;
		try {
			entries = await fs.readdir(dir, {withFileTypes: true});
		} catch {
			return; // unreadable folders are reported by the sync itself
		}
		for (const entry of entries) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) await walk(full, `${prefix}${entry.name}/`);
			else if (entry.isFile() && entry.name.startsWith(localTempPrefix)) {
				const stats = await fs.lstat(full).catch(() => undefined);
				if (!stats || stats.ctimeMs >= before.getTime()) continue;
				await fs.rm(full, {force: true});
				removed.push(prefix + entry.name);
			}
		}
	};
	await walk(root, '');
	return removed;
}
