/**
 * S3 credential fields (NAS-style names), presets for S3-compatible services,
 * and turning a credential's attributes into checked settings.
 */
import {CloudSyncError} from '../core/errors.js';
import type {Attributes, ProviderDescription} from '../core/fields.js';

export const MiB = 1024 * 1024;
/** S3's smallest part (except the last) and largest part. */
export const minChunkMiB = 5;
export const maxChunkMiB = 5 * 1024;
export const maxParts = 10_000;
export const defaultChunkMiB = 5;
export const defaultUploadConcurrency = 4;

export const s3Presets = ['aws', 'b2', 'wasabi', 'r2', 'minio', 'storj', 'other'] as const;
export type S3Preset = (typeof s3Presets)[number];

export const storageClasses = ['', 'STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY'] as const;

export const s3Description: ProviderDescription = {
	id: 's3',
	label: 'Amazon S3 / S3-compatible',
	fields: [
		{name: 'preset', label: 'Service', help: 'Fills the endpoint: aws, b2 (Backblaze B2), wasabi, r2 (Cloudflare R2), minio, storj (gateway), or other.', type: 'select', options: s3Presets, default: 'aws'},
		{name: 'access_key_id', label: 'Access key ID', help: 'The access key ID of the S3 key.', type: 'string', required: true},
		{name: 'secret_access_key', label: 'Secret access key', help: 'The secret that belongs to the access key ID.', type: 'string', secret: true, required: true},
		{name: 'session_token', label: 'Session token', help: 'Only for temporary keys (AWS STS or SSO): the token issued with them; empty for ordinary keys.', type: 'string', secret: true, default: ''},
		{name: 'endpoint', label: 'Endpoint', help: 'The service URL, e.g. https://s3.us-west-004.backblazeb2.com; empty for Amazon S3 or when the service preset fills it.', type: 'string', default: ''},
		{name: 'region', label: 'Region', help: 'e.g. eu-west-1; empty to detect it from the bucket.', type: 'string', default: ''},
		{name: 'force_path_style', label: 'Path-style URLs', help: 'Address buckets as endpoint/bucket instead of bucket.endpoint (most self-hosted servers need this); always on for MinIO, Storj and local addresses.', type: 'boolean', default: false},
		{name: 'storage_class', label: 'Storage class', help: 'Storage class of new objects, e.g. STANDARD_IA; empty for the bucket default.', type: 'string', default: ''},
		{name: 'server_side_encryption', label: 'Server-side encryption', help: 'AES256 to have the service encrypt objects at rest; empty for none.', type: 'select', options: ['', 'AES256'], default: ''},
		{name: 'chunk_size', label: 'Chunk size (MiB)', help: `Files larger than this are uploaded in parts of this size (${minChunkMiB} to ${maxChunkMiB} MiB).`, type: 'number', default: defaultChunkMiB},
		{name: 'upload_concurrency', label: 'Parts in parallel', help: 'How many parts of one large file are uploaded at once (1 to 32); memory use is about this times the chunk size.', type: 'number', default: defaultUploadConcurrency},
		{name: 'legacy_checksums', label: 'Legacy checksums', help: 'Send checksums only where S3 requires them: auto does so for every service but Amazon S3 (most S3-compatible services need it); yes or no to choose.', type: 'select', options: ['auto', 'yes', 'no'], default: 'auto'},
	],
};

export type S3Settings = {
	preset: S3Preset;
	accessKeyId: string;
	secretAccessKey: string;
	/** Temporary keys' session token; empty for ordinary keys. */
	sessionToken: string;
	/** Empty for Amazon S3's own endpoints. */
	endpoint: string;
	/** Empty: detect from the bucket. */
	region: string;
	forcePathStyle: boolean;
	storageClass: string;
	serverSideEncryption: '' | 'AES256';
	chunkBytes: number;
	uploadConcurrency: number;
	legacyChecksums: boolean;
};

const presetEndpoints: Record<S3Preset, (region: string) => string> = {
	aws: () => '',
	b2: region => (region ? `https://s3.${region}.backblazeb2.com` : ''),
	wasabi: region => `https://s3.${region || 'us-east-1'}.wasabisys.com`,
	r2: () => '',
	minio: () => '',
	storj: () => 'https://gateway.storjshare.io',
	other: () => '',
};

function text(attributes: Attributes, name: string): string {
	const value = attributes[name];
	return value === undefined ? '' : String(value).trim();
}

function flag(attributes: Attributes, name: string): boolean | undefined {
	const value = attributes[name];
	if (value === undefined || value === '') return undefined;
	if (typeof value === 'boolean') return value;
	const lower = String(value).toLowerCase();
	if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
	if (['0', 'false', 'no', 'off'].includes(lower)) return false;
	throw new CloudSyncError('usage', `${name} is yes or no, not "${String(value)}"`);
}

function integer(attributes: Attributes, name: string, fallback: number, min: number, max: number, unit = ''): number {
	const raw = attributes[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new CloudSyncError('usage', `${name} must be a whole number from ${min} to ${max}${unit}, not "${String(raw)}"`);
	}
	return value;
}

/** Checked settings; throws CloudSyncError('usage') with one sentence for the first problem. */
export function s3Settings(attributes: Attributes): S3Settings {
	const presetText = text(attributes, 'preset') || 'aws';
	if (!(s3Presets as readonly string[]).includes(presetText)) {
		throw new CloudSyncError('usage', `preset is one of ${s3Presets.join(', ')}, not "${presetText}"`);
	}
	const preset = presetText as S3Preset;
	const accessKeyId = text(attributes, 'access_key_id');
	const secretAccessKey = String(attributes.secret_access_key ?? '');
	if (!accessKeyId) throw new CloudSyncError('usage', 'an S3 credential needs an access key ID (field access_key_id)');
	if (!secretAccessKey) throw new CloudSyncError('usage', 'an S3 credential needs a secret access key (field secret_access_key)');
	let region = text(attributes, 'region');
	let endpoint = text(attributes, 'endpoint') || presetEndpoints[preset](region);
	if (!endpoint && preset === 'b2') throw new CloudSyncError('usage', 'Backblaze B2 needs its region (e.g. us-west-004) or the endpoint https://s3.REGION.backblazeb2.com');
	if (!endpoint && preset === 'r2') throw new CloudSyncError('usage', 'Cloudflare R2 needs the endpoint https://ACCOUNT_ID.r2.cloudflarestorage.com');
	if (!endpoint && (preset === 'minio' || preset === 'other')) throw new CloudSyncError('usage', 'this service needs its endpoint, e.g. https://s3.example.com:9000');
	if (endpoint) {
		if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) endpoint = `https://${endpoint}`;
		let url: URL;
		try {
			url = new URL(endpoint);
		} catch {
			throw new CloudSyncError('usage', `the endpoint "${endpoint}" is not a URL: write it like https://s3.example.com`);
		}
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CloudSyncError('usage', `the endpoint must start with http:// or https://, not ${url.protocol}//`);
		if (url.username || url.password) throw new CloudSyncError('usage', 'put the keys in access_key_id and secret_access_key, not in the endpoint URL');
		endpoint = endpoint.replace(/\/+$/, '');
	}
	if (preset === 'r2' && !region) region = 'auto';
	const pathStyleDefault = preset === 'minio' || preset === 'storj' || isLoopback(endpoint);
	const sse = text(attributes, 'server_side_encryption');
	if (sse !== '' && sse !== 'AES256') throw new CloudSyncError('usage', `server_side_encryption is empty or AES256, not "${sse}"`);
	const storageClass = text(attributes, 'storage_class').toUpperCase();
	if (storageClass && !/^[A-Z_]+$/.test(storageClass)) throw new CloudSyncError('usage', `storage_class "${storageClass}" is not a storage class name like STANDARD_IA`);
	const isAws = preset === 'aws' && (endpoint === '' || /\.amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname));
	return {
		preset,
		accessKeyId,
		secretAccessKey,
		sessionToken: String(attributes.session_token ?? '').trim(),
		endpoint,
		region,
		forcePathStyle: flag(attributes, 'force_path_style') || pathStyleDefault,
		storageClass,
		serverSideEncryption: sse as '' | 'AES256',
		chunkBytes: integer(attributes, 'chunk_size', defaultChunkMiB, minChunkMiB, maxChunkMiB, ' (MiB)') * MiB,
		uploadConcurrency: integer(attributes, 'upload_concurrency', defaultUploadConcurrency, 1, 32),
		legacyChecksums: (attributes.legacy_checksums === 'auto' ? undefined : flag(attributes, 'legacy_checksums')) ?? !isAws,
	};
}

/** Problems with S3 attributes, one sentence each; empty when usable. */
export function validateS3Attributes(attributes: Attributes): string[] {
	try {
		s3Settings(attributes);
		return [];
	} catch (error) {
		return [(error as Error).message];
	}
}

/** The part size for a file: the chunk size, grown so the file fits in 10,000 parts. */
export function partSizeFor(size: number, chunkBytes: number): number {
	if (size <= chunkBytes * maxParts) return chunkBytes;
	return Math.ceil(size / maxParts / MiB) * MiB;
}

function isLoopback(endpoint: string): boolean {
	if (!endpoint) return false;
	const host = new URL(endpoint).hostname;
	return host === 'localhost' || host === '[::1]' || /^127\./.test(host) || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}
