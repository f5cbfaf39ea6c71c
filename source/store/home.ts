import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `$CLOUDSYNC_HOME`, else `$XDG_CONFIG_HOME/cloudsync`, else `~/.config/cloudsync`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.CLOUDSYNC_HOME) return path.resolve(env.CLOUDSYNC_HOME);
	if (env.XDG_CONFIG_HOME) return path.resolve(env.XDG_CONFIG_HOME, 'cloudsync');
	return path.join(os.homedir(), '.config', 'cloudsync');
}

/** Creates the data directory (mode 0700) and tightens it if it already exists. */
export function ensureDataDir(dir: string): string {
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	const mode = fs.statSync(dir).mode & 0o777;
	if (mode !== 0o700) fs.chmodSync(dir, 0o700);
	return dir;
}

export const dbFileName = 'db.json';
export const seedFileName = 'secret.key';
