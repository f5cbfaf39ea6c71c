import {CloudSyncError} from '../core/errors.js';
import {lineOfJsonPath, locateJsonError} from './json-errors.js';
import {migrate} from './db-version.js';
import {dbSchema, describeSchemaError, type DbData} from './schema.js';

/** db.json's text as data: parsed, migrated and validated, or a CloudSyncError saying where it is wrong. */
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
