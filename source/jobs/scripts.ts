/**
 * Runs a task's pre- or post-script as the current user. The script text is
 * written to a private temp file (mode 0700) that /bin/sh, or bash where it
 * exists, executes: never interpolated into a command line, never in argv.
 * Each script gets its own process group, so a timeout or a cancel stops
 * everything it started; and a watchdog in that group stops it all when this
 * process dies, even by SIGKILL (see `watchdogWrapper`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {signalGroup} from './process-info.js';

export type ScriptKind = 'pre-script' | 'post-script';

export type ScriptOutcome =
	| {ok: true}
	| {ok: false; reason: 'exit'; exitCode: number}
	| {ok: false; reason: 'signal'; signal: string}
	| {ok: false; reason: 'timeout'; timeoutSec: number}
	| {ok: false; reason: 'aborted'}
	| {ok: false; reason: 'spawn'; message: string};

export type ScriptOptions = {
	kind: ScriptKind;
	script: string;
	env: Record<string, string>;
	cwd: string;
	timeoutSec: number;
	signal?: AbortSignal;
	/** One line of output, prefixed with `[pre-script]`/`[post-script]`; `stream` says where it came from. */
	onLine: (line: string, stream: 'stdout' | 'stderr') => void;
	/** The script's process group id, once it runs (to kill it from elsewhere). */
	onStart?: (pgid: number) => void;
	/** Between SIGTERM and SIGKILL. */
	killGraceMs?: number;
};

const maxLineLength = 16 * 1024;
/** How long output pipes may stay open after the script exits (a background child holding them). */
const pipeLingerMs = 2000;

/**
 * A /bin/sh wrapper: `sh -c WRAPPER name SHELL FILE` runs `SHELL FILE` with
 * stdin from /dev/null and exits as it did (re-raising a signal that stopped
 * it). Its stdin is a pipe from this process that nothing writes to: a
 * watchdog in the background reads it, and end of file there means this
 * process is gone, whatever killed it; the watchdog then stops the whole
 * group, TERM and 2 s later KILL. When the script ends normally the
 * watchdog is killed first, so what the script left running is left alone.
 */
const watchdogWrapper = [
	'exec 3<&0 0</dev/null',
	"( while read -r _ <&3; do :; done; trap '' TERM; kill -TERM 0; sleep 2; kill -KILL 0 ) >/dev/null 2>&1 &",
	'watchdog=$!',
	'exec 3<&-',
	'"$1" "$2"',
	'status=$?',
	'kill -KILL "$watchdog" 2>/dev/null',
	'if [ "$status" -gt 128 ] && [ "$status" -lt 160 ]; then kill -s "$(kill -l "$status")" "$$"; fi',
	'exit "$status"',
].join('\n');

export function scriptShell(): string {
	for (const candidate of ['/bin/bash', '/usr/bin/bash']) {
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// next
		}
	}
	return '/bin/sh';
}

function lineSplitter(emit: (line: string) => void): {push(chunk: Buffer | string): void; end(): void} {
	let pending = '';
	return {
		push(chunk) {
			pending += String(chunk);
			const lines = pending.split('\n');
			pending = lines.pop() ?? '';
			for (const line of lines) emit(line.replace(/\r$/, ''));
			while (pending.length > maxLineLength) {
				emit(pending.slice(0, maxLineLength));
				pending = pending.slice(maxLineLength);
			}
		},
		end() {
			if (pending !== '') emit(pending);
			pending = '';
		},
	};
}

export async function runScript(options: ScriptOptions): Promise<ScriptOutcome> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-script-'));
	const file = path.join(dir, `${options.kind}.sh`);
	try {
		fs.writeFileSync(file, options.script.endsWith('\n') ? options.script : options.script + '\n', {mode: 0o700});
		fs.chmodSync(file, 0o700);
		return await execute(file, options);
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

async function execute(file: string, options: ScriptOptions): Promise<ScriptOutcome> {
	const prefix = `[${options.kind}] `;
	// execa is loaded by a run that has a script, not by every run.
	const {execa} = await import('execa');
	if (options.signal?.aborted) return {ok: false, reason: 'aborted'};
	const subprocess = execa('/bin/sh', ['-c', watchdogWrapper, 'cloudsync-script', scriptShell(), file], {
		env: options.env,
		extendEnv: false,
		cwd: options.cwd,
		detached: true,
		// Never written to: it closes when this process dies, and that wakes the watchdog.
		stdin: 'pipe',
		buffer: false,
		reject: false,
		cleanup: true,
	});
	const pid = subprocess.pid;
	const out = lineSplitter(line => options.onLine(prefix + line, 'stdout'));
	const err = lineSplitter(line => options.onLine(prefix + line, 'stderr'));
	subprocess.stdout?.on('data', chunk => out.push(chunk as Buffer));
	subprocess.stderr?.on('data', chunk => err.push(chunk as Buffer));
	let stopping: 'timeout' | 'aborted' | undefined;
	let killTimer: NodeJS.Timeout | undefined;
	const stop = (why: 'timeout' | 'aborted') => {
		if (stopping || pid === undefined) return;
		stopping = why;
		signalGroup(pid, 'SIGTERM');
		killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), options.killGraceMs ?? 2000);
	};
	const timeout = setTimeout(() => stop('timeout'), options.timeoutSec * 1000);
	const onAbort = () => stop('aborted');
	options.signal?.addEventListener('abort', onAbort, {once: true});
	let lingerTimer: NodeJS.Timeout | undefined;
	subprocess.once('exit', () => {
		lingerTimer = setTimeout(() => {
			subprocess.stdout?.destroy();
			subprocess.stderr?.destroy();
		}, pipeLingerMs);
	});
	if (pid !== undefined) options.onStart?.(pid);
	try {
		const result = await subprocess;
		out.end();
		err.end();
		if (stopping === 'timeout') return {ok: false, reason: 'timeout', timeoutSec: options.timeoutSec};
		if (stopping === 'aborted') return {ok: false, reason: 'aborted'};
		if (result.failed && result.exitCode === undefined && !result.signal) {
			return {ok: false, reason: 'spawn', message: result.shortMessage ?? 'the script could not be started'};
		}
		if (result.signal) return {ok: false, reason: 'signal', signal: result.signal};
		if (result.exitCode !== 0) return {ok: false, reason: 'exit', exitCode: result.exitCode ?? -1};
		return {ok: true};
	} finally {
		subprocess.stdin?.destroy();
		clearTimeout(timeout);
		clearTimeout(killTimer);
		clearTimeout(lingerTimer);
		options.signal?.removeEventListener('abort', onAbort);
	}
}

/** One sentence for the run record. */
export function describeScriptFailure(kind: ScriptKind, outcome: Exclude<ScriptOutcome, {ok: true}>): string {
	switch (outcome.reason) {
		case 'exit':
			return `the ${kind} exited with status ${outcome.exitCode}`;
		case 'signal':
			return `the ${kind} was killed by ${outcome.signal}`;
		case 'timeout':
			return `the ${kind} did not finish within ${outcome.timeoutSec} s and was stopped (raise the script timeout if it needs longer)`;
		case 'aborted':
			return `the ${kind} was stopped because the run was cancelled`;
		case 'spawn':
			return `the ${kind} could not be started: ${outcome.message}`;
	}
}
