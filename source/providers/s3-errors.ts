/**
 * Turns what the AWS SDK throws into one sentence a user can act on. The
 * sentences name the endpoint and bucket, never a key or secret.
 */
import {CloudSyncError} from '../core/errors.js';
import {parseRetryAfter} from '../core/retry-after.js';

export type S3ErrorContext = {
	/** e.g. "list", "upload photos/a.jpg to" */
	action: string;
	/** The endpoint as the user typed it, or "Amazon S3". */
	endpoint: string;
	bucket?: string;
};

type SdkError = Error & {
	code?: string;
	Code?: string;
	errno?: number;
	$fault?: 'client' | 'server';
	$metadata?: {httpStatusCode?: number};
	$response?: {statusCode?: number; headers?: Record<string, string | undefined>};
	$retryable?: unknown;
	cause?: unknown;
};

const unreachableCodes: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the connection timed out',
	TimeoutError: 'the connection timed out',
};

const transientNetworkCodes = new Set(['ECONNRESET', 'EPIPE', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPROTO_RESET']);

const tlsCodes = new Set([
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'CERT_UNTRUSTED',
	'CERT_REVOKED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'ERR_SSL_PACKET_LENGTH_TOO_LONG',
	'EPROTO',
]);

/** Walks `cause` chains: the SDK wraps socket errors. */
function causes(error: unknown): SdkError[] {
	const chain: SdkError[] = [];
	let current: unknown = error;
	while (current && typeof current === 'object' && chain.length < 5) {
		chain.push(current as SdkError);
		current = (current as SdkError).cause;
	}
	return chain;
}

function header(error: SdkError, name: string): string | undefined {
	const headers = error.$response?.headers ?? {};
	for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
	return undefined;
}

function retryAfter(error: SdkError): number | undefined {
	return parseRetryAfter(header(error, 'retry-after'));
}

export function isS3NotFound(error: unknown): boolean {
	const e = error as SdkError;
	return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

export function s3Error(error: unknown, context: S3ErrorContext): CloudSyncError {
	if (error instanceof CloudSyncError) return error;
	const e = error as SdkError;
	const options = {cause: error};
	const where = context.endpoint;
	const bucket = context.bucket ? `bucket "${context.bucket}"` : 'the bucket';
	if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return new CloudSyncError('aborted', `${context.action} was cancelled`, options);
	for (const link of causes(error)) {
		const code = link.code ?? (link.name in unreachableCodes ? link.name : undefined);
		if (code && unreachableCodes[code]) {
			return new CloudSyncError('unreachable', `cannot reach ${where}: ${unreachableCodes[code]}; check the endpoint address and the network`, options);
		}
		if (code && (tlsCodes.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
			return new CloudSyncError('tls', `the secure (TLS) connection to ${where} failed (${code}): check that the endpoint's certificate is valid and trusted, or that the endpoint should use http://`, options);
		}
		if (code && transientNetworkCodes.has(code)) {
			return new CloudSyncError('transient', `the connection to ${where} broke (${code}) while trying to ${context.action}; it will be retried`, options);
		}
	}
	const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
	const name = e?.name ?? e?.Code ?? '';
	switch (name) {
		case 'InvalidAccessKeyId':
			return new CloudSyncError('auth', `${where} does not know this access key ID: check access_key_id`, options);
		case 'SignatureDoesNotMatch':
			return new CloudSyncError('auth', `the secret access key is wrong for this access key ID at ${where}: check secret_access_key`, options);
		case 'InvalidToken':
		case 'ExpiredToken':
		case 'TokenRefreshRequired':
			return new CloudSyncError('auth', `${where} rejected the key as expired or invalid: create a new access key`, options);
		case 'NoSuchBucket':
			return new CloudSyncError('not_found', `${bucket} does not exist at ${where}: check the bucket name, or create the bucket`, options);
		case 'AccessDenied':
		case 'AllAccessDisabled':
		case 'Forbidden':
			return new CloudSyncError('access_denied', `${where} denied access to ${bucket}: give this key permission to ${context.action === 'list the buckets' ? 'list buckets' : 'list, read and write it'}`, options);
		case 'NoSuchKey':
		case 'NotFound':
			return new CloudSyncError('not_found', `cannot ${context.action}: it does not exist`, options);
		case 'PermanentRedirect':
		case 'AuthorizationHeaderMalformed':
		case 'IllegalLocationConstraintException': {
			const hinted = header(e, 'x-amz-bucket-region');
			return new CloudSyncError('permanent', `${bucket} is in another region${hinted ? ` (${hinted})` : ''}: set the region field${hinted ? ` to ${hinted}` : ''}, or leave it empty to detect it`, options);
		}
		case 'RequestTimeTooSkewed':
			return new CloudSyncError('permanent', `${where} rejected the request because this computer's clock is wrong: set the system time (e.g. enable NTP)`, options);
		case 'InvalidBucketName':
			return new CloudSyncError('usage', `"${context.bucket ?? ''}" is not a valid bucket name: use 3-63 lower-case letters, digits, dots and hyphens`, options);
		case 'SlowDown':
		case 'ServiceUnavailable':
		case 'InternalError':
		case 'RequestTimeout':
		case 'ThrottlingException':
		case 'TooManyRequests':
		case 'BadDigest':
			return new CloudSyncError('transient', `${where} asked us to slow down or failed for a moment (${name}) while trying to ${context.action}; it will be retried`, {cause: error, retryAfterMs: retryAfter(e)});
		default:
			break;
	}
	if (status === 429 || (status !== undefined && status >= 500)) {
		return new CloudSyncError('transient', `${where} answered ${status} while trying to ${context.action}; it will be retried`, {cause: error, retryAfterMs: retryAfter(e)});
	}
	if (status === 403) return new CloudSyncError('access_denied', `${where} denied access to ${bucket} (403): check the key's permissions`, options);
	if (status === 404) return new CloudSyncError('not_found', `cannot ${context.action}: ${where} answered 404 (not found)`, options);
	if (status === 301 || status === 307) {
		return new CloudSyncError('permanent', `${bucket} is in another region: set the region field, or leave it empty to detect it`, options);
	}
	const detail = (e?.message ?? String(error)).split('\n')[0];
	if (e?.$fault === 'server' || /socket hang up|ECONNRESET/i.test(detail)) {
		return new CloudSyncError('transient', `cannot ${context.action} at ${where}: ${detail}; it will be retried`, options);
	}
	return new CloudSyncError('permanent', `cannot ${context.action} at ${where}: ${name && name !== 'Error' ? `${name}: ` : ''}${detail}`, options);
}
