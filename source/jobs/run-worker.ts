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
import {writeRun, type RunFile} from './history.js';
import {releaseTaskLock} from './locks.js';
import {unsavedTaskSchema} from '../core/schemas.js';
import {parseWorkerArgv, type FromWorker, type ToWorker} from './messages.js';
import {performRun, RunLogger} from './perform-run.js';

const args = parseWorkerArgv(process.argv.slice(2));
const controller = new AbortController();

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

const logger = new RunLogger(args, line => void send({type: 'log', line}));

// The terminal's Ctrl+C reaches the parent, which decides; SIGTERM is the cancel.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {
	if (controller.signal.aborted) return;
	logger.log('WARN', 'Cancel requested: stopping transfers and scripts.');
	controller.abort();
});
// The parent may go away (TUI closed); the run goes on and still writes its record.
process.on('disconnect', () => {});

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
	const record = await performRun(logger, {
		async load() {
			const store = await Store.open(args.dataDir);
			const task = args.owner === 'unsaved' ? await receiveTask() : await store.requireTask(args.owner);
			return {store, task};
		},
		where: `worker pid ${process.pid}`,
		signal: controller.signal,
		progress: progress => void send({type: 'progress', progress}),
		scriptStarted: pgid => void send({type: 'script-start', pgid}),
		scriptEnded: pgid => void send({type: 'script-end', pgid}),
	});
	writeRun(args.dataDir, args.owner, record);
	return record;
}

async function finish(record: RunFile | undefined): Promise<void> {
	if (record && args.owner !== 'unsaved') releaseTaskLock(args.dataDir, args.owner, args.runId);
	if (record) await send({type: 'end', record});
	process.exitCode = record ? 0 : 1;
	if (process.connected) process.disconnect();
	// Sockets of the remotes may linger; the run is over.
	process.exit();
}

// No top-level await: the bundle is CommonJS (see source/build/bundle.ts).
void main()
	.catch((error: unknown) => {
		// Only reached when even the record cannot be written; the parent settles the run.
		process.stderr.write(`${logger.redact(userMessage(error))}\n`);
		return undefined;
	})
	.then(finish);
