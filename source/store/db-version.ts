import type {DbData} from './schema.js';

/** The data version db.json is written in; older ones are migrated on read. */
export const currentVersion = 1;

export function emptyDb(): DbData {
	return {version: currentVersion, nextTaskId: 1, credentials: [], tasks: [], settings: {}};
}

type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/** migrations[n] turns version n into version n + 1. */
const migrations: Record<number, Migration> = {
	// Version 0 had no version field; it is the same shape otherwise.
	0: data => ({...data, version: 1}),
};

/** Brings raw data to the current version; throws a plain message for the caller to place. */
export function migrate(raw: unknown): unknown {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
	let data = raw as Record<string, unknown>;
	let version = typeof data.version === 'number' ? data.version : 0;
	if (version > currentVersion) {
		throw new Error(`it was written by a newer cloudsync (data version ${version}, this one reads up to ${currentVersion}): upgrade cloudsync`);
	}
	while (version < currentVersion) {
		const step = migrations[version];
		if (!step) throw new Error(`there is no migration from data version ${version}`);
		data = step(data);
		version++;
	}
	return data;
}
