/**
 * Running one side of a benchmark in its own process and reading its wall
 * time and peak RSS (via GNU time's %M, the kernel's maxrss for the child).
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Wall time, peak RSS, and CPU time (user + system; NaN without /usr/bin/time) of one process. */
export type Measured = {seconds: number; rssMb: number; cpuSeconds: number; stdout: string};

export function cacheDir(): string {
	return process.env.CLOUDSYNC_BENCH_CACHE ?? path.join(os.tmpdir(), 'cloudsync-bench-cache');
}

/** Runs `command args` under /usr/bin/time; `stdin` is written to the child (configs and keys never go in argv). */
export function measure(command: string, args: string[], options: {env?: NodeJS.ProcessEnv; stdin?: string} = {}): Promise<Measured> {
	const useTime = fs.existsSync('/usr/bin/time');
	const [cmd, argv] = useTime ? ['/usr/bin/time', ['-f', '__RSS_KB__=%M __CPU__=%U+%S', command, ...args]] : [command, args];
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(cmd, argv as string[], {env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', c => (stdout += c));
		child.stderr.on('data', c => (stderr += c));
		child.stdin.end(options.stdin ?? '');
		child.on('error', reject);
		child.on('close', code => {
			const seconds = (performance.now() - started) / 1000;
			const match = /__RSS_KB__=(\d+)/.exec(stderr);
			const cpu = /__CPU__=([\d.]+)\+([\d.]+)/.exec(stderr);
			if (code !== 0) {
				reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
				return;
			}
			resolve({seconds, rssMb: match ? Number(match[1]) / 1024 : Number.NaN, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN, stdout});
		});
	});
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function rcloneEnv(s3?: {endpoint: string; accessKeyId: string; secretAccessKey: string}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	delete env.AWS_CA_BUNDLE;
	env.RCLONE_CONFIG = path.join(os.tmpdir(), 'cloudsync-bench-no-rclone.conf');
	if (s3) {
		env.RCLONE_CONFIG_BENCHS3_TYPE = 's3';
		env.RCLONE_CONFIG_BENCHS3_PROVIDER = 'Other';
		env.RCLONE_CONFIG_BENCHS3_ENDPOINT = s3.endpoint;
		env.RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID = s3.accessKeyId;
		env.RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY = s3.secretAccessKey;
		env.RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE = 'true';
		env.RCLONE_CONFIG_BENCHS3_REGION = 'us-east-1';
	}
	return env;
}
