import fs from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {processAlive} from '../../source/jobs/process-info.js';
import {describeScriptFailure, runScript, type ScriptOptions} from '../../source/jobs/scripts.js';
import {tempDir} from '../support/home.js';
import {readText, startEntry, waitFor} from './helpers.js';

let cwd: string;
beforeAll(async () => {
	cwd = await tempDir('cloudsync-scripts-');
});
afterAll(() => fs.rmSync(cwd, {recursive: true, force: true}));

async function run(script: string, options: Partial<ScriptOptions> = {}) {
	const lines: string[] = [];
	const outcome = await runScript({
		kind: 'pre-script',
		script,
		env: {PATH: process.env.PATH ?? '/usr/bin:/bin', CLOUD_SYNC_ID: '4'},
		cwd,
		timeoutSec: 30,
		onLine: (line, stream) => lines.push(`${stream}:${line}`),
		...options,
	});
	return {outcome, lines};
}

describe('runScript', () => {
	it('runs the text as a script file, prefixes every output line, and removes the file afterwards', async () => {
		const {outcome, lines} = await run('echo "hello $CLOUD_SYNC_ID"\necho oops >&2\necho "file=$0"\npwd\ntr "\\0" " " < /proc/$$/cmdline; echo');
		expect(outcome).toEqual({ok: true});
		expect(lines).toContain('stdout:[pre-script] hello 4');
		expect(lines).toContain('stderr:[pre-script] oops');
		expect(lines).toContain(`stdout:[pre-script] ${fs.realpathSync(cwd)}`);
		const file = lines.find(line => line.startsWith('stdout:[pre-script] file='))!.slice('stdout:[pre-script] file='.length);
		expect(fs.existsSync(file)).toBe(false);
		// argv holds the shell and the file name only, never the script text
		const argv = lines.filter(line => line.startsWith('stdout:')).at(-1)!.slice('stdout:[pre-script] '.length).trim().split(' ');
		expect(argv).toEqual([expect.stringMatching(/\/(ba)?sh$/), file]);
	});

	it('passes the environment exactly as given (no inherited variables)', async () => {
		const {lines} = await run('env | sort');
		const names = lines.map(line => line.slice('stdout:[pre-script] '.length).split('=')[0]).filter(name => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(name!));
		expect(names).toEqual(['CLOUD_SYNC_ID', 'PATH']);
	});

	it('does not let shell syntax in the text reach a command line', async () => {
		const marker = `${cwd}/injected`;
		const {outcome, lines} = await run(`printf '%s\\n' '$(touch ${marker})' "; touch ${marker}"`);
		expect(outcome.ok).toBe(true);
		expect(fs.existsSync(marker)).toBe(false);
		expect(lines).toContain(`stdout:[pre-script] $(touch ${marker})`);
	});

	it('reports a non-zero exit status', async () => {
		const {outcome} = await run('echo before; exit 3');
		expect(outcome).toEqual({ok: false, reason: 'exit', exitCode: 3});
		if (!outcome.ok) expect(describeScriptFailure('pre-script', outcome)).toBe('the pre-script exited with status 3');
	});

	it('reports a script stopped by a signal as such', async () => {
		const {outcome} = await run('echo going; kill -KILL $$');
		expect(outcome).toEqual({ok: false, reason: 'signal', signal: 'SIGKILL'});
		if (!outcome.ok) expect(describeScriptFailure('post-script', outcome)).toBe('the post-script was killed by SIGKILL');
	});

	it('an exit status above 128 that no signal caused is still an exit status', async () => {
		expect((await run('exit 200')).outcome).toEqual({ok: false, reason: 'exit', exitCode: 200});
	});

	it('stops a script and everything it started at the timeout', async () => {
		const pidFile = `${cwd}/child.pid`;
		const started = Date.now();
		const {outcome} = await run(`sleep 60 & echo $! > ${pidFile}; wait`, {timeoutSec: 1, killGraceMs: 500});
		expect(outcome).toEqual({ok: false, reason: 'timeout', timeoutSec: 1});
		expect(Date.now() - started).toBeLessThan(8000);
		const child = Number(fs.readFileSync(pidFile, 'utf8'));
		await waitFor(() => !processAlive(child), 5000, 'the background child to stop');
	});

	it('stops on abort, also a script that ignores SIGTERM', async () => {
		const controller = new AbortController();
		let pgid = 0;
		const pending = run(`trap '' TERM; echo ready; while true; do sleep 0.1; done`, {
			signal: controller.signal,
			killGraceMs: 300,
			onStart: id => (pgid = id),
			onLine: line => {
				if (line.endsWith('ready')) controller.abort();
			},
		});
		const {outcome} = await pending;
		expect(outcome).toEqual({ok: false, reason: 'aborted'});
		expect(processAlive(pgid)).toBe(false);
	});

	it('when the process running it is killed with SIGKILL, the script and its children stop, one that ignores SIGTERM too', async () => {
		const pids = `${cwd}/killed.pids`;
		const entry = startEntry(new URL('./script-entry.ts', import.meta.url), [cwd, `trap '' TERM; sleep 300 & echo "$$ $!" > ${pids}; while :; do sleep 0.1; done`]);
		const {pgid} = (await entry.next()) as {pgid: number};
		await waitFor(() => fs.existsSync(pids) && readText(pids).includes(' '), 10_000, 'the script to start');
		const [script, child] = readText(pids).trim().split(' ').map(Number);
		entry.child.kill('SIGKILL');
		await entry.closed;
		expect(processAlive(script!)).toBe(true);
		await waitFor(() => !processAlive(script!) && !processAlive(child!) && !processAlive(pgid), 8000, 'the watchdog to stop the script');
	});

	it('a script that ends normally leaves what it started in the background running, and the watchdog is gone', async () => {
		const pidFile = `${cwd}/background.pid`;
		let pgid = 0;
		const {outcome} = await run(`sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}`, {onStart: id => (pgid = id)});
		expect(outcome).toEqual({ok: true});
		const background = Number(fs.readFileSync(pidFile, 'utf8'));
		expect(processAlive(background)).toBe(true);
		// The group holds only that background process: the wrapper and its watchdog ended.
		await waitFor(() => groupMembers(pgid).join() === String(background), 5000, 'the watchdog to end');
		process.kill(background, 'SIGKILL');
	});

	it('does not wait for a background child that keeps the output open', async () => {
		const started = Date.now();
		const {outcome} = await run('(sleep 30 &) ; echo done');
		expect(outcome).toEqual({ok: true});
		expect(Date.now() - started).toBeLessThan(10_000);
	});
});

/** The live processes whose process group is `pgid`, from /proc. */
function groupMembers(pgid: number): number[] {
	const members: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// After "pid (comm)": state, ppid, pgrp, ...
			const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(group) === pgid && state !== 'Z') members.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return members;
}
