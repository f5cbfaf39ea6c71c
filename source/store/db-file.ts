import fs from 'node:fs/promises';
import type {Adapter} from 'lowdb';
import {CloudSyncError} from '../core/errors.js';
import {writeFileAtomic} from './atomic-file.js';
import type {DbData} from './schema.js';
import {keepValidatedCopy, readValidatedCopy} from './validated-db.js';

/**
 * lowdb adapter for db.json: validates on read (with the file, line and
 * problem in one sentence), migrates old versions, writes atomically.
 * A file that fails to read is never written over: every write in Store
 * follows a successful read of the same file under the lock.
 */
export class DbFile implements Adapter<DbData> {
	/**
	 * The last text that validated, and what it validated to. Validating 1,000
	 * tasks takes 50-90 ms and a screen reads the file several times in a row
	 * (tasks, last runs, the scheduler): text that is byte for byte the same is
	 * not validated again. Every read of that text gets the same data, frozen so
	 * that no reader can change what the next one sees (Store.update changes a copy).
	 */
	#validated: {text: string; data: DbData} | undefined;

	constructor(readonly file: string) {}

	async read(): Promise<DbData | null> {
		let text: string;
		try {
			text = await fs.readFile(this.file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw new CloudSyncError('corrupt', `cannot read ${this.file}: ${(error as Error).message}`);
		}
		if (this.#validated?.text === text) return this.#validated.data;
		const data = deepFreeze(readValidatedCopy(this.file, text) ?? (await this.#validate(text)));
		this.#validated = {text, data};
		return data;
	}

	async #validate(text: string): Promise<DbData> {
		const {parseDb} = await import('./db-parse.js');
		const data = parseDb(text, this.file);
		keepValidatedCopy(this.file, text, data);
		return data;
	}

	async write(data: DbData): Promise<void> {
		await writeFileAtomic(this.file, JSON.stringify(data, null, '\t') + '\n');
	}
}

/** Freezes `value` and everything in it (plain data: objects and arrays). */
function deepFreeze<T>(value: T): T {
	if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
	Object.freeze(value);
	// Indexes and for-in rather than Object.values: no array made per object (1,000 tasks at every start).
	if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
	else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
	return value;
}

