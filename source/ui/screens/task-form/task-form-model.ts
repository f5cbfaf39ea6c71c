import {filenameEncodings, schedulePresets, type Credential, type Schedule, type Task} from '../../../core/model.js';
import {taskProblems} from '../../../core/task-rules.js';
import type {FormField, FormValues} from '../../components/form/form-state.js';

export const scheduleFieldIds = ['minute', 'hour', 'dom', 'month', 'dow'] as const;
export type ScheduleFieldId = (typeof scheduleFieldIds)[number];

export const directionChoices = [
	{label: 'PUSH', value: 'PUSH', help: 'PUSH sends the local folder to the remote.'},
	{label: 'PULL', value: 'PULL', help: 'PULL brings the remote folder to the local path.'},
];

export const modeChoices = [
	{label: 'SYNC', value: 'SYNC', help: 'SYNC makes the destination identical, deleting extras.'},
	{label: 'COPY', value: 'COPY', help: 'COPY adds new and changed files; it never deletes.'},
	{label: 'MOVE', value: 'MOVE', help: 'MOVE copies, then deletes each verified source file.'},
];

const presetLabels: Record<string, string> = {hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', custom: 'Advanced Scheduler (custom)'};
export const presetChoices = schedulePresets.map(preset => ({label: presetLabels[preset]!, value: preset}));

const scheduleLabels: Record<ScheduleFieldId, string> = {minute: 'Minute', hour: 'Hour', dom: 'Day of month', month: 'Month', dow: 'Day of week'};

/** A new task's starting values. */
export function newTaskValues(credential: string, schedule: Schedule): FormValues {
	return valuesFromTask({
		id: 1,
		description: '',
		credential,
		direction: 'PUSH',
		transferMode: 'SYNC',
		path: '',
		bucket: '',
		folder: '',
		schedule,
		enabled: true,
		preScript: '',
		postScript: '',
		scriptTimeoutSec: 3600,
		encryption: false,
		filenameEncryption: true,
		filenameEncoding: 'base32',
		directoryNameEncryption: true,
		encryptionPassword: '',
		encryptionSalt: '',
		snapshot: false,
		exclude: [],
		include: [],
		transfers: 4,
		bwlimit: '',
		followSymlinks: false,
		createEmptySrcDirs: false,
		attributes: {},
	});
}

export function valuesFromTask(task: Task): FormValues {
	return {
		description: task.description,
		credential: task.credential,
		bucket: task.bucket,
		folder: task.folder,
		direction: task.direction,
		transferMode: task.transferMode,
		path: task.path,
		schedulePreset: task.schedule.preset,
		minute: task.schedule.minute,
		hour: task.schedule.hour,
		dom: task.schedule.dom,
		month: task.schedule.month,
		dow: task.schedule.dow,
		enabled: task.enabled,
		advanced: false,
		preScript: task.preScript,
		postScript: task.postScript,
		scriptTimeoutSec: String(task.scriptTimeoutSec),
		encryption: task.encryption,
		encryptionPassword: task.encryptionPassword,
		encryptionSalt: task.encryptionSalt,
		filenameEncryption: task.filenameEncryption,
		filenameEncoding: task.filenameEncoding,
		directoryNameEncryption: task.directoryNameEncryption,
		snapshot: task.snapshot,
		exclude: task.exclude.join('\n'),
		include: task.include.join('\n'),
		transfers: String(task.transfers),
		bwlimit: task.bwlimit,
		followSymlinks: task.followSymlinks,
		createEmptySrcDirs: task.createEmptySrcDirs,
		attributes: Object.entries(task.attributes)
			.map(([key, value]) => `${key}=${String(value)}`)
			.join('\n'),
	};
}

/** The fields shown for these values: buckets only where the provider has them, the five cron fields for a custom schedule, the Advanced section when open. */
export function taskFormFields(values: FormValues, credentials: readonly Credential[], hasBuckets: boolean): FormField[] {
	const fields: FormField[] = [
		{id: 'description', label: 'Description', kind: 'text', placeholder: 'e.g. Photos to S3'},
		{id: 'credential', label: 'Credential', kind: 'select', choices: credentials.map(c => ({label: `${c.name} (${c.provider})`, value: c.name}))},
	];
	if (hasBuckets) fields.push({id: 'bucket', label: 'Bucket', kind: 'path', help: 'Enter browses the buckets of the credential.'});
	fields.push(
		{id: 'folder', label: 'Remote folder', kind: 'path', help: 'Enter browses the remote folders; empty means the top.', placeholder: '(top)'},
		{id: 'direction', label: 'Direction', kind: 'select', choices: directionChoices},
		{id: 'transferMode', label: 'Transfer mode', kind: 'select', choices: modeChoices},
		{id: 'path', label: 'Local path', kind: 'path', help: 'An absolute directory; Enter browses this machine.', placeholder: 'e.g. /srv/data'},
		{id: 'schedulePreset', label: 'Schedule', kind: 'select', choices: presetChoices},
	);
	if (values.schedulePreset === 'custom') {
		for (const id of scheduleFieldIds) fields.push({id, label: `  ${scheduleLabels[id]}`, kind: 'text'});
	}
	fields.push({id: 'enabled', label: 'Enabled', kind: 'boolean', help: 'Run on the schedule; a disabled task runs only when started by hand.'});
	fields.push({id: 'advanced', label: 'Advanced settings', kind: 'boolean', help: 'Scripts, encryption, snapshot, filters, transfers, bandwidth, provider attributes.'});
	if (values.advanced) {
		fields.push(
			{id: 'h-scripts', label: 'Scripts', kind: 'heading'},
			{id: 'preScript', label: 'Pre-script', kind: 'multiline', help: 'Shell lines run before the sync; a failure stops the run. Enter adds a line.'},
			{id: 'postScript', label: 'Post-script', kind: 'multiline', help: 'Shell lines run after the sync (CLOUD_SYNC_* variables describe the result).'},
			{id: 'scriptTimeoutSec', label: 'Script timeout (s)', kind: 'number'},
			{id: 'h-encryption', label: 'Encryption', kind: 'heading'},
			{id: 'encryption', label: 'Encrypt', kind: 'boolean', help: 'rclone-compatible crypt: files are encrypted before they leave this machine.'},
		);
		if (values.encryption) {
			fields.push(
				{id: 'encryptionPassword', label: 'Password', kind: 'secret'},
				{id: 'encryptionSalt', label: 'Salt (password2)', kind: 'secret', help: 'Optional second password, as rclone\'s password2.'},
				{id: 'filenameEncryption', label: 'Encrypt file names', kind: 'boolean'},
				{id: 'filenameEncoding', label: 'Name encoding', kind: 'select', choices: filenameEncodings.map(e => ({label: e, value: e}))},
				{id: 'directoryNameEncryption', label: 'Encrypt dir names', kind: 'boolean'},
			);
		}
		fields.push(
			{id: 'h-transfer', label: 'Transfer', kind: 'heading'},
			{id: 'snapshot', label: 'Snapshot', kind: 'boolean', help: 'PUSH from a btrfs/ZFS snapshot so files do not change during the upload.'},
			{id: 'exclude', label: 'Exclude', kind: 'multiline', help: 'One rclone filter pattern per line, e.g. *.tmp or /cache/**.'},
			{id: 'include', label: 'Include', kind: 'multiline', help: 'Only these patterns (one per line); empty means everything.'},
			{id: 'transfers', label: 'Transfers', kind: 'number', help: 'Files transferred at the same time (1-64).'},
			{id: 'bwlimit', label: 'Bandwidth limit', kind: 'text', help: 'e.g. 10M, or a timetable "08:00,512k 12:00,10M 23:00,off".', placeholder: 'off'},
			{id: 'followSymlinks', label: 'Follow symlinks', kind: 'boolean'},
			{id: 'createEmptySrcDirs', label: 'Create empty dirs', kind: 'boolean'},
			{id: 'attributes', label: 'Provider attributes', kind: 'multiline', help: 'key=value per line (e.g. storage_class=STANDARD_IA).'},
		);
	}
	fields.push({id: 'save', label: 'Save', kind: 'button'}, {id: 'dry-run', label: 'Dry Run', kind: 'button'}, {id: 'cancel', label: 'Cancel', kind: 'button'});
	return fields;
}

export function scheduleFromValues(values: FormValues): Schedule {
	return {
		preset: values.schedulePreset as Schedule['preset'],
		minute: String(values.minute ?? '').trim(),
		hour: String(values.hour ?? '').trim(),
		dom: String(values.dom ?? '').trim(),
		month: String(values.month ?? '').trim(),
		dow: String(values.dow ?? '').trim(),
	};
}

function listLines(value: unknown): string[] {
	return String(value ?? '')
		.split('\n')
		.map(line => line.trim())
		.filter(Boolean);
}

/** The task the values describe, with problems by field id. Pure. */
export function taskFromValues(values: FormValues, id: number, extra: {scheduleProblems: (schedule: Schedule) => Partial<Record<ScheduleFieldId, string>>}): {task: Task; errors: Record<string, string>} {
	const errors: Record<string, string> = {};
	const integer = (field: string, min: number, max: number, fallback: number) => {
		const text = String(values[field] ?? '').trim();
		const number = Number(text);
		if (!/^\d+$/.test(text) || number < min || number > max) {
			errors[field] = `a whole number from ${min} to ${max}`;
			return fallback;
		}
		return number;
	};
	const attributes: Task['attributes'] = {};
	for (const line of listLines(values.attributes)) {
		const at = line.indexOf('=');
		if (at <= 0) {
			errors.attributes ??= `"${line}" is not key=value`;
			continue;
		}
		const raw = line.slice(at + 1).trim();
		attributes[line.slice(0, at).trim()] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
	}
	const task: Task = {
		id,
		description: String(values.description ?? '').trim(),
		credential: String(values.credential ?? ''),
		direction: values.direction as Task['direction'],
		transferMode: values.transferMode as Task['transferMode'],
		path: String(values.path ?? '').trim(),
		bucket: String(values.bucket ?? '').trim(),
		folder: String(values.folder ?? '')
			.trim()
			.replace(/^\/+|\/+$/g, ''),
		schedule: scheduleFromValues(values),
		enabled: Boolean(values.enabled),
		preScript: String(values.preScript ?? '').trim() === '' ? '' : String(values.preScript),
		postScript: String(values.postScript ?? '').trim() === '' ? '' : String(values.postScript),
		scriptTimeoutSec: integer('scriptTimeoutSec', 1, 7 * 24 * 3600, 3600),
		encryption: Boolean(values.encryption),
		encryptionPassword: String(values.encryptionPassword ?? ''),
		encryptionSalt: String(values.encryptionSalt ?? ''),
		filenameEncryption: Boolean(values.filenameEncryption),
		filenameEncoding: values.filenameEncoding as Task['filenameEncoding'],
		directoryNameEncryption: Boolean(values.directoryNameEncryption),
		snapshot: Boolean(values.snapshot),
		exclude: listLines(values.exclude),
		include: listLines(values.include),
		transfers: integer('transfers', 1, 64, 4),
		bwlimit: String(values.bwlimit ?? '').trim(),
		followSymlinks: Boolean(values.followSymlinks),
		createEmptySrcDirs: Boolean(values.createEmptySrcDirs),
		attributes,
	};
	if (!task.credential) errors.credential = 'choose a credential (add one on the Credentials screen first)';
	if (task.path === '') errors.path = 'a task needs a local path';
	for (const problem of taskProblems(task)) {
		const field = problem.field === 'schedule' ? 'schedulePreset' : problem.field;
		errors[field] ??= problem.message;
	}
	if (task.schedule.preset === 'custom') Object.assign(errors, extra.scheduleProblems(task.schedule));
	return {task, errors};
}
