import {CloudSyncError} from '../core/errors.js';
import type {Task} from '../core/model.js';
import {taskSchema} from '../core/schemas.js';
import {restoreTask} from '../core/restore.js';
import {describeSchedule, parseScheduleOption} from '../core/schedule.js';
import {listRuns} from '../jobs/history.js';
import {assertTaskValid, taskWarnings} from '../services/task-checks.js';
import type {NewTask, Store} from '../store/store.js';
import {type Io, printJson, printLine, table, UsageError} from './io.js';
import {taskFieldsFromFlags, type TaskFlags} from './task-options.js';

const required: Array<[keyof NewTask, string]> = [
	['description', '--description'],
	['credential', '--credential'],
	['direction', '--direction'],
	['transferMode', '--mode'],
	['path', '--path'],
];

export async function taskAdd(store: Store, flags: TaskFlags & {verify: boolean; json?: boolean}, io: Io): Promise<number> {
	const fields = taskFieldsFromFlags(flags, io.env, parseScheduleOption);
	for (const [key, flag] of required) {
		if (fields[key] === undefined) throw new UsageError(`${flag} is required: see \`cloudsync task add --help\``);
	}
	const input = {schedule: parseScheduleOption('daily'), enabled: true, ...fields} as NewTask;
	const candidate = parseTask({...input, id: 1});
	await assertTaskValid(store, candidate, {remote: flags.verify});
	const task = await store.addTask(input);
	if (flags.json) printJson(io, publicTask(task));
	else printLine(io, `Added task ${task.id} "${task.description}" (${task.direction} ${task.transferMode}, ${describeSchedule(task.schedule)}${task.enabled ? '' : ', disabled'}).`);
	await printWarnings(io, task);
	return 0;
}

export async function taskEdit(store: Store, id: number, flags: TaskFlags & {verify: boolean; json?: boolean}, io: Io): Promise<number> {
	const current = await store.requireTask(id);
	const patch = taskFieldsFromFlags(flags, io.env, parseScheduleOption);
	if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one option, see `cloudsync task edit --help`');
	const candidate = parseTask({...current, ...patch});
	await assertTaskValid(store, candidate, {remote: flags.verify && (patch.folder !== undefined || patch.bucket !== undefined || patch.direction !== undefined)});
	const task = await store.updateTask(id, patch);
	if (flags.json) printJson(io, publicTask(task));
	else printLine(io, `Updated task ${task.id} "${task.description}".`);
	if (patch.path !== undefined || patch.direction !== undefined) await printWarnings(io, task);
	return 0;
}

export async function taskList(store: Store, options: {json?: boolean}, io: Io): Promise<number> {
	const tasks = await store.listTasks();
	const withLast = await Promise.all(tasks.map(async task => ({task, last: (await listRuns(store.dir, task.id))[0]})));
	if (options.json) {
		printJson(io, withLast.map(({task, last}) => ({...publicTask(task), lastRun: last ?? null})));
		return 0;
	}
	if (tasks.length === 0) {
		printLine(io, 'No tasks yet. Add one with `cloudsync task add --help`, or run `cloudsync` for the full-screen app.');
		return 0;
	}
	const rows = [['ID', 'DESCRIPTION', 'DIRECTION', 'MODE', 'CREDENTIAL', 'SCHEDULE', 'LAST RUN']];
	for (const {task, last} of withLast) {
		rows.push([
			String(task.id),
			task.description,
			task.direction,
			task.transferMode,
			task.credential,
			task.enabled ? describeSchedule(task.schedule) : 'disabled',
			last ? `${last.state} ${formatTime(last.endedAt ?? last.startedAt)}` : 'never',
		]);
	}
	printLine(io, table(rows));
	return 0;
}

export async function taskShow(store: Store, id: number, options: {json?: boolean}, io: Io): Promise<number> {
	const task = await store.requireTask(id);
	const shown = publicTask(task);
	if (options.json) {
		printJson(io, shown);
		return 0;
	}
	const rows: string[][] = [];
	for (const [key, value] of Object.entries(shown)) {
		const text = Array.isArray(value) ? value.join(' ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
		rows.push([key, key === 'schedule' ? `${describeSchedule(task.schedule)} (${text})` : text]);
	}
	printLine(io, table(rows));
	return 0;
}

export async function taskRemove(store: Store, id: number, options: {json?: boolean}, io: Io): Promise<number> {
	const task = await store.deleteTask(id);
	if (options.json) printJson(io, {id, deleted: true});
	else printLine(io, `Deleted task ${id} "${task.description}". Its files were not touched.`);
	return 0;
}

export async function taskRestore(store: Store, id: number, options: {description?: string; path?: string; mode?: string; json?: boolean}, io: Io): Promise<number> {
	if (!options.description) throw new UsageError('--description is required: say what the restore task is for');
	if (!options.path) throw new UsageError('--path is required: the local directory to restore into');
	const mode = (options.mode ?? 'copy').toUpperCase();
	if (mode !== 'COPY' && mode !== 'SYNC') throw new UsageError(`--mode is copy or sync, not "${options.mode}"`);
	const source = await store.requireTask(id);
	const input = restoreTask(source, {description: options.description, path: options.path, mode});
	await assertTaskValid(store, parseTask({...input, id: 1}));
	const task = await store.addTask(input);
	if (options.json) printJson(io, publicTask(task));
	else printLine(io, `Added restore task ${task.id} "${task.description}" (${task.direction} ${task.transferMode} into ${task.path}); it is disabled: run it with \`cloudsync task run ${task.id}\`.`);
	return 0;
}

/** Warnings go to stderr, so --json output stays one document. */
async function printWarnings(io: Io, task: Task): Promise<void> {
	for (const warning of await taskWarnings(task)) io.stderr.write(`warning: ${warning.message}\n`);
}

/** A task as shown to people and scripts: secrets masked. */
export function publicTask(task: Task): Record<string, unknown> {
	const shown: Record<string, unknown> = {...task};
	for (const field of ['encryptionPassword', 'encryptionSalt'] as const) if (task[field]) shown[field] = '••••';
	return shown;
}

function parseTask(value: unknown): Task {
	const parsed = taskSchema.safeParse(value);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0]!;
	throw new CloudSyncError('usage', `invalid task field ${issue.path.join('.')}: ${issue.message}`);
}

function formatTime(iso: string): string {
	const date = new Date(iso);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
