/**
 * `cloudsync task run ID [--dry-run] [--json]`: one run in the foreground, in
 * this process (ForegroundRun). A progress bar on a terminal, plain progress
 * lines otherwise, a JSON record with --json. Ctrl+C or SIGTERM cancels the
 * run cleanly (it ends ABORTED). A hang-up (the SSH session closed) or a
 * reader that went away does not stop the run: it goes on without output and
 * writes its record.
 *
 * Exit codes: 0 the run succeeded, 1 it failed (or could not start, e.g.
 * "task N is already running ..."), 130 it was cancelled.
 */
import {userMessage} from '../core/errors.js';
import type {RunRecord} from '../core/model.js';
import {progressBar, progressText, runSummary} from '../jobs/format.js';
import {ForegroundRun} from '../jobs/foreground-run.js';
import type {RunProgress} from '../jobs/types.js';
import type {Store} from '../store/store.js';
import {failureCode, openStore, printError, type Io} from './io.js';
import type {TaskRunArgs} from './task-run-argv.js';

type Out = NodeJS.WritableStream & {isTTY?: boolean; columns?: number};
export type RunIo = {stdout: Out; stderr: NodeJS.WritableStream};

const ttyRedrawMs = 100;
const plainLineMs = 2000;

export async function taskRunCommand(
	store: Store,
	taskId: number,
	options: {dryRun?: boolean; json?: boolean},
	io: RunIo | Io = {stdout: process.stdout, stderr: process.stderr},
): Promise<number> {
	const out = io.stdout as Out;
	const tty = out.isTTY === true && !options.json;
	const task = await store.requireTask(taskId);
	let hungUp = false;
	const stdout = {write: (text: string) => void (hungUp || out.write(text))};
	const stderr = {write: (text: string) => void (hungUp || io.stderr.write(text))};
	let cancelled = false;
	let lastDraw = 0;
	let drawn = false;
	let lastText = '';
	const clearBar = () => {
		if (drawn) stdout.write('\r\x1b[2K');
		drawn = false;
	};
	const onProgress = (progress: RunProgress) => {
		if (options.json) return;
		const now = Date.now();
		if (tty) {
			if (now - lastDraw < ttyRedrawMs) return;
			lastDraw = now;
			stdout.write(`\r\x1b[2K${progressBar(progress, (out.columns ?? 80) - 1)}`);
			drawn = true;
			return;
		}
		const text = progressText(progress);
		if (now - lastDraw < plainLineMs || text === lastText) return;
		lastDraw = now;
		lastText = text;
		stdout.write(`${text}\n`);
	};
	const onLog = (line: string) => {
		if (options.json) return;
		// The log file has everything; the terminal gets problems and what a dry run would do.
		const message = line.slice(line.indexOf(' ') + 1).replace(/^\S+\s+/, '');
		const important = / (WARN|ERROR) /.test(line.slice(0, 32)) || message.startsWith('Would ') || message.startsWith('Dry run:') || message.startsWith('[pre-script]') || message.startsWith('[post-script]');
		if (!important) return;
		clearBar();
		stdout.write(`${message}\n`);
	};

	const run = await ForegroundRun.start(store, task, {dryRun: options.dryRun, trigger: 'cli'}, {log: onLog, progress: onProgress});
	const onSignal = () => {
		if (cancelled) return;
		cancelled = true;
		clearBar();
		stderr.write('Cancelling the run (Ctrl+C) ...\n');
		run.cancel();
	};
	const onHangUp = () => {
		hungUp = true;
	};
	// Writes to a closed pipe or terminal fail; the run must not die of that.
	const ignore = () => {};
	const onCrash = (error: unknown) => run.crashed(error);
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onHangUp);
	process.on('uncaughtException', onCrash);
	out.on('error', ignore);
	io.stderr.on('error', ignore);
	let record: RunRecord;
	try {
		record = await run.ended;
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		process.off('SIGHUP', onHangUp);
		process.off('uncaughtException', onCrash);
		clearBar();
	}
	if (options.json) stdout.write(JSON.stringify(record, null, 2) + '\n');
	else {
		stdout.write(`Task ${task.id} "${task.description}": ${runSummary(record)}\n`);
		if (record.state !== 'SUCCESS') stdout.write(`The full log: cloudsync task logs ${task.id}\n`);
	}
	if (record.state === 'SUCCESS') return 0;
	if (record.state === 'ABORTED') return 130;
	if (!options.json) stderr.write(`cloudsync: task ${task.id} ${record.state === 'FAILED' ? 'failed' : record.state}: ${userMessage(record.error ?? 'see the log')}\n`);
	return 1;
}

/** `task run` started by the entry without commander: the same store, output and exit codes as through runCli. */
export async function taskRunEntry(args: TaskRunArgs, io: Io): Promise<number> {
	try {
		return await taskRunCommand(await openStore(io.env), args.taskId, {dryRun: args.dryRun, json: args.json}, io);
	} catch (error) {
		printError(io, error);
		return failureCode(error);
	}
}
