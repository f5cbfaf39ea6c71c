/**
 * The process one run executes in (started by TaskRunner). It opens the
 * store itself (argv carries only the data directory, the task id and the
 * run id; an unsaved task arrives over the IPC channel), runs the task,
 * writes the run's log and final record, releases the task lock, and streams
 * progress and log lines to its parent. SIGTERM cancels the run; the parent
 * follows up with SIGKILL when that takes too long.
 */
import {userMessage} from '../core/errors.js';
import type {Task} from '../core/model.js';
import {Store} from '../store/store.js';
import {appendRunLog, diedMessage, listRuns, logLine, mtimeIndexPath, printableText, readRun, writeRun, type RunFile} from './history.js';
import {releaseTaskLock} from './locks.js';
import {parseWorkerArgv, unsavedTaskSchema, type FromWorker, type ToWorker} from './messages.js';
import {makeRedactor, type Redactor} from './redact.js';
import {executeRun, type LogLevel, type RunOutcome} from './run-task.js';
import {runSecrets} from './secrets.js';

const args = parseWorkerArgv(process.argv.slice(2));
const controller = new AbortController();
let redact: Redactor = line => line;

function send(message: FromWorker): Promise<void> {
	return new Promise(resolve => {
		if (!process.connected || !process.send) return resolve();
		try {
			process.send(message, undefined, {}, () => resolve());
		} catch {
			resolve();
		}
	});
}

function log(level: LogLevel, message: string): void {
	const line = redact(logLine(level, message));
	try {
		appendRunLog(args.dataDir, args.owner, args.runId, line);
	} catch {
		// a full disk must not stop the run; the parent still gets the line
	}
	void send({type: 'log', line});
}

// The terminal's Ctrl+C reaches the parent, which decides; SIGTERM is the cancel.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {
	if (controller.signal.aborted) return;
	log('WARN', 'Cancel requested: stopping transfers and scripts.');
	controller.abort();
});
// The parent may go away (TUI closed); the run goes on and still writes its record.
process.on('disconnect', () => {});

/** Whether the run before this one ended because its process died (kill -9, a crash, power loss). */
function previousRunDied(owner: number, runId: string): boolean {
	const previous = listRuns(args.dataDir, owner).find(run => run.id < runId);
	return previous !== undefined && previous.state === 'FAILED' && (previous.error ?? '').startsWith(diedMessage);
}

function receiveTask(): Promise<Task> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('the runner did not send the task to run')), 30_000);
		process.once('message', (message: ToWorker) => {
			clearTimeout(timer);
			const parsed = unsavedTaskSchema.safeParse(message?.task);
			if (message?.type === 'task' && parsed.success) resolve(parsed.data);
			else reject(new Error('the runner sent an invalid task'));
		});
	});
}

async function main(): Promise<RunFile> {
	const initial = readRun(args.dataDir, args.owner, args.runId);
	if (!initial) throw new Error(`run ${args.runId} has no record`);
	let outcome: RunOutcome;
	try {
		const store = await Store.open(args.dataDir);
		const task = args.owner === 'unsaved' ? await receiveTask() : await store.requireTask(args.owner);
		const credential = await store.requireCredential(task.credential);
		redact = makeRedactor(runSecrets(task, credential));
		log('INFO', `Task ${task.id} "${task.description}": ${task.direction} ${task.transferMode}${args.dryRun ? ' (dry run)' : ''}, local ${task.path}, worker pid ${process.pid}.`);
		outcome = await executeRun({
			task,
			credential,
			runId: args.runId,
			dryRun: args.dryRun,
			signal: controller.signal,
			startedAt: new Date(initial.startedAt),
			previousRunDied: args.owner !== 'unsaved' && previousRunDied(args.owner, args.runId),
			mtimeIndexFile: args.owner === 'unsaved' ? undefined : mtimeIndexPath(args.dataDir, task.id),
			saveCredentialAttributes: async attributes => {
				const current = await store.requireCredential(credential.name);
				await store.saveCredential({...current, attributes: {...current.attributes, ...attributes}}, {replace: true});
			},
			log,
			progress: progress => void send({type: 'progress', progress}),
			scriptStarted: pgid => void send({type: 'script-start', pgid}),
			scriptEnded: pgid => void send({type: 'script-end', pgid}),
		});
	} catch (error) {
		outcome = controller.signal.aborted ? {state: 'ABORTED', error: 'the run was cancelled'} : {state: 'FAILED', error: userMessage(error)};
	}
	const counts = outcome.result?.counts;
	const error = outcome.error === undefined ? undefined : printableText(redact(outcome.error));
	const record: RunFile = {
		...initial,
		pid: process.pid,
		state: outcome.state,
		endedAt: new Date().toISOString(),
		filesTransferred: counts?.copied ?? 0,
		bytesTransferred: outcome.result?.bytes ?? 0,
		filesDeleted: counts?.deleted ?? 0,
		filesChecked: counts?.checked ?? 0,
		filesUpdated: counts?.updated ?? 0,
		filesSkipped: counts?.skipped ?? 0,
		errors: counts?.errors ?? (outcome.state === 'FAILED' ? 1 : 0),
		...(error === undefined ? {} : {error}),
		...(outcome.result?.errors.length ? {errorList: outcome.result.errors.slice(0, 20).map(e => ({path: printableText(redact(e.path)), message: printableText(redact(e.message))}))} : {}),
	};
	const summary =
		outcome.state === 'SUCCESS'
			? args.dryRun
				? `Dry run succeeded: would transfer ${record.filesTransferred} file(s) (${record.bytesTransferred} bytes) and delete ${record.filesDeleted}; ${record.filesChecked} unchanged.`
				: `Run succeeded: ${record.filesTransferred} transferred, ${record.filesDeleted} deleted, ${record.filesChecked} unchanged, ${record.bytesTransferred} bytes.`
			: outcome.state === 'ABORTED'
				? `Run cancelled: ${record.filesTransferred} transferred before it stopped; nothing unverified was deleted.`
				: `Run failed: ${error}.`;
	log(outcome.state === 'SUCCESS' ? 'INFO' : 'ERROR', summary);
	writeRun(args.dataDir, args.owner, record);
	return record;
}

const record = await main().catch((error: unknown) => {
	// Only reached when even the record cannot be written; the parent settles the run.
	process.stderr.write(`${redact(userMessage(error))}\n`);
	return undefined;
});
if (record && args.owner !== 'unsaved') releaseTaskLock(args.dataDir, args.owner, args.runId);
if (record) await send({type: 'end', record});
process.exitCode = record ? 0 : 1;
if (process.connected) process.disconnect();
// Sockets of the remotes may linger; the run is over.
process.exit();
