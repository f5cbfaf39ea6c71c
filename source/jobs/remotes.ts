/**
 * The two sides of a run: the task's local folder (or its snapshot) and the
 * cloud location, wrapped in crypt when the task encrypts.
 */
import type {Credential, Task} from '../core/model.js';
import {LocalRemote, type LocalListErrorHandler} from '../providers/local.js';
import {openRemote} from '../providers/registry.js';
import type {Remote} from '../providers/remote.js';

export type RunRemotes = {source: Remote; destination: Remote; local: Remote; cloud: Remote; /** The provider's remote under any crypt layer. */ provider: Remote};

export async function openRunRemotes(
	task: Task,
	credential: Credential,
	options: {localPath?: string; mtimeIndexFile?: string; onLocalError?: LocalListErrorHandler; onAttributesUpdated?: (attributes: Credential['attributes']) => Promise<void> | void},
): Promise<RunRemotes> {
	const local = new LocalRemote(options.localPath ?? task.path, {followSymlinks: task.followSymlinks, onError: options.onLocalError});
	const provider = await openRemote(credential, {bucket: task.bucket, folder: task.folder}, {
		mtimeIndexFile: options.mtimeIndexFile,
		followSymlinks: task.followSymlinks,
		onAttributesUpdated: options.onAttributesUpdated,
	});
	let cloud: Remote = provider;
	if (task.encryption) {
		// The crypt layer (and its cipher libraries) loads only for tasks that encrypt.
		const {CryptRemote} = await import('../crypt/crypt-remote.js');
		cloud = new CryptRemote(cloud, {
			password: task.encryptionPassword,
			salt: task.encryptionSalt,
			filenameEncryption: task.filenameEncryption ? 'standard' : 'off',
			filenameEncoding: task.filenameEncoding,
			directoryNameEncryption: task.directoryNameEncryption,
		});
	}
	return task.direction === 'PUSH' ? {source: local, destination: cloud, local, cloud, provider} : {source: cloud, destination: local, local, cloud, provider};
}
