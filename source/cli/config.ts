import path from 'node:path';
import {exportConfig, importConfig} from '../store/config-transfer.js';
import type {Store} from '../store/store.js';
import {type Io, printJson, printLine} from './io.js';
import {counted} from '../core/words.js';

export async function configExport(store: Store, file: string, options: {withSecretSeed?: boolean; json?: boolean}, io: Io): Promise<number> {
	const target = path.resolve(file);
	const counts = await exportConfig(store, target, {withSecretSeed: options.withSecretSeed});
	if (options.json) {
		printJson(io, {file: target, ...counts, withSecretSeed: options.withSecretSeed ?? false});
		return 0;
	}
	printLine(io, `Exported ${counted(counts.credentials, 'credential')} and ${counted(counts.tasks, 'task')} to ${target}.`);
	printLine(
		io,
		options.withSecretSeed
			? 'The file holds the secret seed: anyone with it can read every secret. Keep it as safe as the secrets themselves.'
			: 'Secrets stay sealed with this machine\'s seed: on another machine they must be entered again (or export with --with-secret-seed).',
	);
	return 0;
}

export async function configImport(store: Store, file: string, options: {replace?: boolean; json?: boolean}, io: Io): Promise<number> {
	const summary = await importConfig(store, path.resolve(file), {replace: options.replace});
	if (options.json) {
		printJson(io, summary);
		return 0;
	}
	printLine(io, `Imported ${counted(summary.credentials, 'credential')} and ${counted(summary.tasks, 'task')}.`);
	if (summary.unusableCredentials.length > 0 || summary.unusableTasks.length > 0) {
		const names = [...summary.unusableCredentials.map(n => `credential "${n}"`), ...summary.unusableTasks.map(id => `task ${id}`)];
		printLine(io, `The export has no secret seed, so the secrets of ${names.join(', ')} cannot be read here and must be entered again (\`cloudsync credential edit NAME --field ...\`, \`cloudsync task edit ID --password-env VAR\`).`);
	}
	return 0;
}
