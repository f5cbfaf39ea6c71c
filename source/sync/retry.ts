/**
 * Retry policy for transient failures (5xx, 429, resets, timeouts): exponential
 * backoff with jitter, honouring a server's Retry-After. Permanent errors are
 * thrown at once.
 */
import {CloudSyncError, isRetryable} from '../core/errors.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export type RetryPolicy = {
	/** Total attempts, at least 1. */
	attempts: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
	sleep?: Sleep;
	/** Returns [0, 1); injectable for deterministic tests. */
	random?: () => number;
	signal?: AbortSignal;
	onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
};

/** Longest wait a Retry-After header may impose on us. */
const MAX_RETRY_AFTER_MS = 60_000;

export const realSleep: Sleep = (ms, signal) =>
	new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortError());
			return;
		}
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError());
		};
		signal?.addEventListener('abort', onAbort, {once: true});
	});

export function abortError(): CloudSyncError {
	return new CloudSyncError('aborted', 'The run was cancelled.');
}

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(error: unknown, attempt: number, policy: RetryPolicy): number {
	const base = policy.baseDelayMs ?? 100;
	const max = policy.maxDelayMs ?? 5_000;
	const exp = Math.min(max, base * 2 ** (attempt - 1));
	const jittered = exp / 2 + (policy.random ?? Math.random)() * (exp / 2);
	const asked = error instanceof CloudSyncError ? error.retryAfterMs : undefined;
	if (asked !== undefined && asked > 0) return Math.max(Math.min(asked, MAX_RETRY_AFTER_MS), jittered);
	return jittered;
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
	const sleep = policy.sleep ?? realSleep;
	for (let attempt = 1; ; attempt++) {
		if (policy.signal?.aborted) throw abortError();
		try {
			return await operation(attempt);
		} catch (error) {
			if (policy.signal?.aborted) throw abortError();
			if (!isRetryable(error) || attempt >= policy.attempts) throw error;
			const delay = backoffDelay(error, attempt, policy);
			policy.onRetry?.(error, attempt, delay);
			await sleep(delay, policy.signal);
		}
	}
}
