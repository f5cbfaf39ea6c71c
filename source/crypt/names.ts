import {CloudSyncError} from '../core/errors.js';
import {emeTransform} from './eme.js';
import {deobfuscateSegment, obfuscateSegment} from './obfuscate.js';
import type {CryptKeys} from './keys.js';
import {NAME_ENCODERS, type FilenameEncoding, type NameEncoder} from './name-encodings.js';

/** `obfuscate` is rclone's light rotation mode, kept for reading and writing backups made with it. */
export type FilenameEncryption = 'standard' | 'obfuscate' | 'off';

export type NameCipherOptions = {
	filenameEncryption: FilenameEncryption;
	filenameEncoding?: FilenameEncoding;
	/** Encrypt directory names too (rclone's default); not with `off`. */
	directoryNameEncryption?: boolean;
};

/** Longest name segment most file systems and object stores accept. */
const MAX_STORED_SEGMENT = 255;
const OFF_SUFFIX = '.bin';
const BLOCK = 16;

function pad(bytes: Buffer): Buffer {
	const padding = BLOCK - (bytes.length % BLOCK);
	return Buffer.concat([bytes, Buffer.alloc(padding, padding)]);
}

function unpad(bytes: Buffer): Buffer {
	const padding = bytes[bytes.length - 1];
	if (bytes.length === 0 || bytes.length % BLOCK !== 0 || padding < 1 || padding > BLOCK) throw new Error('bad padding');
	for (let i = bytes.length - padding; i < bytes.length; i++) if (bytes[i] !== padding) throw new Error('bad padding');
	return bytes.subarray(0, bytes.length - padding);
}

/** Thrown (and passed to `onError`) for a stored name that does not decrypt. */
export class UndecryptableNameError extends CloudSyncError {
	readonly storedPath: string;
	constructor(storedPath: string) {
		super('corrupt', `Skipped "${storedPath}": its name does not decrypt with this password and salt.`);
		this.storedPath = storedPath;
	}
}

/** rclone crypt file-name encryption: `standard` (EME + encoding) or `off` (`.bin` suffix). */
export class NameCipher {
	readonly mode: FilenameEncryption;
	readonly encoding: FilenameEncoding;
	readonly encryptDirectories: boolean;
	/** Longest plaintext segment, in UTF-8 bytes, whose stored name stays within 255 characters. */
	readonly maxSegmentBytes: number;
	private readonly encoder: NameEncoder;

	constructor(private readonly keys: CryptKeys, options: NameCipherOptions) {
		this.mode = options.filenameEncryption;
		this.encoding = options.filenameEncoding ?? 'base32';
		this.encryptDirectories = this.mode !== 'off' && (options.directoryNameEncryption ?? true);
		this.encoder = NAME_ENCODERS[this.encoding];
		if (this.mode === 'off') {
			this.maxSegmentBytes = MAX_STORED_SEGMENT - OFF_SUFFIX.length;
		} else if (this.mode === 'obfuscate') {
			this.maxSegmentBytes = MAX_STORED_SEGMENT;
		} else {
			let n = 0;
			while (this.encoder.encodedLength(pad(Buffer.alloc(n + 1)).length) <= MAX_STORED_SEGMENT) n++;
			this.maxSegmentBytes = n;
		}
	}

	/** Encrypts one name segment (no '/'). */
	encryptSegment(plain: string): string {
		if (plain.length === 0) return '';
		if (this.mode === 'obfuscate') return obfuscateSegment(plain, this.keys.nameKey);
		const padded = pad(Buffer.from(plain, 'utf8'));
		return this.encoder.encode(emeTransform(this.keys.nameKey, this.keys.nameTweak, padded, true));
	}

	/** Decrypts one stored segment; throws a plain Error when it is not ours. */
	decryptSegment(stored: string): string {
		if (stored.length === 0) return '';
		if (this.mode === 'obfuscate') {
			const plain = deobfuscateSegment(stored, this.keys.nameKey);
			if (plain.includes('/') || plain.length === 0) throw new Error('not a valid name');
			return plain;
		}
		const raw = this.encoder.decode(stored);
		if (raw.length === 0 || raw.length % BLOCK !== 0 || raw.length > 2048) throw new Error('not a whole number of blocks');
		const plain = unpad(emeTransform(this.keys.nameKey, this.keys.nameTweak, raw, false));
		const text = plain.toString('utf8');
		if (!Buffer.from(text, 'utf8').equals(plain) || text.includes('/') || text.length === 0) throw new Error('not a valid name');
		return text;
	}

	/** The stored name of a directory path (every segment encrypted when directory encryption is on). */
	encryptDirectory(path: string): string {
		if (path === '') return '';
		if (!this.encryptDirectories) {
			for (const segment of path.split('/')) this.checkLength(path, segment, 0);
			return path;
		}
		return path
			.split('/')
			.map(segment => this.encryptChecked(path, segment))
			.join('/');
	}

	/** The stored name of a file path. */
	encryptFile(path: string): string {
		const slash = path.lastIndexOf('/');
		const dir = slash < 0 ? '' : this.encryptDirectory(path.slice(0, slash));
		const leaf = path.slice(slash + 1);
		let storedLeaf: string;
		if (this.mode === 'off') {
			this.checkLength(path, leaf, this.maxSegmentBytes);
			storedLeaf = leaf + OFF_SUFFIX;
		} else storedLeaf = this.encryptChecked(path, leaf);
		return dir === '' ? storedLeaf : `${dir}/${storedLeaf}`;
	}

	/** Decrypts one stored directory segment; throws a plain Error when it is not ours. */
	decryptDirectorySegment(stored: string): string {
		return this.encryptDirectories ? this.decryptSegment(stored) : stored;
	}

	/** Decrypts one stored file-name segment; throws a plain Error when it is not ours. */
	decryptFileSegment(stored: string): string {
		if (this.mode === 'off') {
			if (!stored.endsWith(OFF_SUFFIX) || stored.length === OFF_SUFFIX.length) throw new Error('no .bin suffix');
			return stored.slice(0, -OFF_SUFFIX.length);
		}
		return this.decryptSegment(stored);
	}

	/** Decrypts a stored path; throws UndecryptableNameError. */
	decryptPath(stored: string, isDir: boolean): string {
		try {
			const segments = stored.split('/');
			const leaf = segments.pop() as string;
			const dirs = segments.map(segment => this.decryptDirectorySegment(segment));
			dirs.push(isDir ? this.decryptDirectorySegment(leaf) : this.decryptFileSegment(leaf));
			return dirs.join('/');
		} catch {
			throw new UndecryptableNameError(stored);
		}
	}

	private encryptChecked(path: string, segment: string): string {
		if (this.mode !== 'obfuscate') {
			this.checkLength(path, segment, this.maxSegmentBytes);
			return this.encryptSegment(segment);
		}
		const stored = this.encryptSegment(segment);
		const bytes = Buffer.byteLength(stored, 'utf8');
		if (bytes > MAX_STORED_SEGMENT) {
			throw new CloudSyncError(
				'permanent',
				`Cannot encrypt "${path}": the obfuscated name of "${segment.slice(0, 40)}…" would be ${bytes} bytes and a stored name may be at most ${MAX_STORED_SEGMENT} bytes; shorten it.`,
			);
		}
		return stored;
	}

	private checkLength(path: string, segment: string, limit: number): void {
		const bytes = Buffer.byteLength(segment, 'utf8');
		const max = limit === 0 ? MAX_STORED_SEGMENT : limit;
		if (bytes > max) {
			const how = this.mode === 'off' ? 'with file name encryption off' : `with ${this.encoding} file name encoding`;
			throw new CloudSyncError(
				'permanent',
				`Cannot encrypt "${path}": the name "${segment.slice(0, 40)}…" is ${bytes} bytes and each name may be at most ${max} bytes ${how}; shorten it.`,
			);
		}
	}
}
