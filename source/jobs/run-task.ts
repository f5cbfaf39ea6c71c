/**
 * What one run does, in order: snapshot, pre-script, sync, release the
 * snapshot, post-script (only after a successful sync). Runs inside the
 * worker process; every line it logs goes through the run's redactor.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {userMessage} from '../core/errors.js';
import type {Credential, Task} from '../core/model.js';
import {scriptEnvironment, scriptProcessEnvironment} from '../core/script-env.js';
import type {Remote} from '../providers/remote.js';
import {runSync} from '../sync/engine.js';
import type {PlanItem, SyncLogEntry, SyncProgress, SyncResult} from '../sync/types.js';
import {describeScriptFailure, runScript, type ScriptKind} from './scripts.js';
import {createSnapshot, type Snapshot} from './snapshot.js';
import type {RunProgress} from './types.js';
import {counted} from '../core/words.js';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG';

export type RunContext = {
	task: Task;
	credential: Credential;
	runId: string;
	dryRun: boolean;
	signal: AbortSignal;
	/** When the run began: unfinished uploads begun before it were left by a killed run. */
	startedAt: Date;
	/** The task's previous run was killed: look for the temp files it left. */
	previousRunDied?: boolean;
	mtimeIndexFile?: string;
	/** Keeps renewed provider tokens (Dropbox) in the store. */
	saveCredentialAttributes?: (attributes: Credential['attributes']) => Promise<void>;
	log(level: LogLevel, message: string): void;
	progress(progress: RunProgress): void;
	scriptStarted(pgid: number): void;
	scriptEnded(pgid: number): void;
};

export type RunOutcome = {state: 'SUCCESS' | 'FAILED' | 'ABORTED'; error?: string; result?: SyncResult};

const levels: Record<SyncLogEntry['level'], LogLevel> = {debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR'};

export function toRunProgress(progress: SyncProgress): RunProgress {
	return {
		filesDone: progress.filesDone,
		filesTotal: progress.filesTotal,
		bytesDone: progress.bytesDone,
		bytesTotal: progress.bytesTotal,
		speed: progress.speed,
		etaSeconds: progress.etaSeconds,
		currentFiles: progress.current.map(file => ({path: file.path, bytesDone: file.bytes, size: file.size})),
		phase: progress.listing ? 'listing' : 'transferring',
	};
}

const planVerbs: Record<string, string> = {
	copy: 'copy',
	replace: 'replace',
	update: 'update',
	'set-mtime': 'set the modification time of',
	delete: 'delete from the destination',
	'delete-source': 'delete from the source',
	mkdir: 'create the folder',
	rmdir: 'remove the folder',
};

export function describePlanItem(item: PlanItem): string {
	const verb = planVerbs[item.action] ?? item.action;
	const size = item.action === 'copy' || item.action === 'replace' ? ` (${item.size} bytes)` : '';
	return `Would ${verb} ${item.path}${size}`;
}

function syncFailure(result: SyncResult): string {
	const first = result.errors[0];
	const count = result.counts.errors || result.errors.length;
	if (!first) return 'the sync failed';
	const where = first.path ? `${first.path}: ` : '';
	return `${counted(count, 'error')} during the sync, the first: ${where}${first.message}`;
}

export async function executeRun(context: RunContext): Promise<RunOutcome> {
	const {task, dryRun, signal} = context;
	const aborted = (): RunOutcome => ({state: 'ABORTED', error: 'the run was cancelled'});
	if (task.secretsUnusable || context.credential.secretsUnusable) {
		return {state: 'FAILED', error: `the secrets of task ${task.id} or of credential "${task.credential}" could not be decrypted (imported without the secret key): enter them again`};
	}

	let snapshot: Snapshot | undefined;
	if (task.snapshot && dryRun) context.log('INFO', 'Dry run: no snapshot is taken; the folder itself is read.');
	else if (task.snapshot) {
		try {
			snapshot = await createSnapshot(task, context.runId);
			context.log('INFO', `Took ${snapshot.description}.`);
		} catch (error) {
			return {state: 'FAILED', error: userMessage(error)};
		}
	}

	let outcome: RunOutcome;
	let releaseFailure: string | undefined;
	try {
		outcome = await scriptsAndSync(context, snapshot);
	} finally {
		if (snapshot) {
			try {
				await snapshot.release();
				context.log('INFO', `Removed ${snapshot.description}.`);
			} catch (error) {
				releaseFailure = `could not remove ${snapshot.description}: ${userMessage(error)}`;
				context.log('ERROR', `Could not remove ${snapshot.description}: ${userMessage(error)}; remove it by hand.`);
			}
		}
	}
	if (releaseFailure && outcome.state === 'SUCCESS') return {state: 'FAILED', error: releaseFailure, result: outcome.result};
	if (outcome.state !== 'SUCCESS') return outcome;
	if (signal.aborted) return aborted();

	if (task.postScript.trim() !== '') {
		if (dryRun) context.log('INFO', 'Dry run: the post-script is not run.');
		else {
			const failure = await script(context, 'post-script', task.postScript);
			if (failure) return signal.aborted ? aborted() : {state: 'FAILED', error: failure, result: outcome.result};
		}
	}
	return outcome;
}

async function scriptsAndSync(context: RunContext, snapshot: Snapshot | undefined): Promise<RunOutcome> {
	const {task, dryRun, signal} = context;
	if (signal.aborted) return {state: 'ABORTED', error: 'the run was cancelled'};
	if (task.preScript.trim() !== '') {
		if (dryRun) context.log('INFO', 'Dry run: the pre-script is not run.');
		else {
			const failure = await script(context, 'pre-script', task.preScript);
			if (failure) {
				if (signal.aborted) return {state: 'ABORTED', error: 'the run was cancelled'};
				return {state: 'FAILED', error: `${failure}; nothing was transferred`};
			}
		}
	}
	if (signal.aborted) return {state: 'ABORTED', error: 'the run was cancelled'};

	let localPath = snapshot?.sourcePath;
	let emptyStandIn: string | undefined;
	if (task.direction === 'PULL' && !fs.existsSync(task.path)) {
		if (dryRun) {
			// Nothing may be created in a dry run: compare against an empty folder instead.
			emptyStandIn = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-dry-'));
			localPath = emptyStandIn;
			context.log('INFO', `Dry run: ${task.path} does not exist yet; the run would create it.`);
		} else fs.mkdirSync(task.path, {recursive: true});
	} else if (task.direction === 'PULL' && !dryRun && context.previousRunDied) {
		const {removeOrphanTemps} = await import('./orphans.js');
		for (const name of await removeOrphanTemps(task.path, context.startedAt, signal)) {
			context.log('INFO', `${name}: removed a temp file left by the earlier run that was killed.`);
		}
	}
	// Provider code loads only when a run gets this far.
	const {openRunRemotes} = await import('./remotes.js');
	const remotes = await openRunRemotes(task, context.credential, {localPath, mtimeIndexFile: context.mtimeIndexFile, onAttributesUpdated: context.saveCredentialAttributes});
	let result: SyncResult;
	try {
		if (task.direction === 'PUSH' && !dryRun) await clearStaleUploads(context, remotes.provider);
		result = await runSync({
			source: remotes.source,
			destination: remotes.destination,
			mode: task.transferMode,
			dryRun,
			transfers: task.transfers,
			filter: {include: task.include, exclude: [...(snapshot?.exclude ?? []), ...task.exclude]},
			createEmptySrcDirs: task.createEmptySrcDirs,
			bwlimit: task.bwlimit,
			signal,
			preserveMetadata: true,
			onProgress: progress => context.progress(toRunProgress(progress)),
			onLog: entry => context.log(levels[entry.level], entry.path ? `${entry.path}: ${entry.message}` : entry.message),
		});
	} finally {
		await Promise.allSettled([remotes.local.close?.(), remotes.cloud.close?.()]);
		if (emptyStandIn) fs.rmSync(emptyStandIn, {recursive: true, force: true});
	}
	if (dryRun && result.plan) {
		if (result.plan.length === 0) context.log('INFO', 'Dry run: nothing would change.');
		for (const item of result.plan) context.log('INFO', describePlanItem(item));
	}
	if (result.aborted || signal.aborted) return {state: 'ABORTED', error: 'the run was cancelled', result};
	if (!result.ok) return {state: 'FAILED', error: syncFailure(result), result};
	return {state: 'SUCCESS', result};
}

/**
 * Uploads under the task's location that a killed run of this task left
 * unfinished (one run per task at a time, so any begun before this run are
 * orphans). Best effort: a service without ListMultipartUploads is not an error.
 */
async function clearStaleUploads(context: RunContext, remote: Remote): Promise<void> {
	if (!remote.abortStaleUploads) return;
	try {
		const keys = await remote.abortStaleUploads(context.startedAt, {signal: context.signal});
		for (const key of keys) context.log('INFO', `${key}: aborted an unfinished upload left by an earlier run.`);
	} catch (error) {
		context.log('DEBUG', `Could not check for unfinished uploads: ${userMessage(error)}`);
	}
}

/** Runs one script; the failure sentence, or undefined when it succeeded. */
async function script(context: RunContext, kind: ScriptKind, text: string): Promise<string | undefined> {
	const {task, credential} = context;
	context.log('INFO', `Running the ${kind}.`);
	const variables = scriptEnvironment(task, credential);
	let cwd = task.path;
	if (!fs.existsSync(cwd)) cwd = '/';
	let started: number | undefined;
	const outcome = await runScript({
		kind,
		script: text,
		env: scriptProcessEnvironment(process.env, variables),
		cwd,
		timeoutSec: task.scriptTimeoutSec,
		signal: context.signal,
		onLine: (line, stream) => context.log(stream === 'stderr' ? 'WARN' : 'INFO', line),
		onStart: pgid => {
			started = pgid;
			context.scriptStarted(pgid);
		},
	});
	if (started !== undefined) context.scriptEnded(started);
	if (outcome.ok) {
		context.log('INFO', `The ${kind} finished.`);
		return undefined;
	}
	const failure = describeScriptFailure(kind, outcome);
	context.log('ERROR', `${failure[0]!.toUpperCase()}${failure.slice(1)}.`);
	return failure;
}
