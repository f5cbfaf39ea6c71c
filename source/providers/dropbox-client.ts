/**
 * One Dropbox connection: the SDK pointed at the right host, the access token
 * kept fresh (a 401 or an expiry close at hand triggers a silent refresh,
 * which is handed to `onTokenRefreshed` to be saved), and bounded retries:
 * 429 waits what the server asks, 5xx and broken connections back off.
 */
import {Dropbox, DropboxAuth, DropboxResponseError, type DropboxResponse} from 'dropbox';
import {request as httpRequest, type Agent, type IncomingMessage} from 'node:http';
import {request as httpsRequest} from 'node:https';
import nodeFetch, {type RequestInit} from 'node-fetch';
import {CloudSyncError} from '../core/errors.js';
import {dropboxError, hasErrorTag, isDropboxFailure, tokenInvalidMessage} from './dropbox-errors.js';
import {watchedAgents} from './stall-watch.js';
import {dropboxEndpoints, refreshDropboxToken, type DropboxEndpoints, type DropboxTokens} from './dropbox-oauth.js';

export type DropboxAuthSettings = {
	token: string;
	refreshToken: string;
	clientId: string;
	clientSecret: string;
	/** ISO 8601; empty when unknown. */
	tokenExpiry: string;
	apiUrl: string;
};

export type RetrySettings = {
	/** Attempts for a request Dropbox rate-limits (429). */
	rateLimitAttempts: number;
	/** Attempts for 5xx answers and broken connections. */
	transientAttempts: number;
	/** Longest Retry-After we sleep through ourselves; longer ones go back to the caller. */
	maxWaitMs: number;
	baseDelayMs: number;
	/** Silence after which a connection counts as broken (and the request is retried). */
	idleTimeoutMs: number;
};

export const defaultRetry: RetrySettings = {rateLimitAttempts: 5, transientAttempts: 3, maxWaitMs: 60_000, baseDelayMs: 500, idleTimeoutMs: 120_000};

/** Renew the token this long before Dropbox says it expires. */
const EXPIRY_MARGIN_MS = 60_000;

export type TokenListener = (tokens: DropboxTokens) => Promise<void> | void;

export class DropboxClient {
	readonly endpoints: DropboxEndpoints;
	readonly sdk: Dropbox;
	private readonly sdkAuth: DropboxAuth;
	private token: string;
	private tokenExpiry: number;
	private refreshing?: Promise<void>;
	private readonly agentFor: (url: URL) => Agent;

	constructor(
		private readonly settings: DropboxAuthSettings,
		private readonly onTokenRefreshed?: TokenListener,
		private readonly retry: RetrySettings = defaultRetry,
	) {
		this.endpoints = dropboxEndpoints(settings.apiUrl);
		this.agentFor = watchedAgents(retry.idleTimeoutMs);
		this.token = settings.token;
		const expiry = settings.tokenExpiry ? Date.parse(settings.tokenExpiry) : Number.NaN;
		this.tokenExpiry = Number.isNaN(expiry) ? Number.POSITIVE_INFINITY : expiry;
		// No refresh token or client id go to the SDK: its own refresh puts
		// secrets in the URL and uses a host that ignores api_url. We refresh.
		const fetch = this.sdkFetch();
		this.sdkAuth = new DropboxAuth({accessToken: this.token, fetch, ...this.endpoints.sdkDomain});
		this.sdk = new Dropbox({auth: this.sdkAuth, fetch, ...this.endpoints.sdkDomain});
	}

	get canRefresh(): boolean {
		return this.settings.refreshToken !== '' && this.settings.clientId !== '';
	}

	/** Runs an SDK call with a valid token and the retry policy; returns the result body. */
	async call<T>(action: string, where: string, request: (sdk: Dropbox) => Promise<DropboxResponse<T>>, signal?: AbortSignal): Promise<T> {
		const response = await this.withRetries(action, where, () => request(this.sdk), signal);
		return response.result;
	}

	/**
	 * A content download outside the SDK: the SDK buffers the whole file and
	 * cannot send a Range header, and node-fetch's body never ends when the
	 * connection drops mid-way. Returns the response once its headers are in.
	 */
	async download(dropboxPath: string, range: string | undefined, action: string, where: string, signal?: AbortSignal): Promise<IncomingMessage> {
		return this.withRetries(
			action,
			where,
			async () => {
				const headers: Record<string, string> = {
					Authorization: `Bearer ${this.token}`,
					'Dropbox-API-Arg': headerSafeJson({path: dropboxPath}),
					'Accept-Encoding': 'identity',
				};
				if (range) headers.Range = range;
				const response = await postForStream(`${this.endpoints.content}/2/files/download`, headers, this.agentFor, signal);
				const status = response.statusCode ?? 0;
				if (status >= 200 && status < 300) return response;
				const chunks: Buffer[] = [];
				for await (const chunk of response) chunks.push(chunk as Buffer);
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = text;
				try {
					body = JSON.parse(text);
				} catch {
					// Dropbox answers 400 in plain text.
				}
				const get = (name: string) => {
					const value = response.headers[name.toLowerCase()];
					return value === undefined ? null : String(value);
				};
				throw new DropboxResponseError(status, {get}, body);
			},
			signal,
		);
	}

	private async withRetries<T>(action: string, where: string, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
		let refreshed = false;
		let rateLimited = 0;
		let failed = 0;
		for (;;) {
			if (signal?.aborted) throw cancelled(action, where);
			await this.ensureFreshToken();
			const tokenUsed = this.token;
			try {
				return await attempt();
			} catch (error) {
				if (signal?.aborted) throw cancelled(action, where);
				if (isDropboxFailure(error) && error.status === 401) {
					if (!this.canRefresh) throw new CloudSyncError('auth', tokenInvalidMessage, {cause: error});
					if (this.token !== tokenUsed) continue; // another request renewed it meanwhile
					if (refreshed) throw new CloudSyncError('auth', 'Dropbox rejected a freshly renewed token: use Login to Provider again', {cause: error});
					refreshed = true;
					await this.refresh();
					continue;
				}
				const mapped = dropboxError(error, action, where);
				if (!retriedHere(error, mapped)) throw mapped;
				let delay: number;
				if (isDropboxFailure(error) && error.status === 429) {
					rateLimited++;
					if (rateLimited >= this.retry.rateLimitAttempts) throw mapped;
					delay = mapped.retryAfterMs ?? this.retry.baseDelayMs * 2 ** (rateLimited - 1);
					if (delay > this.retry.maxWaitMs) throw mapped;
				} else {
					failed++;
					if (failed >= this.retry.transientAttempts) throw mapped;
					delay = this.retry.baseDelayMs * 2 ** (failed - 1);
				}
				await sleep(delay, signal);
			}
		}
	}

	private async ensureFreshToken(): Promise<void> {
		const missing = this.token === '';
		if (missing && !this.canRefresh) {
			throw new CloudSyncError('auth', 'the Dropbox credential has no access token: use Login to Provider, or paste an access token');
		}
		if (this.canRefresh && (missing || Date.now() + EXPIRY_MARGIN_MS >= this.tokenExpiry)) await this.refresh();
	}

	/** One refresh at a time, shared by every request that needs it. */
	private refresh(): Promise<void> {
		this.refreshing ??= (async () => {
			try {
				const tokens = await refreshDropboxToken({
					clientId: this.settings.clientId,
					clientSecret: this.settings.clientSecret || undefined,
					refreshToken: this.settings.refreshToken,
					apiUrl: this.settings.apiUrl,
				});
				this.token = tokens.token;
				this.tokenExpiry = Date.parse(tokens.token_expiry);
				this.sdkAuth.setAccessToken(tokens.token);
				try {
					await this.onTokenRefreshed?.(tokens);
				} catch {
					// The new token works from memory, and Dropbox refresh tokens
					// do not rotate: a failed save only costs a refresh next time.
				}
			} finally {
				this.refreshing = undefined;
			}
		})();
		return this.refreshing;
	}

	/** node-fetch for the SDK (Node's fetch lacks `res.buffer()`), with https -> http for a plain-http api_url. */
	/** node-fetch for the SDK: connections watched for silence, and plain http where api_url says so. */
	private sdkFetch(): typeof nodeFetch {
		const {sdkDomain, plainHttp} = this.endpoints;
		const securePrefix = sdkDomain ? `https://${sdkDomain.domain}/` : undefined;
		const plainPrefix = sdkDomain ? `http://${sdkDomain.domain}/` : '';
		const rewrite = (url: string) => (plainHttp && securePrefix && url.startsWith(securePrefix) ? plainPrefix + url.slice(securePrefix.length) : url);
		const agent = (url: URL) => this.agentFor(url);
		return Object.assign((url: Parameters<typeof nodeFetch>[0], init?: RequestInit) => nodeFetch(typeof url === 'string' ? rewrite(url) : url, {...init, agent}), nodeFetch);
	}
}

/** JSON for the Dropbox-API-Arg header: HTTP headers are ASCII, so escape the rest. */
export function headerSafeJson(value: unknown): string {
	return JSON.stringify(value).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Rate limits, server errors, broken connections and data damaged on the way
 * are retried here (every request body is in memory). Other transient 409s
 * (a lost upload offset) need the caller's judgement.
 */
function retriedHere(error: unknown, mapped: CloudSyncError): boolean {
	if (mapped.kind !== 'transient') return false;
	if (!isDropboxFailure(error)) return true;
	return error.status === 429 || error.status >= 500 || hasErrorTag(error, 'content_hash_mismatch');
}

function postForStream(url: string, headers: Record<string, string>, agentFor: (url: URL) => Agent, signal?: AbortSignal): Promise<IncomingMessage> {
	const target = new URL(url);
	const request = target.protocol === 'http:' ? httpRequest : httpsRequest;
	return new Promise((resolve, reject) => {
		const outgoing = request(target, {method: 'POST', headers: {...headers, 'Content-Length': '0'}, agent: agentFor(target), signal}, resolve);
		outgoing.on('error', reject);
		outgoing.end();
	});
}

function cancelled(action: string, where: string): CloudSyncError {
	return new CloudSyncError('aborted', `the request to ${action} ${where} was cancelled`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(new CloudSyncError('aborted', 'the request to Dropbox was cancelled'));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(new CloudSyncError('aborted', 'the request to Dropbox was cancelled'));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}
