/**
 * The entry starts `task run` without commander only for the plain forms
 * commander would read the same way; everything else (help, mistakes, other
 * commands) still goes through commander and its messages.
 */
import {expect, test} from 'vitest';
import {taskRunArgv} from '../../source/cli/task-run-argv.js';

test('plain task runs, with --json anywhere and --dry-run after run', () => {
	expect(taskRunArgv(['task', 'run', '7'])).toEqual({taskId: 7, dryRun: false, json: false});
	expect(taskRunArgv(['--json', 'task', 'run', '12', '--dry-run'])).toEqual({taskId: 12, dryRun: true, json: true});
	expect(taskRunArgv(['task', '--json', 'run', '--dry-run', '3'])).toEqual({taskId: 3, dryRun: true, json: true});
	expect(taskRunArgv(['task', 'run', '3', '--json'])).toEqual({taskId: 3, dryRun: false, json: true});
});

test('everything else is left to commander', () => {
	for (const argv of [
		[],
		['task', 'run'],
		['task', 'run', '1', '2'],
		['task', 'run', '0'],
		['task', 'run', '01'],
		['task', 'run', '1x'],
		['task', 'run', '1e3'],
		['task', 'run', '-1'],
		['task', 'run', '1', '--help'],
		['task', 'run', '1', '--dry-run=x'],
		['task', 'run', '1', '--'],
		['task', '--dry-run', 'run', '1'],
		['task', 'logs', '1'],
		['run', 'task', '1'],
		['--version'],
		['task', 'run', '1234567890123456'],
	]) {
		expect(taskRunArgv(argv), argv.join(' ')).toBeUndefined();
	}
});
