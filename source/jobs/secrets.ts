import type {Credential, Task} from '../core/model.js';
import {taskSecretFields} from '../core/model-values.js';
import {isSecretAttribute} from '../store/secret-fields.js';

/** Every secret value of a task and its credential: what a run's log must never show. */
export function runSecrets(task: Task, credential: Credential | undefined): string[] {
	const secrets: string[] = taskSecretFields.map(field => task[field]);
	const attributes = [credential?.attributes ?? {}, task.attributes];
	for (const set of attributes) {
		for (const [name, value] of Object.entries(set)) {
			if (typeof value === 'string' && isSecretAttribute(credential?.provider ?? '', name)) secrets.push(value);
		}
	}
	return secrets.filter(secret => secret !== '');
}
