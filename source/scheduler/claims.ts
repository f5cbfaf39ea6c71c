/**
 * "This run time of this task has been started": one empty file per
 * occurrence under `<dataDir>/scheduler/claims/`, created exclusively, so two
 * schedulers that both believe they are active (a holder that hung and woke
 * after a takeover) still start each occurrence once. Claims older than a
 * week are removed as new ones are made.
 */
import fs from 'node:fs';
import path from 'node:path';

const keepMs = 7 * 24 * 3600_000;
const claimPattern = /^task-(\d+)-(\d+)$/;

export function claimsDir(dataDir: string): string {
	return path.join(dataDir, 'scheduler', 'claims');
}

/** True when this call is the first to claim the occurrence; false when some process claimed it before. */
export function claimOccurrence(dataDir: string, taskId: number, scheduledFor: string, now = Date.now()): boolean {
	const at = new Date(scheduledFor).getTime();
	if (!Number.isInteger(taskId) || !Number.isFinite(at)) throw new Error(`cannot claim task ${taskId} at "${scheduledFor}"`);
	const dir = claimsDir(dataDir);
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	const name = `task-${taskId}-${at}`;
	try {
		fs.closeSync(fs.openSync(path.join(dir, name), 'wx', 0o600));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	pruneClaims(dir, now, name);
	return true;
}

function pruneClaims(dir: string, now: number, keep: string): void {
	for (const name of fs.readdirSync(dir)) {
		const match = claimPattern.exec(name);
		if (match && name !== keep && Number(match[2]) < now - keepMs) fs.rmSync(path.join(dir, name), {force: true});
	}
}
