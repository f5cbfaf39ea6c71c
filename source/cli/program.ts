import {Command, CommanderError, Option} from 'commander';
import type {Store} from '../store/store.js';
import {failureCode, type Io, oneLine, openStore, printError, UsageError} from './io.js';
import {addTaskFlags} from './task-options.js';

// Command modules (and the store, the providers, their SDKs) are imported by
// the command that runs, so `--version`, `--help` and a local task start fast.
const credentialCommands = () => import('./credential.js');
const taskCommands = () => import('./task.js');
const configCommands = () => import('./config.js');

export type CommandResult = {code: number};

/**
 * The non-interactive face of cloudsync. Each action opens the store, runs one
 * command module and turns its outcome into an exit code: 0 success, 1 failure,
 * 2 wrong usage; failures print one line on stderr.
 */
export function buildProgram(io: Io, version: string, result: CommandResult): Command {
	const program = new Command('cloudsync');
	program
		.description('Back up and restore folders to and from cloud storage. Run without arguments for the full-screen app.')
		.version(version, '-V, --version')
		.option('--json', 'print JSON instead of text')
		.configureOutput({
			writeOut: text => io.stdout.write(text),
			writeErr: text => io.stderr.write(text),
			// Commander's own usage errors, as one line like ours.
			outputError: text => io.stderr.write(`cloudsync: ${oneLine(text.replace(/^error: /, '').trim())} (see --help)\n`),
		})
		.exitOverride();

	const json = () => Boolean(program.opts().json);
	const action =
		<A extends unknown[]>(body: (store: Store, ...args: A) => Promise<number>) =>
		async (...args: A) => {
			result.code = await body(await openStore(io.env), ...args);
		};
	const id = (text: string): number => {
		const n = Number(text);
		if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${JSON.stringify(text)} is not a task id: use the number from \`cloudsync task list\``);
		return n;
	};
	const sub = (parent: Command, name: string, description: string) =>
		parent.command(name).description(description).configureOutput(program.configureOutput()).exitOverride();

	const credential = program.command('credential').description('manage cloud credentials').exitOverride();
	const collect = (value: string, previous: string[] = []) => [...previous, value];
	for (const [name, replace] of [['add', false], ['edit', true]] as const) {
		sub(credential, `${name} <name>`, replace ? 'change fields of a credential (verified again before saving)' : 'add a credential, verified before it is saved')
			.addOption(new Option('--provider <provider>', 'local, s3 or dropbox').makeOptionMandatory(!replace))
			.option('--field <name=value>', 'a provider field; value "-" reads it from standard input (repeatable)', collect, [])
			.option('--field-env <name=VAR>', 'a provider field read from an environment variable, for secrets (repeatable)', collect, [])
			.option('--no-verify', 'save without checking that the credential works')
			.action(
				action(async (store, nameArg: string, options: {provider?: string; field: string[]; fieldEnv: string[]; verify: boolean}) => {
					const provider = options.provider ?? (await store.requireCredential(nameArg)).provider;
					return (await credentialCommands()).credentialAdd(store, nameArg, {...options, provider, replace, json: json()}, io);
				}),
			);
	}
	sub(credential, 'list', 'list credentials').action(action(async store => (await credentialCommands()).credentialList(store, {json: json()}, io)));
	sub(credential, 'show <name>', 'show a credential (secrets masked)').action(action(async (store, name: string) => (await credentialCommands()).credentialShow(store, name, {json: json()}, io)));
	sub(credential, 'verify <name>', 'check that a credential works').action(action(async (store, name: string) => (await credentialCommands()).credentialVerify(store, name, {json: json()}, io)));
	sub(credential, 'rm <name>', 'delete a credential no task uses').action(action(async (store, name: string) => (await credentialCommands()).credentialRemove(store, name, {json: json()}, io)));

	const task = program.command('task').description('manage and run cloud sync tasks').exitOverride();
	addTaskFlags(sub(task, 'add', 'add a task'), false)
		.option('--no-verify', 'do not check the remote location (PULL needs an existing folder)')
		.action(action(async (store, flags) => (await taskCommands()).taskAdd(store, {...flags, json: json()}, io)));
	addTaskFlags(sub(task, 'edit <id>', 'change a task'), true)
		.option('--enabled', 'run on schedule again')
		.option('--no-verify', 'do not check the remote location')
		.action(action(async (store, taskId: string, flags) => (await taskCommands()).taskEdit(store, id(taskId), {...flags, json: json()}, io)));
	sub(task, 'list', 'list tasks with their schedule and last run').action(action(async store => (await taskCommands()).taskList(store, {json: json()}, io)));
	sub(task, 'show <id>', 'show a task (secrets masked)').action(action(async (store, taskId: string) => (await taskCommands()).taskShow(store, id(taskId), {json: json()}, io)));
	sub(task, 'rm <id>', 'delete a task (its files are not touched)').action(action(async (store, taskId: string) => (await taskCommands()).taskRemove(store, id(taskId), {json: json()}, io)));
	sub(task, 'run <id>', 'run a task now in the foreground; Ctrl+C cancels')
		.option('--dry-run', 'show what would change; transfer and delete nothing')
		.action(
			action(async (store, taskId: string, options: {dryRun?: boolean}) => {
				const {taskRunCommand} = await import('./task-run.js');
				return taskRunCommand(store, id(taskId), {dryRun: options.dryRun, json: json()}, io);
			}),
		);
	sub(task, 'restore <id>', 'create a reversed copy of a task to bring its files back')
		.option('--description <text>', 'what the restore task is for (required)')
		.option('--path <dir>', 'the local directory to restore into (required)')
		.option('--mode <copy|sync>', 'copy (default) or sync')
		.action(action(async (store, taskId: string, options: {description?: string; path?: string; mode?: string}) => (await taskCommands()).taskRestore(store, id(taskId), {...options, json: json()}, io)));
	sub(task, 'logs <id>', "print a run's log")
		.option('--follow', 'keep printing new lines while the run goes on')
		.option('--run <n>', 'which run: 1 is the latest (default), 2 the one before, ...')
		.action(
			action(async (store, taskId: string, options: {follow?: boolean; run?: string}) => {
				const {taskLogsCommand} = await import('./task-logs.js');
				const run = options.run === undefined ? undefined : Number(options.run);
				if (run !== undefined && (!Number.isInteger(run) || run < 1)) throw new UsageError(`--run needs a number from 1 (the latest run), not "${options.run}"`);
				return taskLogsCommand(store, id(taskId), {follow: options.follow, run, json: json()}, io);
			}),
		);

	sub(program, 'daemon', 'run scheduled tasks in the foreground (for systemd)').action(
		action(async store => {
			const {daemonCommand} = await import('./daemon.js');
			return daemonCommand(store, io);
		}),
	);

	const config = program.command('config').description('export and import the configuration').exitOverride();
	sub(config, 'export <file>', 'write credentials and tasks to a file')
		.option('--with-secret-seed', 'include the secret seed so the secrets work on another machine')
		.action(action(async (store, file: string, options: {withSecretSeed?: boolean}) => (await configCommands()).configExport(store, file, {...options, json: json()}, io)));
	sub(config, 'import <file>', 'add the credentials and tasks of an export')
		.option('--replace', 'replace the whole configuration instead of adding to it')
		.action(action(async (store, file: string, options: {replace?: boolean}) => (await configCommands()).configImport(store, file, {...options, json: json()}, io)));
	return program;
}

/** Runs one command line; returns the exit code and never throws. */
export async function runCli(argv: string[], io: Io, version: string): Promise<number> {
	const result: CommandResult = {code: 0};
	const program = buildProgram(io, version, result);
	try {
		await program.parseAsync(argv, {from: 'user'});
		return result.code;
	} catch (error) {
		if (error instanceof CommanderError) {
			// Commander already printed its message (or the help/version text).
			return error.exitCode === 0 ? 0 : 2;
		}
		printError(io, error);
		return failureCode(error);
	}
}
