import {createRequire} from 'node:module';
import {xsalsa20poly1305} from '@noble/ciphers/salsa.js';

/**
 * NaCl secretbox (XSalsa20-Poly1305): sealed = 16-byte tag + ciphertext.
 * libsodium's native build (sodium-native) measured about 1,350 MiB/s per core
 * here, against about 230 MiB/s for its WebAssembly build and 100 MiB/s for
 * @noble/ciphers; the pure-JS one remains as a fallback where the native
 * module has no prebuilt binary.
 */
export type SecretBox = {
	readonly name: string;
	/** Writes tag + ciphertext of `plain` into `out` (plain.length + 16 bytes). */
	seal(out: Uint8Array, plain: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
	/** Writes the plaintext into `out`; false when authentication fails. */
	open(out: Uint8Array, sealed: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
};

type SodiumNative = {
	crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
	crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
};

export const nobleSecretBox: SecretBox = {
	name: '@noble/ciphers',
	seal(out, plain, nonce, key) {
		out.set(xsalsa20poly1305(key, nonce).encrypt(plain));
	},
	open(out, sealed, nonce, key) {
		try {
			out.set(xsalsa20poly1305(key, nonce).decrypt(sealed));
			return true;
		} catch {
			return false;
		}
	},
};

function loadNative(): SecretBox | undefined {
	if (process.env.CLOUDSYNC_CRYPT_IMPL === 'noble') return undefined;
	try {
		const sodium = createRequire(import.meta.url)('sodium-native') as SodiumNative;
		return {
			name: 'sodium-native',
			seal: (out, plain, nonce, key) => sodium.crypto_secretbox_easy(out, plain, nonce, key),
			open: (out, sealed, nonce, key) => sodium.crypto_secretbox_open_easy(out, sealed, nonce, key),
		};
	} catch {
		return undefined;
	}
}

export const secretBox: SecretBox = loadNative() ?? nobleSecretBox;
