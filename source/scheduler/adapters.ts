/**
 * The scheduler's two hands into the jobs layer: starting a run through the
 * TaskRunner, and filing a skipped occurrence in the run history.
 */
import {CloudSyncError} from '../core/errors.js';
import {appendRunLog, logLine, newRunId, writeRun} from '../jobs/history.js';
import {readTaskLock} from '../jobs/locks.js';
import type {TaskRunnerApi} from '../jobs/types.js';
import type {ScheduleTrigger, StartRunResult} from './scheduler.js';

/** `startRun` for the Scheduler: 'already-running' when the task's lock is held by a live run. */
export function startRunWith(runner: Pick<TaskRunnerApi, 'start'>, dataDir: string): (taskId: number, options: ScheduleTrigger) => Promise<StartRunResult> {
	return async (taskId, options) => {
		try {
			await runner.start(taskId, options);
			return 'started';
		} catch (error) {
			if (error instanceof CloudSyncError && error.kind === 'conflict' && readTaskLock(dataDir, taskId)) return 'already-running';
			throw error;
		}
	};
}

/** `recordSkip` for the Scheduler: a SKIPPED run record (and its one-line log) in the task's history. */
export function recordSkipIn(dataDir: string, now: () => Date = () => new Date()): (taskId: number, scheduledFor: string, reason: string) => void {
	return (taskId, scheduledFor, reason) => {
		const at = now();
		const id = newRunId(at);
		const error = `the run scheduled for ${scheduledFor} was skipped: ${reason}`;
		writeRun(dataDir, taskId, {
			id,
			taskId,
			state: 'SKIPPED',
			dryRun: false,
			trigger: 'schedule',
			startedAt: at.toISOString(),
			endedAt: at.toISOString(),
			filesTransferred: 0,
			bytesTransferred: 0,
			filesDeleted: 0,
			filesChecked: 0,
			errors: 0,
			error,
		});
		appendRunLog(dataDir, taskId, id, logLine('WARN', `Skipped: ${error}.`, at));
	};
}
