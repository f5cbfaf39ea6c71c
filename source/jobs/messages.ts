import {createRequire} from 'node:module';
import {fileURLToPath, pathToFileURL} from 'node:url';
import type {Task} from '../core/model.js';
import type {RunFile, RunOwner} from './history.js';
import type {RunProgress} from './types.js';

/** Parent -> worker: the task of an unsaved dry run (never in argv or env). */
export type ToWorker = {type: 'task'; task: Task};

/** Worker -> parent. Every line is already free of secrets. */
export type FromWorker =
	| {type: 'log'; line: string}
	| {type: 'progress'; progress: RunProgress}
	| {type: 'script-start'; pgid: number}
	| {type: 'script-end'; pgid: number}
	| {type: 'end'; record: RunFile};

export type WorkerArguments = {dataDir: string; owner: RunOwner; runId: string; dryRun: boolean};

export function workerArgv(args: WorkerArguments): string[] {
	return ['--data-dir', args.dataDir, '--owner', String(args.owner), '--run', args.runId, ...(args.dryRun ? ['--dry-run'] : [])];
}

export function parseWorkerArgv(argv: string[]): WorkerArguments {
	const value = (flag: string) => {
		const index = argv.indexOf(flag);
		const found = index >= 0 ? argv[index + 1] : undefined;
		if (found === undefined) throw new Error(`the run worker needs ${flag}`);
		return found;
	};
	const owner = value('--owner');
	return {
		dataDir: value('--data-dir'),
		owner: owner === 'unsaved' ? 'unsaved' : Number(owner),
		runId: value('--run'),
		dryRun: argv.includes('--dry-run'),
	};
}


/** How to start the worker: TypeScript sources (tests, tsx) need the tsx loader, dist runs plain. */
export function workerCommand(): {file: string; execArgv: string[]} {
	const fromSources = import.meta.url.endsWith('.ts');
	const file = fileURLToPath(new URL(fromSources ? './run-worker.ts' : './run-worker.js', import.meta.url));
	if (!fromSources) return {file, execArgv: []};
	const tsx = createRequire(import.meta.url).resolve('tsx');
	return {file, execArgv: ['--import', pathToFileURL(tsx).href]};
}
