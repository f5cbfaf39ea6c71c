import path from 'node:path';
import type {Command} from 'commander';
import {directions, transferModes} from '../core/model-values.js';
import type {NewTask} from '../store/store.js';
import {UsageError} from './io.js';

/** The options `task add` and `task edit` share, as commander hands them over. */
export type TaskFlags = {
	description?: string;
	credential?: string;
	direction?: string;
	mode?: string;
	path?: string;
	bucket?: string;
	folder?: string;
	schedule?: string;
	disabled?: boolean;
	enabled?: boolean;
	encryption?: boolean;
	password?: string;
	passwordEnv?: string;
	salt?: string;
	saltEnv?: string;
	filenameEncryption?: boolean;
	preScript?: string;
	postScript?: string;
	scriptTimeout?: string;
	exclude?: string[];
	include?: string[];
	transfers?: string;
	bwlimit?: string;
	followSymlinks?: boolean;
	createEmptySrcDirs?: boolean;
	snapshot?: boolean;
	attribute?: string[];
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addTaskFlags(command: Command, forEdit: boolean): Command {
	const required = forEdit ? '' : ' (required)';
	return command
		.option('--description <text>', `what the task is for${required}`)
		.option('--credential <name>', `the credential to use${required}`)
		.option('--direction <push|pull>', `push: local to cloud; pull: cloud to local${required}`)
		.option('--mode <sync|copy|move>', `sync: make the destination identical; copy: add and overwrite, never delete; move: copy, then delete the source${required}`)
		.option('--path <dir>', `the local directory${required}`)
		.option('--bucket <name>', 'the S3 bucket')
		.option('--folder <path>', 'the folder inside the bucket or account')
		.option('--schedule <when>', 'hourly, daily (default), weekly, monthly, or a cron line like "30 2 * * 1-5"')
		.option(forEdit ? '--disabled' : '--disabled', 'do not run on schedule')
		.option('--encryption', 'encrypt on the client (rclone crypt format)')
		.option('--password <text>', 'encryption password (visible in the process list: prefer --password-env)')
		.option('--password-env <VAR>', 'read the encryption password from an environment variable')
		.option('--salt <text>', 'encryption salt (the "password2" of rclone crypt; visible in the process list: prefer --salt-env)')
		.option('--salt-env <VAR>', 'read the encryption salt from an environment variable')
		.option('--filename-encryption', 'encrypt file and folder names too')
		.option('--pre-script <text>', 'shell script to run before the transfer')
		.option('--post-script <text>', 'shell script to run after a successful transfer')
		.option('--script-timeout <seconds>', 'how long a script may run')
		.option('--exclude <rule>', 'rclone filter rule to exclude (repeatable)', collect)
		.option('--include <rule>', 'rclone filter rule to include (repeatable)', collect)
		.option('--transfers <n>', 'files transferred in parallel (default 4)')
		.option('--bwlimit <timetable>', 'bandwidth limit, e.g. 10M or "08:00,512k 12:00,10M 23:00,off"')
		.option('--follow-symlinks', 'follow symbolic links in the local directory')
		.option('--create-empty-src-dirs', 'create empty source directories on the destination')
		.option('--snapshot', 'take a ZFS/btrfs snapshot of the local directory before a PUSH')
		.option('--attribute <name=value>', 'provider attribute for this task, e.g. storage_class=STANDARD_IA (repeatable)', collect);
}

/** Flags -> task fields; only the flags given appear in the result. */
export function taskFieldsFromFlags(flags: TaskFlags, env: NodeJS.ProcessEnv, parseSchedule: (text: string) => NewTask['schedule']): Partial<NewTask> {
	const fields: Partial<NewTask> = {};
	if (flags.description !== undefined) fields.description = flags.description;
	if (flags.credential !== undefined) fields.credential = flags.credential;
	if (flags.direction !== undefined) fields.direction = pick(flags.direction, directions, '--direction', 'push or pull');
	if (flags.mode !== undefined) fields.transferMode = pick(flags.mode, transferModes, '--mode', 'sync, copy or move');
	if (flags.path !== undefined) {
		if (flags.path.trim() === '') throw new UsageError('--path is empty: give the local directory, like /srv/data');
		fields.path = path.resolve(flags.path);
	}
	if (flags.bucket !== undefined) fields.bucket = flags.bucket;
	if (flags.folder !== undefined) fields.folder = flags.folder.replace(/^\/+|\/+$/g, '');
	if (flags.schedule !== undefined) fields.schedule = parseSchedule(flags.schedule);
	if (flags.disabled) fields.enabled = false;
	if (flags.enabled) fields.enabled = true;
	if (flags.encryption) fields.encryption = true;
	if (flags.password !== undefined) fields.encryptionPassword = flags.password;
	if (flags.passwordEnv !== undefined) {
		const value = env[flags.passwordEnv];
		if (value === undefined) throw new UsageError(`environment variable ${flags.passwordEnv} (for --password-env) is not set`);
		fields.encryptionPassword = value;
	}
	if (flags.salt !== undefined) fields.encryptionSalt = flags.salt;
	if (flags.saltEnv !== undefined) {
		const value = env[flags.saltEnv];
		if (value === undefined) throw new UsageError(`environment variable ${flags.saltEnv} (for --salt-env) is not set`);
		fields.encryptionSalt = value;
	}
	if (flags.filenameEncryption !== undefined) fields.filenameEncryption = flags.filenameEncryption;
	if (flags.preScript !== undefined) fields.preScript = flags.preScript;
	if (flags.postScript !== undefined) fields.postScript = flags.postScript;
	if (flags.scriptTimeout !== undefined) fields.scriptTimeoutSec = integer(flags.scriptTimeout, '--script-timeout', 1, 7 * 24 * 3600);
	if (flags.exclude !== undefined) fields.exclude = flags.exclude;
	if (flags.include !== undefined) fields.include = flags.include;
	if (flags.transfers !== undefined) fields.transfers = integer(flags.transfers, '--transfers', 1, 64);
	if (flags.bwlimit !== undefined) fields.bwlimit = flags.bwlimit;
	if (flags.followSymlinks) fields.followSymlinks = true;
	if (flags.createEmptySrcDirs) fields.createEmptySrcDirs = true;
	if (flags.snapshot) fields.snapshot = true;
	if (flags.attribute !== undefined) {
		const attributes: Record<string, string> = {};
		for (const pair of flags.attribute) {
			const equals = pair.indexOf('=');
			if (equals <= 0) throw new UsageError(`--attribute "${pair}" is not name=value`);
			attributes[pair.slice(0, equals)] = pair.slice(equals + 1);
		}
		fields.attributes = attributes;
	}
	return fields;
}

function pick<T extends string>(value: string, allowed: readonly T[], flag: string, words: string): T {
	const upper = value.toUpperCase() as T;
	if (!allowed.includes(upper)) throw new UsageError(`${flag} is ${words}, not "${value}"`);
	return upper;
}

function integer(value: string, flag: string, min: number, max: number): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, not "${value}"`);
	return n;
}
