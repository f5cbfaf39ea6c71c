import fs from 'node:fs/promises';
import type {Adapter} from 'lowdb';
import {CloudSyncError} from '../core/errors.js';
import {writeFileAtomic} from './atomic-file.js';
import {lineOfJsonPath, locateJsonError} from './json-errors.js';
import {dbSchema, describeSchemaError, emptyDb, migrate, type DbData} from './schema.js';

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
		const data = deepFreeze(parseDb(text, this.file));
		this.#validated = {text, data};
		return data;
	}

	async write(data: DbData): Promise<void> {
		await writeFileAtomic(this.file, JSON.stringify(data, null, '\t') + '\n');
	}
}

export function parseDb(text: string, file: string): DbData {
	const advice = 'fix it by hand or restore it from a backup; cloudsync will not overwrite it';
	if (text.trim() === '') throw new CloudSyncError('corrupt', `${file} is empty: ${advice}`);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		// Only a broken file pays for our own scan, which says where it broke (V8 often does not).
		const where = locateJsonError(text);
		if (where) throw new CloudSyncError('corrupt', `${file} line ${where.line}, column ${where.column}: ${where.problem}; ${advice}`);
		throw new CloudSyncError('corrupt', `${file}: ${(error as Error).message}; ${advice}`);
	}
	let migrated: unknown;
	try {
		migrated = migrate(json);
	} catch (error) {
		throw new CloudSyncError('corrupt', `${file}: ${(error as Error).message}`);
	}
	const parsed = dbSchema.safeParse(migrated);
	if (!parsed.success) {
		const line = lineOfJsonPath(text, parsed.error.issues[0]?.path ?? []);
		const at = line ? ` line ${line}` : '';
		throw new CloudSyncError('corrupt', `${file}${at}: ${describeSchemaError(parsed.error)}; ${advice}`);
	}
	return parsed.data;
}

/** Freezes `value` and everything in it (plain data: objects and arrays). */
function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const item of Object.values(value)) deepFreeze(item);
	}
	return value;
}

export {emptyDb};

