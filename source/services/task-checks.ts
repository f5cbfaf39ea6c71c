import fs from 'node:fs/promises';
import {CloudSyncError} from '../core/errors.js';
import type {Task} from '../core/model.js';
import {scheduleProblem} from '../core/schedule.js';
import {taskProblems, type FieldProblem} from '../core/task-rules.js';
import {openBrowser} from '../providers/registry.js';
import type {Store} from '../store/store.js';

/** Every rule a task must pass before it is saved, with the checks that need I/O. */
export async function checkTask(store: Store, task: Task, options: {remote?: boolean} = {}): Promise<FieldProblem[]> {
	const problems = taskProblems(task, {scheduleProblem});
	const credential = await store.getCredential(task.credential);
	if (!credential) {
		problems.push({field: 'credential', message: `there is no credential named "${task.credential}": add it first with \`cloudsync credential add\``});
		return problems;
	}
	if (task.snapshot && problems.every(p => p.field !== 'snapshot')) {
		const {snapshotSupport} = await import('../jobs/snapshot.js');
		const support = await snapshotSupport(task.path);
		if (!support.ok) problems.push({field: 'snapshot', message: support.reason});
	}
	if (options.remote && task.direction === 'PULL' && problems.length === 0 && !credential.secretsUnusable) {
		const missing = await missingRemoteFolder(credential, task);
		if (missing) problems.push({field: 'folder', message: missing});
	}
	return problems;
}

/** Something worth saying that does not stop a save: in full (CLI), and short enough for one 80-column line (TUI). */
export type TaskWarning = {message: string; short: string};

/**
 * A PUSH from a local folder that does not exist (yet: a disk mounted later,
 * a folder a pre-script makes) fails every run until it does.
 */
export async function taskWarnings(task: Pick<Task, 'direction' | 'path'>): Promise<TaskWarning[]> {
	if (task.direction !== 'PUSH' || !task.path.startsWith('/')) return [];
	try {
		const stats = await fs.stat(task.path);
		if (stats.isDirectory()) return [];
		return [{message: `${task.path} is a file, not a folder: a PUSH run fails until it is a folder`, short: 'its local path is a file: PUSH runs fail until it is a folder'}];
	} catch {
		return [{message: `the folder ${task.path} does not exist yet: a PUSH run fails until it does`, short: 'its local folder does not exist yet: PUSH runs fail until it does'}];
	}
}

/** Throws the first problem as one clear sentence. */
export async function assertTaskValid(store: Store, task: Task, options: {remote?: boolean} = {}): Promise<void> {
	const [first] = await checkTask(store, task, options);
	if (first) throw new CloudSyncError('usage', first.message);
}

async function missingRemoteFolder(credential: Parameters<typeof openBrowser>[0], task: Task): Promise<string | undefined> {
	const browser = openBrowser(credential);
	const bucket = task.bucket || undefined;
	if (browser.listBuckets && bucket) {
		const buckets = await browser.listBuckets();
		if (!buckets.includes(bucket)) return `PULL needs a remote folder that exists: there is no bucket "${bucket}"`;
	}
	if (!task.folder) return undefined;
	const parts = task.folder.split('/');
	const name = parts.pop()!;
	const folders = await browser.listFolders(bucket, parts.join('/'));
	if (!folders.includes(name)) return `PULL needs a remote folder that exists: there is no folder "${task.folder}"${bucket ? ` in bucket "${bucket}"` : ''}`;
	return undefined;
}
