import path from 'node:path';
import {parseBwLimit} from './bwlimit.js';
import {userMessage} from './errors.js';
import {compileFilter} from './filters.js';
import type {Task} from './model.js';

export type FieldProblem = {field: keyof Task | 'schedule'; message: string};

const maxScriptLength = 64 * 1024;

/**
 * Rules a task must follow beyond its types: what the forms show next to a
 * field and what the CLI prints. Pure: checks that need the network or the
 * disk (a PULL's remote folder exists, snapshot support) live in the shells.
 */
export function taskProblems(task: Task, extra: {scheduleProblem?: (schedule: Task['schedule']) => string | undefined} = {}): FieldProblem[] {
	const problems: FieldProblem[] = [];
	const add = (field: FieldProblem['field'], message: string) => problems.push({field, message});

	if (task.description.trim() === '') add('description', 'a task needs a description');
	if (/[\u0000-\u001f\u007f]/.test(task.description)) add('description', 'the description cannot contain control characters');
	if (!path.isAbsolute(task.path)) add('path', `the local path "${task.path}" must be absolute, like /srv/data`);
	if (task.path.includes('\u0000')) add('path', 'the local path cannot contain a NUL character');
	if (task.encryption && task.encryptionPassword === '' && !task.secretsUnusable) add('encryptionPassword', 'encryption needs a password');
	if (task.snapshot && task.direction !== 'PUSH') add('snapshot', 'a snapshot is only taken for PUSH tasks');
	if (task.snapshot && task.transferMode === 'MOVE') add('snapshot', 'a snapshot cannot be used with MOVE, which deletes the source files');
	if (task.preScript.length > maxScriptLength) add('preScript', 'the pre-script is longer than 64 KiB');
	if (task.postScript.length > maxScriptLength) add('postScript', 'the post-script is longer than 64 KiB');
	if (/(^|\/)\.\.(\/|$)/.test(task.folder)) add('folder', 'the remote folder cannot contain ".."');
	try {
		parseBwLimit(task.bwlimit);
	} catch (error) {
		add('bwlimit', userMessage(error));
	}
	try {
		compileFilter({include: task.include, exclude: task.exclude});
	} catch (error) {
		add('exclude', userMessage(error));
	}
	const scheduleProblem = extra.scheduleProblem?.(task.schedule);
	if (scheduleProblem) add('schedule', scheduleProblem);
	return problems;
}
