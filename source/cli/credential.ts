import {CloudSyncError} from '../core/errors.js';
import {providerIds, type Credential} from '../core/model.js';
import {providers, validateAttributes, verifyCredential} from '../providers/registry.js';
import {isSecretAttribute} from '../store/secret-fields.js';
import type {Store} from '../store/store.js';
import {displayAttributes, parseFieldArguments} from './fields.js';
import {type Io, printJson, printLine, table, UsageError} from './io.js';

export type CredentialAddOptions = {
	provider: string;
	field: string[];
	fieldEnv: string[];
	verify: boolean;
	replace?: boolean;
	json?: boolean;
};

export async function credentialAdd(store: Store, name: string, options: CredentialAddOptions, io: Io): Promise<number> {
	if (!(providerIds as readonly string[]).includes(options.provider)) {
		throw new UsageError(`unknown provider "${options.provider}": use one of ${providerIds.join(', ')}`);
	}
	const provider = options.provider as Credential['provider'];
	const description = providers[provider];
	let attributes = await parseFieldArguments(description, options.field, options.fieldEnv, io);
	if (options.replace) {
		const existing = await store.getCredential(name);
		if (existing) {
			if (existing.provider !== provider) throw new UsageError(`credential "${name}" is a ${existing.provider} credential: delete it to change its provider`);
			attributes = {...existing.attributes, ...attributes};
		}
	}
	for (const field of description.fields) {
		if (attributes[field.name] === undefined && field.default !== undefined) attributes[field.name] = field.default;
	}
	const problems = validateAttributes(provider, attributes);
	if (problems.length > 0) throw new UsageError(problems[0]!);
	const credential: Credential = {name, provider, attributes};
	if (!options.replace && (await store.getCredential(name))) {
		throw new CloudSyncError('conflict', `a credential named "${name}" already exists: choose another name, or use \`cloudsync credential edit ${name}\``);
	}
	if (options.verify) await verifyCredential(credential);
	await store.saveCredential(credential, {replace: options.replace});
	if (options.json) printJson(io, {name, provider, verified: options.verify});
	else printLine(io, `${options.replace ? 'Updated' : 'Saved'} credential "${name}" (${description.label})${options.verify ? ', verified' : ', not verified'}.`);
	return 0;
}

export async function credentialList(store: Store, options: {json?: boolean}, io: Io): Promise<number> {
	const credentials = await store.listCredentials();
	const tasks = await store.listTasks();
	const usedBy = (name: string) => tasks.filter(t => t.credential === name).length;
	if (options.json) {
		printJson(io, credentials.map(c => ({name: c.name, provider: c.provider, tasks: usedBy(c.name), secretsUnusable: c.secretsUnusable ?? false})));
		return 0;
	}
	if (credentials.length === 0) {
		printLine(io, 'No credentials yet. Add one with `cloudsync credential add NAME --provider local|s3|dropbox --field name=value ...`.');
		return 0;
	}
	const rows = [['NAME', 'PROVIDER', 'TASKS', 'STATE']];
	for (const c of credentials) rows.push([c.name, providers[c.provider].label, String(usedBy(c.name)), c.secretsUnusable ? 'secrets must be entered again' : 'ok']);
	printLine(io, table(rows));
	return 0;
}

export async function credentialShow(store: Store, name: string, options: {json?: boolean}, io: Io): Promise<number> {
	const credential = await store.requireCredential(name);
	const shown = maskSecrets(credential);
	if (options.json) {
		printJson(io, shown);
		return 0;
	}
	const rows = [['name', credential.name], ['provider', providers[credential.provider].label]];
	for (const [key, value] of Object.entries(shown.attributes)) rows.push([key, String(value)]);
	if (credential.secretsUnusable) rows.push(['state', 'imported without the secret seed: enter the secrets again with `cloudsync credential edit`']);
	printLine(io, table(rows));
	return 0;
}

export async function credentialVerify(store: Store, name: string, options: {json?: boolean}, io: Io): Promise<number> {
	const credential = await store.requireCredential(name);
	assertUsable(credential);
	await verifyCredential(credential);
	if (options.json) printJson(io, {name, verified: true});
	else printLine(io, `Credential "${name}" works.`);
	return 0;
}

export async function credentialRemove(store: Store, name: string, options: {json?: boolean}, io: Io): Promise<number> {
	await store.deleteCredential(name);
	if (options.json) printJson(io, {name, deleted: true});
	else printLine(io, `Deleted credential "${name}".`);
	return 0;
}

export function assertUsable(credential: Credential): void {
	if (credential.secretsUnusable) {
		throw new CloudSyncError('auth', `credential "${credential.name}" was imported without the secret seed: enter its secrets again with \`cloudsync credential edit ${credential.name} --field ...\``);
	}
}

export function maskSecrets(credential: Credential): Credential {
	const description = providers[credential.provider];
	const attributes = displayAttributes(description, credential.attributes);
	for (const [key, value] of Object.entries(credential.attributes)) {
		if (isSecretAttribute(credential.provider, key) && value !== '') attributes[key] = '••••';
	}
	return {...credential, attributes};
}
