/**
 * Runs the real rclone binary with a throw-away configuration given through
 * environment variables (never the user's config, never keys in argv).
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RcloneS3 = {endpoint: string; accessKeyId: string; secretAccessKey: string};

export function rcloneAvailable(): void {
	try {
		const which = ['/usr/bin/rclone', '/usr/local/bin/rclone'].find(p => fs.existsSync(p));
		if (!which) throw new Error('missing');
	} catch {
		throw new Error('rclone is not installed: install the Debian "rclone" package (apt-get install rclone) to run these tests.');
	}
}

export function rcloneEnv(s3?: RcloneS3): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env};
	delete env.AWS_CA_BUNDLE;
	env.RCLONE_CONFIG = path.join(os.tmpdir(), 'cloudsync-test-no-rclone.conf');
	if (s3) {
		env.RCLONE_CONFIG_S3T_TYPE = 's3';
		env.RCLONE_CONFIG_S3T_PROVIDER = 'Other';
		env.RCLONE_CONFIG_S3T_ENDPOINT = s3.endpoint;
		env.RCLONE_CONFIG_S3T_ACCESS_KEY_ID = s3.accessKeyId;
		env.RCLONE_CONFIG_S3T_SECRET_ACCESS_KEY = s3.secretAccessKey;
		env.RCLONE_CONFIG_S3T_FORCE_PATH_STYLE = 'true';
		env.RCLONE_CONFIG_S3T_REGION = 'us-east-1';
	}
	return env;
}

export type RcloneResult = {code: number; stdout: string; stderr: string};

export function rclone(args: string[], s3?: RcloneS3): Promise<RcloneResult> {
	rcloneAvailable();
	return new Promise(resolve => {
		execFile('rclone', args, {env: rcloneEnv(s3), maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
			resolve({code, stdout, stderr});
		});
	});
}

/** `rclone check` of two remotes; resolves to rclone's output when they differ. */
export async function rcloneCheck(a: string, b: string, s3?: RcloneS3, extra: string[] = []): Promise<{same: boolean; output: string}> {
	const result = await rclone(['check', a, b, ...extra], s3);
	return {same: result.code === 0, output: result.stderr + result.stdout};
}
