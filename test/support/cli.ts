import {spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built entry point, as `npm install -g .` would run it. `npm test` builds first. */
export const cliEntry = path.join(repoRoot, 'dist', 'app', 'cli.js');

export type CliResult = {code: number; stdout: string; stderr: string};

/** Runs `cloudsync ARGS` as a real process with its own data directory. */
export async function cloudsync(home: string, args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliEntry, ...args], {
			env: {...process.env, CLOUDSYNC_HOME: home, NO_COLOR: '1', ...options.env},
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', chunk => (stdout += String(chunk)));
		child.stderr.on('data', chunk => (stderr += String(chunk)));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`cloudsync ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`));
		}, options.timeoutMs ?? 60_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code: code ?? -1, stdout, stderr});
		});
		child.stdin.end(options.input ?? '');
	});
}
