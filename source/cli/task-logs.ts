/**
 * `cloudsync task logs ID [--follow] [--run N] [--json]`: prints a run's log
 * (run 1 is the latest), or follows it until the run ends.
 */
import {CloudSyncError} from '../core/errors.js';
import {followRunLog, listRuns, nthRun, readRunLog} from '../jobs/history.js';
import type {Store} from '../store/store.js';
import type {Io} from './io.js';
import {counted} from '../core/words.js';

export type LogsIo = {stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream};

export async function taskLogsCommand(
	store: Store,
	taskId: number,
	options: {follow?: boolean; run?: number; json?: boolean},
	io: LogsIo | Io = {stdout: process.stdout, stderr: process.stderr},
): Promise<number> {
	const n = options.run ?? 1;
	const runs = listRuns(store.dir, taskId);
	if (runs.length === 0) {
		// A deleted task's runs stay readable; only complain about the task when there are none.
		await store.requireTask(taskId);
		throw new CloudSyncError('not_found', `task ${taskId} has not run yet: start it with \`cloudsync task run ${taskId}\``);
	}
	const record = nthRun(store.dir, taskId, n);
	if (!record) throw new CloudSyncError('not_found', `task ${taskId} has ${counted(runs.length, 'run')} kept, so there is no run ${n}: ${runs.length === 1 ? 'use --run 1' : `use --run 1 to ${runs.length}`}`);

	if (!options.follow) {
		const log = readRunLog(store.dir, taskId, record.id);
		if (options.json) io.stdout.write(JSON.stringify({run: record, log: log.split('\n').filter(line => line !== '')}, null, 2) + '\n');
		else io.stdout.write(log);
		return 0;
	}
	const controller = new AbortController();
	const stop = () => controller.abort();
	process.on('SIGINT', stop);
	const lines: string[] = [];
	try {
		const final = await followRunLog(
			store.dir,
			taskId,
			record.id,
			line => {
				if (options.json) lines.push(line);
				else io.stdout.write(line + '\n');
			},
			{signal: controller.signal},
		);
		if (options.json) io.stdout.write(JSON.stringify({run: final ?? record, log: lines}, null, 2) + '\n');
	} finally {
		process.off('SIGINT', stop);
	}
	return 0;
}
