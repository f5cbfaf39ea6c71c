import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {CloudSyncError} from '../core/errors.js';
import {seedFileName} from './home.js';

const prefix = 'enc:v1:';

/**
 * Encrypts secret fields at rest with AES-256-GCM under a key derived from a
 * random 32-byte seed kept in its own file (mode 0600) beside db.json.
 */
export class Vault {
	readonly #key: Buffer;

	constructor(readonly seed: Buffer) {
		if (seed.length !== 32) throw new CloudSyncError('corrupt', 'the secret seed must be 32 bytes');
		this.#key = Buffer.from(crypto.hkdfSync('sha256', seed, Buffer.alloc(0), 'cloudsync vault v1', 32));
	}

	static isSealed(value: unknown): value is string {
		return typeof value === 'string' && value.startsWith(prefix);
	}

	seal(plain: string): string {
		const iv = crypto.randomBytes(12);
		const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
		const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
		return prefix + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
	}

	/** The plain text, or undefined when this seed did not seal it. */
	open(sealed: string): string | undefined {
		if (!Vault.isSealed(sealed)) return undefined;
		const raw = Buffer.from(sealed.slice(prefix.length), 'base64');
		if (raw.length < 28) return undefined;
		try {
			const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
			decipher.setAuthTag(raw.subarray(12, 28));
			return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
		} catch {
			return undefined;
		}
	}
}

/** Reads the seed file, creating it (mode 0600) on first use. */
export function loadOrCreateSeed(dir: string): Buffer {
	const file = path.join(dir, seedFileName);
	try {
		return parseSeed(fs.readFileSync(file, 'utf8'), file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
	}
	const seed = crypto.randomBytes(32);
	try {
		fs.writeFileSync(file, seed.toString('base64') + '\n', {mode: 0o600, flag: 'wx'});
		return seed;
	} catch (error) {
		// Another process created it first: use theirs.
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseSeed(fs.readFileSync(file, 'utf8'), file);
		throw error;
	}
}

export function parseSeed(text: string, origin: string): Buffer {
	const seed = Buffer.from(text.trim(), 'base64');
	if (seed.length !== 32) {
		throw new CloudSyncError('corrupt', `${origin} is not a valid secret seed (expected 32 bytes in base64): restore it from your backup`);
	}
	return seed;
}
