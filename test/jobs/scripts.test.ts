import fs from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {processAlive} from '../../source/jobs/process-info.js';
import {describeScriptFailure, runScript, type ScriptOptions} from '../../source/jobs/scripts.js';
import {tempDir} from '../support/home.js';

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

	it('stops a script and everything it started at the timeout', async () => {
		const pidFile = `${cwd}/child.pid`;
		const started = Date.now();
		const {outcome} = await run(`sleep 60 & echo $! > ${pidFile}; wait`, {timeoutSec: 1, killGraceMs: 500});
		expect(outcome).toEqual({ok: false, reason: 'timeout', timeoutSec: 1});
		expect(Date.now() - started).toBeLessThan(8000);
		const child = Number(fs.readFileSync(pidFile, 'utf8'));
		await new Promise(r => setTimeout(r, 100));
		expect(processAlive(child)).toBe(false);
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

	it('does not wait for a background child that keeps the output open', async () => {
		const started = Date.now();
		const {outcome} = await run('(sleep 30 &) ; echo done');
		expect(outcome).toEqual({ok: true});
		expect(Date.now() - started).toBeLessThan(10_000);
	});
});
