import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import {CloudSyncError} from '../../source/core/errors.js';
import type {TaskInput} from '../../source/core/model.js';
import type {TaskRunner} from '../../source/jobs/runner.js';

export const schedule = {preset: 'daily', minute: '0', hour: '3', dom: '*', month: '*', dow: '*'} as const;

export function taskInput(patch: Partial<Omit<TaskInput, 'id'>> & {path: string; credential: string}): Omit<TaskInput, 'id'> {
	return {
		description: 'test task',
		direction: 'PUSH',
		transferMode: 'SYNC',
		bucket: '',
		folder: '',
		schedule: {...schedule},
		enabled: true,
		...patch,
	};
}

export async function refusal(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (!(error instanceof CloudSyncError)) throw error;
		return `${error.kind}: ${error.message}`;
	}
	return 'not refused';
}

/** Resolves when the runner logs a line matching `pattern`. */
export function logged(runner: TaskRunner, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			runner.off('log', listener);
			reject(new Error(`no log line matched ${pattern} within ${timeoutMs} ms`));
		}, timeoutMs);
		const listener = (_id: number, line: string) => {
			if (!pattern.test(line)) return;
			clearTimeout(timer);
			runner.off('log', listener);
			resolve(line);
		};
		runner.on('log', listener);
	});
}

export async function waitFor(check: () => boolean, timeoutMs = 20_000, what = 'the condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
		await new Promise(r => setTimeout(r, 50));
	}
}

export type EntryProcess = {child: ChildProcess; lines: unknown[]; next(): Promise<Record<string, unknown>>; closed: Promise<number | null>};

/** Starts a TypeScript entry script in its own node process, reading JSON lines from its stdout. */
export function startEntry(script: URL, args: string[], env: NodeJS.ProcessEnv = process.env): EntryProcess {
	const child = spawn(process.execPath, ['--import', 'tsx', script.pathname, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env});
	const lines: Record<string, unknown>[] = [];
	const waiters: Array<(line: Record<string, unknown>) => void> = [];
	let buffer = '';
	let stderr = '';
	child.stderr!.on('data', chunk => (stderr += String(chunk)));
	child.stdout!.on('data', chunk => {
		buffer += String(chunk);
		const parts = buffer.split('\n');
		buffer = parts.pop()!;
		for (const part of parts) {
			if (!part.startsWith('{')) continue;
			const line = JSON.parse(part) as Record<string, unknown>;
			const waiter = waiters.shift();
			if (waiter) waiter(line);
			else lines.push(line);
		}
	});
	const closed = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
	return {
		child,
		lines,
		next: () =>
			lines.length > 0
				? Promise.resolve(lines.shift()!)
				: new Promise((resolve, reject) => {
						waiters.push(resolve);
						void closed.then(() => reject(new Error(`the entry process ended: ${stderr}`)));
					}),
		closed,
	};
}

export function readText(file: string): string {
	return fs.readFileSync(file, 'utf8');
}

/** A credential for the test's s3rver (or a proxy in front of it). */
export function s3Credential(name: string, endpoint: string) {
	return {
		name,
		provider: 's3' as const,
		attributes: {access_key_id: 'S3RVER', secret_access_key: 'S3RVER', endpoint, region: 'us-east-1', force_path_style: true},
	};
}
