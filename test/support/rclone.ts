/**
 * Runs the real rclone binary for cross-checks. rclone is configured only by
 * environment variables (RCLONE_CONFIG_<NAME>_<OPTION>) and an empty config
 * file in a temp directory, never the user's ~/.config/rclone; secrets go
 * through the environment, never argv. AWS_CA_BUNDLE is removed because
 * Debian's rclone 1.60 fails every S3 command while it is set.
 */
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RcloneResult = {code: number; stdout: string; stderr: string};
export type RcloneRunOptions = {
	/** Added to the environment (e.g. a remote's env). */
	env?: Record<string, string>;
	/** Written to rclone's standard input. */
	input?: string;
	cwd?: string;
	/** Kills rclone after this long (default 120 s). */
	timeoutMs?: number;
};

/** A remote defined by environment variables: use `path('bucket/dir')` as an rclone path. */
export type RcloneRemote = {
	name: string;
	env: Record<string, string>;
	path(inside?: string): string;
};

let binary: string | undefined;
let configDir: string | undefined;

/** The rclone binary, or a clear error when it is missing. */
export function rcloneBinary(): string {
	if (binary) return binary;
	try {
		binary = execFileSync('sh', ['-c', 'command -v rclone'], {encoding: 'utf8'}).trim();
	} catch {
		binary = '';
	}
	if (!binary) throw new Error('rclone is not installed: these cross-checks need the real rclone binary (Debian: apt-get install rclone; CI installs it in .ci/run)');
	return binary;
}

function emptyConfig(): string {
	if (!configDir) {
		configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-rclone-'));
		fs.writeFileSync(path.join(configDir, 'rclone.conf'), '');
	}
	return path.join(configDir, 'rclone.conf');
}

/** Runs rclone with `args`; resolves with the exit code and output (it does not throw on a non-zero code). */
export async function runRclone(args: string[], options: RcloneRunOptions = {}): Promise<RcloneResult> {
	const bin = rcloneBinary();
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined || key === 'AWS_CA_BUNDLE' || key.startsWith('RCLONE_')) continue;
		env[key] = value;
	}
	Object.assign(env, {RCLONE_CONFIG: emptyConfig(), HOME: configDir!}, options.env);
	return new Promise((resolve, reject) => {
		const child = spawn(bin, args, {env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
		child.on('error', error => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code: code ?? -1, stdout, stderr});
		});
		child.stdin.end(options.input ?? '');
	});
}

/** Like runRclone, but throws with rclone's stderr when it exits non-zero. */
export async function rclone(args: string[], options: RcloneRunOptions = {}): Promise<string> {
	const result = await runRclone(args, options);
	if (result.code !== 0) throw new Error(`rclone ${args[0]} failed (exit ${result.code}): ${result.stderr.trim()}`);
	return result.stdout;
}

function optionEnv(name: string, options: Record<string, string>): Record<string, string> {
	const prefix = `RCLONE_CONFIG_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
	return Object.fromEntries(Object.entries(options).map(([key, value]) => [`${prefix}${key.toUpperCase()}`, value]));
}

/** Any remote from rclone options, e.g. {type: 'crypt', remote: 's3test:bucket', password: obscured}. */
export function rcloneRemote(name: string, options: Record<string, string>): RcloneRemote {
	return {name, env: optionEnv(name, options), path: (inside = '') => `${name}:${inside}`};
}

/** An S3 remote for a running s3rver (or anything with an endpoint and keys), path-style, us-east-1. */
export function s3rverRemote(server: {endpoint: string; accessKeyId: string; secretAccessKey: string}, name = 's3test'): RcloneRemote {
	return rcloneRemote(name, {
		type: 's3',
		provider: 'Other',
		endpoint: server.endpoint,
		access_key_id: server.accessKeyId,
		secret_access_key: server.secretAccessKey,
		region: 'us-east-1',
		force_path_style: 'true',
	});
}

/** A remote that is a local directory (rclone's "alias" of a local path). */
export function localRemote(directory: string, name = 'localtest'): RcloneRemote {
	return rcloneRemote(name, {type: 'alias', remote: directory});
}

/** rclone's obscured form of a password (for crypt remotes), passed through stdin. */
export async function rcloneObscure(secret: string): Promise<string> {
	return (await rclone(['obscure', '-'], {input: secret})).trim();
}

/** Merges the env of several remotes for one rclone call. */
export function remotesEnv(...remotes: RcloneRemote[]): Record<string, string> {
	return Object.assign({}, ...remotes.map(r => r.env));
}

export type LsjsonItem = {
	Path: string;
	Name: string;
	Size: number;
	ModTime: string;
	IsDir: boolean;
	Hashes?: Record<string, string>;
	Metadata?: Record<string, string>;
};

/** `rclone lsjson` parsed; add flags such as --hash, -R, --files-only, -M. */
export async function lsjson(target: string, flags: string[], options: RcloneRunOptions = {}): Promise<LsjsonItem[]> {
	return JSON.parse(await rclone(['lsjson', ...flags, target], options)) as LsjsonItem[];
}

/** Milliseconds since the epoch from rclone's RFC 3339 time, keeping the nanoseconds as a fraction. */
export function rcloneTimeToMs(text: string): number {
	const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
	if (!match) throw new Error(`not an rclone time: ${text}`);
	const [, whole, fraction = '', zone] = match;
	const seconds = Date.parse(`${whole}${zone}`);
	return seconds + Number(fraction.padEnd(9, '0').slice(0, 9)) / 1e6;
}
