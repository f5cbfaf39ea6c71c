import type {Credential, Task} from '../core/model.js';
import {taskSecretFields} from '../core/model-values.js';
import {Vault} from './vault.js';

/**
 * Which credential attributes are secret. The provider registry's field
 * descriptions are the authority; the name pattern also catches fields a
 * provider adds later, so a secret is never written in clear by omission.
 */
const secretNamePattern = /(secret|token|password|passphrase|private|key_id|salt)/i;

let registrySecrets: ((provider: string) => readonly string[]) | undefined;

/** Called once by the provider registry so the store knows each provider's secret fields. */
export function registerSecretFields(lookup: (provider: string) => readonly string[]): void {
	registrySecrets = lookup;
}

export function isSecretAttribute(provider: string, name: string): boolean {
	return secretNamePattern.test(name) || (registrySecrets?.(provider).includes(name) ?? false);
}

export function sealCredential(credential: Credential, vault: Vault): Credential {
	const attributes = {...credential.attributes};
	for (const [name, value] of Object.entries(attributes)) {
		if (isSecretAttribute(credential.provider, name) && typeof value === 'string' && value !== '' && !Vault.isSealed(value)) {
			attributes[name] = vault.seal(value);
		}
	}
	return {...credential, attributes};
}

/** Opens sealed attributes; any that this vault cannot open make the credential unusable. */
export function openCredential(credential: Credential, vault: Vault): Credential {
	const attributes = {...credential.attributes};
	let unusable = credential.secretsUnusable ?? false;
	for (const [name, value] of Object.entries(attributes)) {
		if (!Vault.isSealed(value)) continue;
		const plain = vault.open(value);
		if (plain === undefined) {
			unusable = true;
			attributes[name] = '';
		} else attributes[name] = plain;
	}
	return {...credential, attributes, ...(unusable ? {secretsUnusable: true} : {})};
}

export function sealTask(task: Task, vault: Vault): Task {
	const sealed = {...task};
	for (const field of taskSecretFields) {
		const value = sealed[field];
		if (value !== '' && !Vault.isSealed(value)) sealed[field] = vault.seal(value);
	}
	return sealed;
}

/** Opens a task's secrets; ones this vault cannot open come back empty. */
export function openTask(task: Task, vault: Vault): Task & {secretsUnusable?: boolean} {
	const opened: Task & {secretsUnusable?: boolean} = {...task};
	for (const field of taskSecretFields) {
		const value = opened[field];
		if (!Vault.isSealed(value)) continue;
		const plain = vault.open(value);
		if (plain === undefined) {
			opened[field] = '';
			opened.secretsUnusable = true;
		} else opened[field] = plain;
	}
	return opened;
}
