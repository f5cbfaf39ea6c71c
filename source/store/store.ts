import path from 'node:path';
import {Low} from 'lowdb';
import lockfile from 'proper-lockfile';
import {CloudSyncError} from '../core/errors.js';
import type {Credential, Task, TaskInput} from '../core/model.js';
import {DbFile} from './db-file.js';
import {emptyDb} from './db-version.js';
import {dbFileName, dataDir, ensureDataDir} from './home.js';
import type {DbData} from './schema.js';
import {openCredential, openTask, sealCredential, sealTask} from './secret-fields.js';
import {loadOrCreateSeed, Vault} from './vault.js';

export type NewTask = Omit<TaskInput, 'id'>;

/**
 * Credentials and tasks in db.json under the data directory. Reads see the
 * file as it is now; every change holds an inter-process lock, re-reads, and
 * writes atomically, so the TUI and the daemon never lose each other's edits.
 * Secrets are sealed by the vault before they reach the file.
 */
export class Store {
	readonly file: string;
	readonly vault: Vault;
	readonly #db: Low<DbData>;

	private constructor(readonly dir: string) {
		this.file = path.join(dir, dbFileName);
		this.vault = new Vault(loadOrCreateSeed(dir));
		this.#db = new Low(new DbFile(this.file), emptyDb());
	}

	/** Opens (and validates) the store; throws a CloudSyncError naming the problem if db.json is broken. */
	static async open(dir: string = dataDir()): Promise<Store> {
		const store = new Store(ensureDataDir(dir));
		await store.read();
		return store;
	}

	/** The stored data (secrets sealed) as it is on disk now. */
	async read(): Promise<DbData> {
		await this.#db.read();
		return this.#db.data;
	}

	/** Runs `change` on freshly read data under the lock and writes the result. */
	async update<T>(change: (data: DbData) => T | Promise<T>): Promise<T> {
		const release = await this.#lock();
		try {
			await this.#db.read();
			const data = structuredClone(this.#db.data);
			const result = await change(data);
			this.#db.data = data;
			await this.#db.write();
			return result;
		} finally {
			await release();
		}
	}

	async #lock(): Promise<() => Promise<void>> {
		try {
			return await lockfile.lock(this.file, {
				realpath: false,
				stale: 10_000,
				retries: {retries: 400, factor: 1.3, minTimeout: 2, maxTimeout: 100, randomize: true},
			});
		} catch (error) {
			throw new CloudSyncError('conflict', `${this.file} is locked by another cloudsync process that does not let go; if none is running, remove ${this.file}.lock`, {cause: error});
		}
	}

	// Credentials

	async listCredentials(): Promise<Credential[]> {
		const data = await this.read();
		return data.credentials.map(c => openCredential(c, this.vault));
	}

	async getCredential(name: string): Promise<Credential | undefined> {
		return (await this.listCredentials()).find(c => c.name === name);
	}

	async requireCredential(name: string): Promise<Credential> {
		const credential = await this.getCredential(name);
		if (!credential) throw new CloudSyncError('not_found', `there is no credential named "${name}": see \`cloudsync credential list\``);
		return credential;
	}

	/** Adds a credential, or replaces the one with the same name when `replace` is set. */
	async saveCredential(credential: Credential, options: {replace?: boolean} = {}): Promise<Credential> {
		const {credentialSchema} = await modelSchemas();
		const parsed = parseOrExplain(credentialSchema, credential, 'credential');
		const {secretsUnusable: _dropped, ...usable} = parsed;
		const sealed = sealCredential(usable, this.vault);
		await this.update(data => {
			const index = data.credentials.findIndex(c => c.name === parsed.name);
			if (index >= 0 && !options.replace) {
				throw new CloudSyncError('conflict', `a credential named "${parsed.name}" already exists: choose another name or edit it`);
			}
			if (index >= 0) data.credentials[index] = sealed;
			else data.credentials.push(sealed);
		});
		return usable;
	}

	async deleteCredential(name: string): Promise<void> {
		await this.update(data => {
			const index = data.credentials.findIndex(c => c.name === name);
			if (index < 0) throw new CloudSyncError('not_found', `there is no credential named "${name}": see \`cloudsync credential list\``);
			const users = data.tasks.filter(t => t.credential === name);
			if (users.length === 1) {
				throw new CloudSyncError('conflict', `credential "${name}" is used by task ${users[0]!.id} "${users[0]!.description}": change or delete that task first`);
			}
			if (users.length > 1) {
				// What to do comes before the list, which a one-line message may cut.
				const shown = users.slice(0, 5).map(t => `${t.id} "${t.description}"`);
				const more = users.length > 5 ? ` and ${users.length - 5} more` : '';
				throw new CloudSyncError('conflict', `credential "${name}" is used by ${users.length} tasks: change or delete them first (${shown.join(', ')}${more})`);
			}
			data.credentials.splice(index, 1);
		});
	}

	// Tasks

	async listTasks(): Promise<Task[]> {
		const data = await this.read();
		return data.tasks.map(t => openTask(t, this.vault));
	}

	async getTask(id: number): Promise<Task | undefined> {
		return (await this.listTasks()).find(t => t.id === id);
	}

	async requireTask(id: number): Promise<Task> {
		const task = await this.getTask(id);
		if (!task) throw new CloudSyncError('not_found', `there is no task ${id}: see \`cloudsync task list\``);
		return task;
	}

	async addTask(input: NewTask): Promise<Task> {
		const {taskSchema} = await modelSchemas();
		return this.update(data => {
			if (!data.credentials.some(c => c.name === input.credential)) {
				throw new CloudSyncError('not_found', `there is no credential named "${input.credential}": add it first with \`cloudsync credential add\``);
			}
			const task = parseOrExplain(taskSchema, {...input, id: data.nextTaskId, createdAt: input.createdAt ?? new Date().toISOString()}, 'task');
			delete task.secretsUnusable;
			data.tasks.push(sealTask(task, this.vault));
			data.nextTaskId++;
			return task;
		});
	}

	/** Applies `patch` to task `id` (re-validated as a whole). */
	async updateTask(id: number, patch: Partial<NewTask>): Promise<Task> {
		const {taskSchema} = await modelSchemas();
		return this.update(data => {
			const index = data.tasks.findIndex(t => t.id === id);
			if (index < 0) throw new CloudSyncError('not_found', `there is no task ${id}: see \`cloudsync task list\``);
			if (patch.credential !== undefined && !data.credentials.some(c => c.name === patch.credential)) {
				throw new CloudSyncError('not_found', `there is no credential named "${patch.credential}": add it first with \`cloudsync credential add\``);
			}
			const current = openTask(data.tasks[index]!, this.vault);
			const task = parseOrExplain(taskSchema, {...current, ...patch, id}, 'task');
			// Secrets given again make the task usable; otherwise its state stays as it was.
			if (patch.encryptionPassword !== undefined || !current.encryption) delete task.secretsUnusable;
			data.tasks[index] = sealTask(task, this.vault);
			return task;
		});
	}

	async deleteTask(id: number): Promise<Task> {
		return this.update(data => {
			const index = data.tasks.findIndex(t => t.id === id);
			if (index < 0) throw new CloudSyncError('not_found', `there is no task ${id}: see \`cloudsync task list\``);
			const [removed] = data.tasks.splice(index, 1);
			return openTask(removed!, this.vault);
		});
	}
}

/** The schemas load with the first change: reading the store (a run) does not need zod. */
function modelSchemas(): Promise<typeof import('../core/schemas.js')> {
	return import('../core/schemas.js');
}

function parseOrExplain<T>(schema: {safeParse(value: unknown): {success: true; data: T} | {success: false; error: {issues: {path: PropertyKey[]; message: string}[]}}}, value: unknown, what: string): T {
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0]!;
	const field = issue.path.map(String).join('.');
	throw new CloudSyncError('usage', `invalid ${what}${field ? ` field ${field}` : ''}: ${issue.message}`);
}
