/**
 * Restore: a new task that brings a backup back. Pure: the caller saves it.
 */
import path from 'node:path';
import {CloudSyncError} from './errors.js';
import type {Task, TaskInput} from './model.js';

export type RestoreOptions = {
	description: string;
	/** Absolute local directory the files come back to. */
	path: string;
	/** COPY (default) never deletes local files; SYNC makes the folder equal to the backup. */
	mode?: 'COPY' | 'SYNC';
};

export type RestoredTask = Omit<TaskInput, 'id'>;

/**
 * The task that reverses `task`: same credential, bucket, folder, encryption,
 * filters, transfers and provider attributes, direction reversed, disabled,
 * with its own description and local path. Scripts and the snapshot are not
 * carried over: they belong to the backup, and a snapshot is refused for PULL.
 */
export function restoreTask(task: Task, options: RestoreOptions): RestoredTask {
	const description = options.description.trim();
	if (description === '') throw new CloudSyncError('usage', 'a restore task needs a description: pass --description');
	if (!path.isAbsolute(options.path)) {
		throw new CloudSyncError('usage', `the restore path "${options.path}" is not absolute: give the full path of the folder to restore into`);
	}
	const mode = options.mode ?? 'COPY';
	if (mode !== 'COPY' && mode !== 'SYNC') throw new CloudSyncError('usage', `a restore runs as COPY or SYNC, not ${String(mode)}`);
	return {
		description,
		credential: task.credential,
		direction: task.direction === 'PUSH' ? 'PULL' : 'PUSH',
		transferMode: mode,
		path: path.resolve(options.path),
		bucket: task.bucket,
		folder: task.folder,
		schedule: {...task.schedule},
		enabled: false,
		preScript: '',
		postScript: '',
		scriptTimeoutSec: task.scriptTimeoutSec,
		encryption: task.encryption,
		filenameEncryption: task.filenameEncryption,
		filenameEncoding: task.filenameEncoding,
		directoryNameEncryption: task.directoryNameEncryption,
		encryptionPassword: task.encryptionPassword,
		encryptionSalt: task.encryptionSalt,
		snapshot: false,
		exclude: [...task.exclude],
		include: [...task.include],
		transfers: task.transfers,
		bwlimit: task.bwlimit,
		followSymlinks: false,
		createEmptySrcDirs: task.createEmptySrcDirs,
		attributes: {...task.attributes},
	};
}
