/**
 * The start of a run, the same for the worker's runner (TaskRunner) and a
 * command's own run (ForegroundRun): its RUNNING record and the first line of
 * its log. Kept apart from perform-run.ts, which loads the sync engine: the
 * app makes a runner before its first frame.
 */
import type {Task} from '../core/model.js';
import type {Store} from '../store/store.js';
import {appendRunLog, logLine, startingRecord, writeRun, type RunOwner} from './history.js';
import {makeRedactor, type Redactor} from './redact.js';
import {runSecrets} from './secrets.js';
import type {StartOptions} from './types.js';

export type StartPlace = {dataDir: string; owner: RunOwner; runId: string; dryRun: boolean; startedAt: string};

/**
 * Files a run as it starts: its RUNNING record (naming this process) and the
 * first line of its log. Returns the redactor of the task's secrets and that
 * line. The caller holds the task lock and settles the run if this throws.
 */
export async function recordRunStart(
	store: Store,
	task: Task,
	place: StartPlace,
	options: Pick<StartOptions, 'trigger' | 'scheduledFor'>,
): Promise<{redact: Redactor; firstLine: string}> {
	const credential = await store.getCredential(task.credential);
	const redact = makeRedactor(runSecrets(task, credential));
	const trigger = options.trigger ?? 'manual';
	writeRun(place.dataDir, place.owner, startingRecord({id: place.runId, task, dryRun: place.dryRun, trigger, startedAt: place.startedAt, unsaved: place.owner === 'unsaved'}));
	const how = `${trigger}${options.scheduledFor ? `, scheduled for ${options.scheduledFor}` : ''}`;
	const firstLine = redact(logLine('INFO', `Run ${place.runId} of ${place.owner === 'unsaved' ? 'the unsaved task' : `task ${task.id}`}${place.dryRun ? ' (dry run)' : ''} started by pid ${process.pid} (${how}).`));
	appendRunLog(place.dataDir, place.owner, place.runId, firstLine);
	return {redact, firstLine};
}
