import fs from 'node:fs/promises';
import {z} from 'zod';
import {CloudSyncError} from '../core/errors.js';
import type {Credential, Task} from '../core/model.js';
import {credentialSchema, taskSchema} from '../core/schemas.js';
import {writeFileAtomic} from './atomic-file.js';
import {locateJsonError} from './json-errors.js';
import {describeSchemaError} from './schema.js';
import {openCredential, openTask, sealCredential, sealTask} from './secret-fields.js';
import type {Store} from './store.js';
import {parseSeed, Vault} from './vault.js';

const exportSchema = z.object({
	format: z.literal('cloudsync-config'),
	version: z.literal(1),
	exportedAt: z.string(),
	credentials: z.array(credentialSchema),
	tasks: z.array(taskSchema),
	/** Present only in exports made with --with-secret-seed. */
	secretSeed: z.string().optional(),
});
type ExportFile = z.infer<typeof exportSchema>;

/**
 * Writes the configuration with its secrets still sealed. Without the seed
 * they open only on a machine holding this machine's seed (this one).
 */
export async function exportConfig(store: Store, file: string, options: {withSecretSeed?: boolean} = {}): Promise<{credentials: number; tasks: number}> {
	const data = await store.read();
	const content: ExportFile = {
		format: 'cloudsync-config',
		version: 1,
		exportedAt: new Date().toISOString(),
		credentials: data.credentials,
		tasks: data.tasks,
		...(options.withSecretSeed ? {secretSeed: store.vault.seed.toString('base64')} : {}),
	};
	await writeFileAtomic(file, JSON.stringify(content, null, '\t') + '\n', 0o600);
	return {credentials: data.credentials.length, tasks: data.tasks.length};
}

export type ImportSummary = {
	credentials: number;
	tasks: number;
	/** Credentials and tasks whose own secrets could not be opened and must be entered again. */
	unusableCredentials: string[];
	unusableTasks: number[];
};

/**
 * Adds the exported credentials and tasks to the store (or replaces the whole
 * configuration with `replace`). Secrets are re-sealed under this machine's
 * seed; ones that cannot be opened are marked unusable.
 */
export async function importConfig(store: Store, file: string, options: {replace?: boolean} = {}): Promise<ImportSummary> {
	const content = await readExport(file);
	const sourceVault = content.secretSeed ? new Vault(parseSeed(content.secretSeed, file)) : store.vault;
	const credentials: Credential[] = content.credentials.map(c => openCredential(c, sourceVault));
	const tasks = content.tasks.map(t => openTask(t, sourceVault));
	const unusableCredentials = credentials.filter(c => c.secretsUnusable).map(c => c.name);

	return store.update(data => {
		if (options.replace) {
			data.credentials = [];
			data.tasks = [];
		}
		const clash = credentials.filter(c => data.credentials.some(existing => existing.name === c.name)).map(c => c.name);
		if (clash.length > 0) {
			throw new CloudSyncError('conflict', `credential ${clash.map(n => `"${n}"`).join(', ')} already exists here: rename or delete it first, or import with --replace to replace the whole configuration`);
		}
		for (const credential of credentials) data.credentials.push(sealCredential(credential, store.vault));
		const unusableTasks: number[] = [];
		for (const task of tasks) {
			const taken = data.tasks.some(t => t.id === task.id);
			const id = taken ? data.nextTaskId : task.id;
			const imported: Task = {...task, id};
			if (imported.secretsUnusable) unusableTasks.push(id);
			data.tasks.push(sealTask(imported, store.vault));
			data.nextTaskId = Math.max(data.nextTaskId, id + 1);
		}
		return {credentials: credentials.length, tasks: tasks.length, unusableCredentials, unusableTasks};
	});
}

async function readExport(file: string): Promise<ExportFile> {
	let text: string;
	try {
		text = await fs.readFile(file, 'utf8');
	} catch (error) {
		throw new CloudSyncError('not_found', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
	const where = locateJsonError(text);
	if (where) throw new CloudSyncError('corrupt', `${file} line ${where.line}, column ${where.column}: ${where.problem}; it is not a cloudsync export`);
	const parsed = exportSchema.safeParse(JSON.parse(text));
	if (!parsed.success) throw new CloudSyncError('corrupt', `${file} is not a cloudsync export (${describeSchemaError(parsed.error)})`);
	return parsed.data;
}
