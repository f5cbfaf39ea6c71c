import {z} from 'zod';
import {credentialSchema, taskSchema} from '../core/model.js';

/** The shape of db.json. Secret values inside it are sealed strings ("enc:v1:..."). */
export const currentVersion = 1;

export const dbSchema = z.object({
	version: z.literal(currentVersion),
	nextTaskId: z.number().int().positive(),
	credentials: z.array(credentialSchema),
	tasks: z.array(taskSchema),
	settings: z
		.object({
			timeZone: z.string().optional(),
			runsKept: z.number().int().min(1).max(10_000).optional(),
		})
		.default({}),
});
export type DbData = z.infer<typeof dbSchema>;

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

/** "tasks[0].direction: Invalid option ..." for the first schema problem. */
export function describeSchemaError(error: z.ZodError): string {
	const issue = error.issues[0];
	if (!issue) return 'the data does not match the expected shape';
	const where = issue.path
		.map((p, index) => (typeof p === 'number' ? `[${p}]` : index === 0 ? String(p) : `.${String(p)}`))
		.join('');
	return `${where || 'the top level'}: ${issue.message}`;
}
