/**
 * Runs the real rclone binary against a crypt remote configured only through
 * environment variables: passwords are obscured by `rclone obscure -` reading
 * stdin, so no secret ever appears in a process's argv or in a config file.
 */
import {execFile, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RcloneCrypt = {
	/** What the crypt remote wraps: a local folder path or e.g. `s3t:bucket/folder`. */
	remote: string;
	password: string;
	salt?: string;
	filenameEncryption?: 'standard' | 'obfuscate' | 'off';
	filenameEncoding?: 'base32' | 'base64' | 'base32768';
	directoryNameEncryption?: boolean;
	/** Extra RCLONE_CONFIG_* variables, e.g. for an S3 remote the crypt wraps. */
	extraEnv?: NodeJS.ProcessEnv;
};

export type RcloneResult = {code: number; stdout: string; stderr: string};

export function requireRclone(): void {
	const found = (process.env.PATH ?? '').split(path.delimiter).some(dir => fs.existsSync(path.join(dir, 'rclone')));
	if (!found) throw new Error('rclone is not installed: install the Debian "rclone" package (apt-get install rclone) to run the crypt interop tests.');
}

function baseEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	delete env.AWS_CA_BUNDLE;
	env.RCLONE_CONFIG = path.join(os.tmpdir(), 'cloudsync-crypt-test-no-rclone.conf');
	return env;
}

const obscured = new Map<string, Promise<string>>();

/** rclone's reversible "obscure" form of a secret, as its config stores it (memoized per secret). */
export function obscure(secret: string): Promise<string> {
	let result = obscured.get(secret);
	if (!result) {
		result = runObscure(secret);
		obscured.set(secret, result);
	}
	return result;
}

function runObscure(secret: string): Promise<string> {
	requireRclone();
	return new Promise((resolve, reject) => {
		const child = spawn('rclone', ['obscure', '-'], {env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		child.stdout.on('data', chunk => (out += chunk));
		child.stderr.on('data', chunk => (err += chunk));
		child.on('error', reject);
		child.on('close', code => (code === 0 ? resolve(out.trim()) : reject(new Error(`rclone obscure failed: ${err}`))));
		child.stdin.end(`${secret}\n`);
	});
}

/** Environment defining the remote `crypt:` for rclone. */
export async function cryptEnv(config: RcloneCrypt): Promise<NodeJS.ProcessEnv> {
	const env = {...baseEnv(), ...config.extraEnv};
	env.RCLONE_CONFIG_CRYPT_TYPE = 'crypt';
	env.RCLONE_CONFIG_CRYPT_REMOTE = config.remote;
	env.RCLONE_CONFIG_CRYPT_PASSWORD = await obscure(config.password);
	if (config.salt) env.RCLONE_CONFIG_CRYPT_PASSWORD2 = await obscure(config.salt);
	env.RCLONE_CONFIG_CRYPT_FILENAME_ENCRYPTION = config.filenameEncryption ?? 'standard';
	env.RCLONE_CONFIG_CRYPT_FILENAME_ENCODING = config.filenameEncoding ?? 'base32';
	env.RCLONE_CONFIG_CRYPT_DIRECTORY_NAME_ENCRYPTION = String(config.directoryNameEncryption ?? true);
	return env;
}

/** Runs rclone; `raw` is stdout as bytes (for `rclone cat`). */
export function rclone(args: string[], env: NodeJS.ProcessEnv): Promise<RcloneResult & {raw: Buffer}> {
	requireRclone();
	return new Promise(resolve => {
		execFile('rclone', args, {env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
			resolve({code, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), raw: stdout});
		});
	});
}
