/**
 * The environment a task's pre- and post-script see: the variables a NAS's
 * Cloud Sync Tasks give their scripts, with the provider's fields added as
 * CLOUD_SYNC_<FIELD>. Pure: no I/O.
 */
import type {Credential, Task} from './model.js';

type Value = string | number | boolean;

/** The task's own variables; a provider field can never take one of these names. */
export const taskVariableNames = [
	'CLOUD_SYNC_ID',
	'CLOUD_SYNC_DESCRIPTION',
	'CLOUD_SYNC_DIRECTION',
	'CLOUD_SYNC_TRANSFER_MODE',
	'CLOUD_SYNC_ENCRYPTION',
	'CLOUD_SYNC_FILENAME_ENCRYPTION',
	'CLOUD_SYNC_ENCRYPTION_PASSWORD',
	'CLOUD_SYNC_ENCRYPTION_SALT',
	'CLOUD_SYNC_SNAPSHOT',
	'CLOUD_SYNC_BUCKET',
	'CLOUD_SYNC_FOLDER',
	'CLOUD_SYNC_PATH',
] as const;

export const scriptVariablePrefix = 'CLOUD_SYNC_';

function text(value: Value): string {
	if (typeof value === 'boolean') return value ? '1' : '0';
	return String(value);
}

/** `server_side_encryption` -> `SERVER_SIDE_ENCRYPTION`; anything but letters and digits becomes `_`. */
export function variableSuffix(fieldName: string): string {
	return fieldName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * Every CLOUD_SYNC_* variable for `task` using `credential`. Provider fields
 * come from the credential's attributes, overridden by the task's own
 * attributes (chunk size, storage class, ...). A field whose name would
 * collide with a task variable (a provider attribute called `encryption`
 * would otherwise overwrite CLOUD_SYNC_ENCRYPTION, the NAS bug) is given as
 * CLOUD_SYNC_<PROVIDER>_<FIELD> instead.
 */
export function scriptEnvironment(task: Task, credential: Pick<Credential, 'provider' | 'attributes'>): Record<string, string> {
	const env: Record<string, string> = {};
	const reserved = new Set<string>(taskVariableNames);
	const fields: Record<string, Value> = {...credential.attributes, ...task.attributes};
	for (const [name, value] of Object.entries(fields)) {
		let variable = scriptVariablePrefix + variableSuffix(name);
		if (reserved.has(variable)) variable = scriptVariablePrefix + variableSuffix(credential.provider) + '_' + variableSuffix(name);
		env[variable] = text(value);
	}
	Object.assign(env, {
		CLOUD_SYNC_ID: text(task.id),
		CLOUD_SYNC_DESCRIPTION: task.description,
		CLOUD_SYNC_DIRECTION: task.direction,
		CLOUD_SYNC_TRANSFER_MODE: task.transferMode,
		CLOUD_SYNC_ENCRYPTION: text(task.encryption),
		CLOUD_SYNC_FILENAME_ENCRYPTION: text(task.filenameEncryption),
		CLOUD_SYNC_ENCRYPTION_PASSWORD: task.encryptionPassword,
		CLOUD_SYNC_ENCRYPTION_SALT: task.encryptionSalt,
		CLOUD_SYNC_SNAPSHOT: text(task.snapshot),
		CLOUD_SYNC_BUCKET: task.bucket,
		CLOUD_SYNC_FOLDER: task.folder,
		CLOUD_SYNC_PATH: task.path,
	} satisfies Record<(typeof taskVariableNames)[number], string>);
	return env;
}

/**
 * The full environment for a script: the current process's environment
 * without any CLOUD_SYNC_* it inherited (so the set is exactly ours), plus
 * `variables`.
 */
export function scriptProcessEnvironment(base: Record<string, string | undefined>, variables: Record<string, string>): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(base)) {
		if (value !== undefined && !name.startsWith(scriptVariablePrefix)) env[name] = value;
	}
	return {...env, ...variables};
}
