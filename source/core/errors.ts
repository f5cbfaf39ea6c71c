/**
 * Errors that carry one sentence a user can act on. Everything a command or a
 * screen shows to a person goes through `userMessage`, never a stack trace.
 */
export type ErrorKind =
	| 'usage' // the user typed something invalid
	| 'auth' // wrong key / secret / token
	| 'access_denied'
	| 'not_found'
	| 'unreachable' // DNS, refused, timeout
	| 'tls'
	| 'transient' // 5xx, 429, reset: worth retrying
	| 'permanent' // will fail again the same way
	| 'unsafe_path' // a remote name that would escape the local path
	| 'corrupt' // data or config that cannot be read
	| 'conflict' // already running, locked, in use
	| 'aborted';

export class CloudSyncError extends Error {
	readonly kind: ErrorKind;
	/** For transient errors: how long the server asked us to wait. */
	readonly retryAfterMs?: number;

	constructor(kind: ErrorKind, message: string, options?: {cause?: unknown; retryAfterMs?: number}) {
		super(message, options?.cause === undefined ? undefined : {cause: options.cause});
		this.name = 'CloudSyncError';
		this.kind = kind;
		this.retryAfterMs = options?.retryAfterMs;
	}

	get retryable(): boolean {
		return this.kind === 'transient' || this.kind === 'unreachable';
	}
}

export function isRetryable(error: unknown): boolean {
	return error instanceof CloudSyncError && error.retryable;
}

/** One line for a person: our own message, or the bare message of anything else. */
export function userMessage(error: unknown): string {
	if (error instanceof CloudSyncError) return error.message;
	if (error instanceof Error) return error.message.split('\n')[0] ?? String(error);
	return String(error);
}
