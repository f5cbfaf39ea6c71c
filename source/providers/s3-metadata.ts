/**
 * Object metadata in the formats rclone reads and writes, so each sees the
 * other's times and permissions: `x-amz-meta-mtime` holds decimal seconds
 * ("1700000000.123456789"), `mode` the octal st_mode including the file type
 * bits ("100644"), `uid`/`gid` decimal numbers, and `md5chksum` the base64
 * MD5 of a multipart object whose ETag is not an MD5.
 */
import type {PosixMetadata} from './s3-mtime-index.js';

const regularFile = 0o100000;

export function posixToMetadata(posix: PosixMetadata): Record<string, string> {
	const out: Record<string, string> = {};
	if (posix.mode !== undefined) out.mode = (regularFile | (posix.mode & 0o7777)).toString(8);
	if (posix.uid !== undefined) out.uid = String(posix.uid);
	if (posix.gid !== undefined) out.gid = String(posix.gid);
	return out;
}

export function posixFromMetadata(metadata: Record<string, string> | undefined): PosixMetadata {
	const posix: PosixMetadata = {};
	if (!metadata) return posix;
	const mode = metadata.mode !== undefined && /^[0-7]{1,7}$/.test(metadata.mode.trim()) ? parseInt(metadata.mode, 8) & 0o7777 : undefined;
	const uid = metadata.uid !== undefined && /^\d{1,10}$/.test(metadata.uid.trim()) ? Number(metadata.uid) : undefined;
	const gid = metadata.gid !== undefined && /^\d{1,10}$/.test(metadata.gid.trim()) ? Number(metadata.gid) : undefined;
	if (mode !== undefined) posix.mode = mode;
	if (uid !== undefined) posix.uid = uid;
	if (gid !== undefined) posix.gid = gid;
	return posix;
}

/** The MD5 (hex) from an ETag, when the ETag is a plain MD5 (single-part uploads). */
export function md5FromEtag(etag: string | undefined): string | undefined {
	if (!etag) return undefined;
	const bare = etag.replace(/^"|"$/g, '').toLowerCase();
	return /^[0-9a-f]{32}$/.test(bare) ? bare : undefined;
}

export function bareEtag(etag: string | undefined): string {
	return (etag ?? '').replace(/^"|"$/g, '');
}

/** rclone's md5chksum metadata (base64 of the 16 MD5 bytes) as hex. */
export function md5FromChecksumMetadata(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const bytes = Buffer.from(value, 'base64');
	return bytes.length === 16 ? bytes.toString('hex') : undefined;
}
