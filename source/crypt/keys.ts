import {scrypt} from 'node:crypto';
import {CloudSyncError} from '../core/errors.js';

/** The salt rclone uses when its crypt config has no `password2`. */
export const RCLONE_DEFAULT_SALT = Buffer.from([
	0xa8, 0x0d, 0xf4, 0x3a, 0x8f, 0xbd, 0x03, 0x08, 0xa7, 0xca, 0xb8, 0x3e, 0x58, 0x1f, 0x86, 0xb1,
]);

export type CryptKeys = {
	/** XSalsa20-Poly1305 key for file contents. */
	dataKey: Buffer;
	/** AES-256 key for EME file-name encryption. */
	nameKey: Buffer;
	/** EME tweak for file names. */
	nameTweak: Buffer;
};

/**
 * rclone's key derivation: scrypt(password, salt, N=16384, r=8, p=1) gives 80
 * bytes, split 32/32/16. An empty salt means rclone's built-in salt.
 */
export async function deriveKeys(password: string, salt = ''): Promise<CryptKeys> {
	if (password.length === 0) {
		throw new CloudSyncError('usage', 'The encryption password is empty: set a password for the encrypted remote.');
	}
	const saltBytes = salt.length === 0 ? RCLONE_DEFAULT_SALT : Buffer.from(salt, 'utf8');
	const key = await new Promise<Buffer>((resolve, reject) => {
		scrypt(Buffer.from(password, 'utf8'), saltBytes, 80, {N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024}, (error, derived) => {
			if (error) reject(error);
			else resolve(derived);
		});
	});
	return {dataKey: key.subarray(0, 32), nameKey: key.subarray(32, 64), nameTweak: key.subarray(64, 80)};
}
