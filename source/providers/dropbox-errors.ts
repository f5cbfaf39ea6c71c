/**
 * Turns what Dropbox (or the network on the way to it) answers into one
 * sentence a user can act on. Dropbox reports endpoint errors as HTTP 409 with
 * a JSON body whose `error_summary` reads like "path/not_found/..", so the
 * summary's segments say what happened.
 */
import {CloudSyncError, type ErrorKind} from '../core/errors.js';
import {parseRetryAfter} from '../core/retry-after.js';
import {stalledCode} from './stall-watch.js';

/** What a failed request left us: the SDK's DropboxResponseError has the same shape. */
export type DropboxFailure = {status: number; headers?: {get(name: string): string | null}; error?: unknown};

export const tokenInvalidMessage = 'the Dropbox token is invalid or expired: use Login to Provider again';

export function isDropboxFailure(error: unknown): error is DropboxFailure {
	return (
		typeof error === 'object' &&
		error !== null &&
		typeof (error as {status?: unknown}).status === 'number' &&
		(error as {name?: unknown}).name === 'DropboxResponseError'
	);
}

/** The segments of `error_summary` ("path/not_found/.." -> ['path', 'not_found']). */
export function summarySegments(body: unknown): string[] {
	const summary = typeof body === 'object' && body !== null ? (body as {error_summary?: unknown}).error_summary : undefined;
	if (typeof summary !== 'string') return [];
	return summary.split('/').filter(segment => segment !== '' && !/^\.+$/.test(segment));
}

/** Whether a failure (or the CloudSyncError made from it) has `tag` in its error_summary. */
export function hasErrorTag(error: unknown, tag: string): boolean {
	const failure = error instanceof CloudSyncError ? error.cause : error;
	return isDropboxFailure(failure) && summarySegments(failure.error).includes(tag);
}

/** Milliseconds the server asked us to wait (Retry-After header, or `retry_after` in the body). */
export function retryAfterMs(failure: DropboxFailure): number | undefined {
	const fromHeader = parseRetryAfter(failure.headers?.get('retry-after'));
	if (fromHeader !== undefined) return fromHeader;
	const body = failure.error;
	const inBody = typeof body === 'object' && body !== null ? (body as {error?: {retry_after?: unknown}}).error?.retry_after : undefined;
	return typeof inBody === 'number' && inBody >= 0 ? inBody * 1000 : undefined;
}

/** Maps a failure of `action` (e.g. "upload") on `where` (e.g. `"/a/b.txt" on Dropbox`). */
export function dropboxError(error: unknown, action: string, where: string): CloudSyncError {
	if (error instanceof CloudSyncError) return error;
	if (isDropboxFailure(error)) return httpError(error, action, where);
	return networkError(error, action, where);
}

function httpError(failure: DropboxFailure, action: string, where: string): CloudSyncError {
	const {status} = failure;
	const options = {cause: failure};
	const make = (kind: ErrorKind, message: string) => new CloudSyncError(kind, message, options);
	if (status === 401) return make('auth', tokenInvalidMessage);
	if (status === 429) {
		const wait = retryAfterMs(failure);
		const after = wait === undefined ? '' : ` (it asked to wait ${Math.ceil(wait / 1000)} s)`;
		return new CloudSyncError('transient', `Dropbox is limiting the request rate${after}: the transfer will be retried`, {cause: failure, retryAfterMs: wait});
	}
	if (status >= 500) return make('transient', `Dropbox had a server error (HTTP ${status}) trying to ${action} ${where}: try again later`);
	const segments = summarySegments(failure.error);
	if (status === 403) {
		const scope = requiredScope(failure.error);
		if (scope) return make('access_denied', `Dropbox refused to ${action} ${where}: the app lacks the "${scope}" permission; enable it in the app's settings and use Login to Provider again`);
		return make('access_denied', `Dropbox refused to ${action} ${where}: access denied (${segments[0] ?? 'forbidden'})`);
	}
	if (status === 409) return conflictError(segments, action, where, failure);
	if (status === 400) {
		const text = typeof failure.error === 'string' ? failure.error : JSON.stringify(failure.error ?? '');
		const firstLine = text.split('\n')[0]?.slice(0, 200) ?? '';
		return make('permanent', `Dropbox rejected the request to ${action} ${where} as malformed: ${firstLine}`);
	}
	return make('permanent', `Dropbox answered HTTP ${status} when trying to ${action} ${where}`);
}

function conflictError(segments: string[], action: string, where: string, cause: unknown): CloudSyncError {
	const has = (tag: string) => segments.includes(tag);
	const make = (kind: ErrorKind, message: string) => new CloudSyncError(kind, message, {cause});
	const cannot = `cannot ${action} ${where}`;
	if (has('not_found')) return make('not_found', `${cannot}: it does not exist`);
	if (has('not_file')) return make('permanent', `${cannot}: it is a folder, not a file`);
	if (has('not_folder')) return make('permanent', `${cannot}: it is a file, not a folder`);
	if (has('conflict')) {
		const what = has('folder') ? 'a folder' : has('file') ? 'a file' : 'something';
		return make('permanent', `${cannot}: ${what} is in the way on Dropbox; move or delete it`);
	}
	if (has('insufficient_space')) return make('permanent', `${cannot}: the Dropbox account is full; free some space or upgrade the plan`);
	if (has('no_write_permission')) return make('access_denied', `${cannot}: this Dropbox account may not write there`);
	if (has('disallowed_name')) return make('permanent', `${cannot}: Dropbox does not allow that name; rename the file`);
	if (has('malformed_path')) return make('permanent', `${cannot}: Dropbox says the path is malformed`);
	if (has('restricted_content')) return make('permanent', `${cannot}: Dropbox blocks this content`);
	if (has('too_many_write_operations') || has('too_many_files')) return make('transient', `${cannot}: Dropbox is busy with other writes to the same folder; it will be retried`);
	if (has('content_hash_mismatch')) return make('transient', `${cannot}: the data arrived corrupted at Dropbox (content hash mismatch); it will be retried`);
	if (has('incorrect_offset')) return make('transient', `${cannot}: Dropbox lost track of the upload's position; it will be retried`);
	if (has('payload_too_large')) return make('permanent', `${cannot}: the chunk is larger than Dropbox accepts; lower chunk_size`);
	if (has('too_large')) return make('permanent', `${cannot}: the file is larger than Dropbox accepts`);
	if (has('reset')) return make('transient', `${cannot}: Dropbox reset the listing; it will be retried`);
	if (has('closed') || has('expired')) return make('transient', `${cannot}: the Dropbox upload session ended early; it will be retried`);
	return make('permanent', `${cannot}: Dropbox refused (${segments.join('/') || 'conflict'})`);
}

function requiredScope(body: unknown): string | undefined {
	const scope = typeof body === 'object' && body !== null ? (body as {error?: {required_scope?: unknown}}).error?.required_scope : undefined;
	return typeof scope === 'string' ? scope : undefined;
}

const tlsCodes = new Set([
	'CERT_HAS_EXPIRED',
	'CERT_NOT_YET_VALID',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'EPROTO',
]);

function errorCode(error: unknown): string | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const {code, errno} = error as {code?: unknown; errno?: unknown};
	if (typeof code === 'string') return code;
	return typeof errno === 'string' ? errno : undefined;
}

export function networkError(error: unknown, action: string, where: string): CloudSyncError {
	const options = {cause: error};
	const name = error instanceof Error ? error.name : '';
	if (name === 'AbortError' || errorCode(error) === 'ABORT_ERR') return new CloudSyncError('aborted', `the request to ${action} ${where} was cancelled`, options);
	const code = errorCode(error) ?? '';
	if (tlsCodes.has(code)) {
		return new CloudSyncError('tls', `cannot reach Dropbox securely (${code}): check the system clock, the CA certificates and any proxy in between`, options);
	}
	switch (code) {
		case 'ECONNREFUSED':
			return new CloudSyncError('unreachable', 'cannot reach Dropbox: the connection was refused; check the network (or api_url)', options);
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return new CloudSyncError('unreachable', 'cannot reach Dropbox: its host name does not resolve; check the network and DNS', options);
		case 'ETIMEDOUT':
		case 'EHOSTUNREACH':
		case 'ENETUNREACH':
			return new CloudSyncError('unreachable', `cannot reach Dropbox (${code}): check the network`, options);
		case stalledCode:
			return new CloudSyncError('transient', `Dropbox stopped answering while trying to ${action} ${where}; it will be retried`, options);
		case 'ECONNRESET':
		case 'EPIPE':
		case 'ERR_STREAM_PREMATURE_CLOSE':
			return new CloudSyncError('transient', `the connection to Dropbox broke while trying to ${action} ${where}; it will be retried`, options);
	}
	// A URL in a message may carry a query string; never echo one.
	const detail = (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(/\?\S*/g, '');
	if (/premature close|socket hang up|aborted/i.test(detail)) {
		return new CloudSyncError('transient', `the connection to Dropbox broke while trying to ${action} ${where}; it will be retried`, options);
	}
	return new CloudSyncError('permanent', `cannot ${action} ${where}: ${detail}`, options);
}
