/**
 * What db.json's text validated to, kept in `cache/db-validated.json` beside
 * it, so that the next process reading the same text skips zod: loading zod
 * and building the schemas is about 50 ms, a sixth of a no-op `task run`.
 * The copy names the text by its SHA-256 and the schema by a fingerprint;
 * any other text, schema or a copy that does not read is validated as before.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {DbData} from './schema.js';

/**
 * SHA-256 (first 16 hex digits) of the JSON Schema of dbSchema. A test
 * recomputes it: change it with the schema (or with a migration).
 */
export const dbSchemaFingerprint = '912c0695383f79c7';

type ValidatedCopy = {schema: string; sha256: string; data: DbData};

export function validatedCopyPath(dbFile: string): string {
	return path.join(path.dirname(dbFile), 'cache', 'db-validated.json');
}

function textHash(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The data `text` validated to before, or undefined. */
export function readValidatedCopy(dbFile: string, text: string): DbData | undefined {
	let copy: ValidatedCopy;
	try {
		copy = JSON.parse(fs.readFileSync(validatedCopyPath(dbFile), 'utf8')) as ValidatedCopy;
	} catch {
		return undefined;
	}
	if (copy?.schema !== dbSchemaFingerprint || copy.sha256 !== textHash(text) || typeof copy.data !== 'object' || copy.data === null) return undefined;
	return copy.data;
}

/** Keeps what `text` validated to; best effort (a read-only data directory only costs the next reader the validation). */
export function keepValidatedCopy(dbFile: string, text: string, data: DbData): void {
	const file = validatedCopyPath(dbFile);
	const temp = `${file}.${process.pid}.tmp`;
	try {
		fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
		fs.writeFileSync(temp, JSON.stringify({schema: dbSchemaFingerprint, sha256: textHash(text), data} satisfies ValidatedCopy), {mode: 0o600});
		fs.renameSync(temp, file);
	} catch {
		try {
			fs.rmSync(temp, {force: true});
		} catch {
			// nothing was written
		}
	}
}
