/**
 * A small request path for the two S3 calls a sync makes thousands of times:
 * PutObject and UploadPart. The AWS SDK spends about 4 ms of CPU on each call
 * (middleware stack, endpoint rules, schema serde, signing); pushing many
 * small files, that was most of the run. Here a request is a signed
 * node:http(s) call on a keep-alive agent: Signature V4 with the signing key
 * cached per day, Content-MD5, x-amz-meta-* headers, storage class and
 * SSE-S3, path-style or virtual-hosted URLs on Amazon S3 or a custom endpoint.
 *
 * Failures look like the SDK's errors (name = S3 error code, $metadata,
 * $response, a Node error with its code for network failures), so s3Error()
 * maps them to the same one-sentence CloudSyncErrors; retries follow the
 * SDK's standard mode: the same attempts, the same retryable errors, the same
 * full-jitter backoff and Retry-After handling, the same retry quota, and a
 * clock-skew correction from the server's Date.
 * Everything else (listing, HEAD, multipart create/complete/abort, copies)
 * stays on the SDK.
 */
import {createHash, createHmac} from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import {parseRetryAfter} from '../core/retry-after.js';

/** Errors worth another attempt, as the SDK's standard retry mode decides. */
const throttlingCodes = new Set([
	'BandwidthLimitExceeded',
	'LimitExceededException',
	'PriorRequestNotComplete',
	'ProvisionedThroughputExceededException',
	'RequestLimitExceeded',
	'RequestThrottled',
	'RequestThrottledException',
	'SlowDown',
	'ThrottledException',
	'Throttling',
	'ThrottlingException',
	'TooManyRequestsException',
]);
const transientCodes = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const transientStatuses = new Set([500, 502, 503, 504]);
const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const clockSkewCodes = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'AuthFailure']);
const maxRetryDelayMs = 20_000;
/** The SDK's retry quota: retries spend tokens, successes earn them back, so a dead server is not hammered. */
const retryTokens = 500;
const retryCost = 5;
const transientRetryCost = 10;
/** Error answers are read up to this size (S3's error documents are a few hundred bytes). */
const maxErrorBody = 64 * 1024;

/** An error shaped like the SDK's service and network errors. */
export type S3HttpError = Error & {
	code?: string;
	Code?: string;
	$fault?: 'client' | 'server';
	$metadata?: {httpStatusCode?: number; requestId?: string; attempts?: number};
	$response?: {statusCode: number; headers: Record<string, string>};
};

/** S3's URI encoding: everything but A-Z a-z 0-9 - . _ ~ is percent-encoded (UTF-8). */
export function encodeRfc3986(text: string): string {
	return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** 20261127T032504Z */
export function amzDate(date: Date): string {
	return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function sha256Hex(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

/** AWS Signature Version 4 for one key, region and service; the derived signing key is kept for the day. */
export class SigV4Signer {
	private keyDay = '';
	private key: Buffer = Buffer.alloc(0);

	constructor(
		private readonly accessKeyId: string,
		private readonly secretAccessKey: string,
		readonly region: string,
		private readonly sessionToken?: string,
		readonly service = 's3',
	) {}

	/** The signing key for a day (YYYYMMDD), derived once per day. */
	signingKey(day: string): Buffer {
		if (day !== this.keyDay) {
			let key = createHmac('sha256', `AWS4${this.secretAccessKey}`).update(day).digest();
			for (const part of [this.region, this.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
			this.key = key;
			this.keyDay = day;
		}
		return this.key;
	}

	/**
	 * Signs a request in place: adds x-amz-date, x-amz-content-sha256, the
	 * session token when there is one, and Authorization. `headers` has
	 * lower-case names and must include host; all of them are signed except
	 * user-agent and content-length. `path` is the encoded path as sent, and
	 * `query` the canonical query string (sorted, encoded).
	 */
	sign(method: string, path: string, query: string, headers: Record<string, string>, payloadHash: string, now: Date): void {
		const stamp = amzDate(now);
		const day = stamp.slice(0, 8);
		headers['x-amz-date'] = stamp;
		headers['x-amz-content-sha256'] = payloadHash;
		if (this.sessionToken) headers['x-amz-security-token'] = this.sessionToken;
		const names = Object.keys(headers)
			.filter(name => name !== 'user-agent' && name !== 'content-length' && name !== 'authorization')
			.sort();
		let canonicalHeaders = '';
		for (const name of names) canonicalHeaders += `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`;
		const signedHeaders = names.join(';');
		const canonicalRequest = `${method}\n${path}\n${query}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
		const scope = `${day}/${this.region}/${this.service}/aws4_request`;
		const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
		const signature = createHmac('sha256', this.signingKey(day)).update(stringToSign).digest('hex');
		headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
	}
}

/** A bucket name that can be a DNS label under the endpoint's host. */
function virtualHostable(bucket: string, secure: boolean): boolean {
	if (bucket.length < 3 || bucket.length > 63) return false;
	if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return false;
	const labels = bucket.split('.');
	// A dotted name does not match a wildcard certificate: path style over TLS.
	if (labels.length > 1 && secure) return false;
	return labels.every(label => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label));
}

export type S3Target = {
	secure: boolean;
	/** For the socket: no brackets around IPv6 addresses. */
	hostname: string;
	port: number;
	/** The Host header: host plus a non-default port. */
	host: string;
	/** The encoded path of the object (without query). */
	path: string;
};

/** The endpoint, or Amazon S3's for the region. */
export function endpointUrl(endpoint: string, region: string): URL {
	return new URL(endpoint || `https://s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`);
}

/** Where an object's requests go, path-style or virtual-hosted, on a custom endpoint or Amazon S3. */
export function objectTarget(endpoint: string | URL, region: string, forcePathStyle: boolean, bucket: string, key: string): S3Target {
	const base = typeof endpoint === 'string' ? endpointUrl(endpoint, region) : endpoint;
	const secure = base.protocol === 'https:';
	const basePath = base.pathname.replace(/\/+$/, '');
	const encodedKey = key.split('/').map(encodeRfc3986).join('/');
	const port = base.port ? Number(base.port) : secure ? 443 : 80;
	const hostPort = base.port ? `:${base.port}` : '';
	const bareHost = base.hostname.replace(/^\[|\]$/g, '');
	if (!forcePathStyle && virtualHostable(bucket, secure)) {
		return {secure, hostname: `${bucket}.${bareHost}`, port, host: `${bucket}.${base.hostname}${hostPort}`, path: `${basePath}/${encodedKey}`};
	}
	return {secure, hostname: bareHost, port, host: `${base.hostname}${hostPort}`, path: `${basePath}/${encodeRfc3986(bucket)}/${encodedKey}`};
}

function canonicalQuery(query: Array<[string, string]>): string {
	return query
		.map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
		.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
		.map(([name, value]) => `${name}=${value}`)
		.join('&');
}

function xmlText(body: string, tag: string): string | undefined {
	const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body);
	if (!match) return undefined;
	return match[1]!.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_, entity: string) => {
		switch (entity) {
			case 'lt':
				return '<';
			case 'gt':
				return '>';
			case 'amp':
				return '&';
			case 'quot':
				return '"';
			case 'apos':
				return "'";
			default:
				return String.fromCharCode(Number(entity.slice(1)));
		}
	});
}

const statusNames: Record<number, string> = {301: 'PermanentRedirect', 307: 'TemporaryRedirect', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests'};

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
	return out;
}

/** An S3 error answer as the SDK would throw it: name = the S3 error code. */
export function serviceError(status: number, headers: http.IncomingHttpHeaders, body: string): S3HttpError {
	const code = xmlText(body, 'Code');
	const message = xmlText(body, 'Message') ?? `the server answered ${status}`;
	const error = new Error(message) as S3HttpError;
	error.name = code || statusNames[status] || (status >= 500 ? 'InternalError' : `Http${status}`);
	if (code) error.Code = code;
	error.$fault = status >= 500 ? 'server' : 'client';
	const flat = flatHeaders(headers);
	error.$metadata = {httpStatusCode: status, requestId: flat['x-amz-request-id']};
	error.$response = {statusCode: status, headers: flat};
	return error;
}

function isThrottling(error: S3HttpError): boolean {
	return error.$metadata?.httpStatusCode === 429 || throttlingCodes.has(error.name);
}

/** The SDK's standard-mode decision: throttling, transient, 5xx and network errors are tried again. */
export function isRetryableS3Error(error: unknown): boolean {
	const e = error as S3HttpError | undefined;
	if (!e || e.name === 'AbortError') return false;
	const status = e.$metadata?.httpStatusCode;
	if (isThrottling(e) || transientCodes.has(e.name)) return true;
	if (status !== undefined) return status >= 500 && status <= 599;
	if (e.code && networkCodes.has(e.code)) return true;
	return e.cause !== undefined && e.cause !== e && isRetryableS3Error(e.cause);
}

/** Timeouts, resets and 500/502/503/504: the SDK's "transient" class, which costs more of the retry quota. */
function isTransient(error: S3HttpError): boolean {
	if (transientCodes.has(error.name)) return true;
	const status = error.$metadata?.httpStatusCode;
	if (status !== undefined) return transientStatuses.has(status);
	return (error.code !== undefined && networkCodes.has(error.code)) || (error.cause !== undefined && error.cause !== error && isTransient(error.cause as S3HttpError));
}

/** How long the server asked us to wait (Retry-After in seconds or as a date, x-amz-retry-after in ms). */
export function retryAfterMs(error: S3HttpError, now = Date.now()): number | undefined {
	const headers = error.$response?.headers ?? {};
	if (headers['retry-after'] !== undefined) return parseRetryAfter(headers['retry-after'], now);
	const amz = Number(headers['x-amz-retry-after']);
	return headers['x-amz-retry-after'] !== undefined && Number.isFinite(amz) ? Math.max(0, amz) : undefined;
}

function timeoutError(message: string): S3HttpError {
	const error = new Error(message) as S3HttpError;
	error.name = 'TimeoutError';
	return error;
}

function abortError(signal: AbortSignal): Error {
	const error = new Error('Request aborted', {cause: signal.reason});
	error.name = 'AbortError';
	return error;
}

export type S3HttpOptions = {
	endpoint: string;
	region: string;
	forcePathStyle: boolean;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** Attempts per request in all, like the SDK's maxAttempts. */
	maxAttempts: number;
	/** Agents shared by the clients of one credential. */
	agents: S3Agents;
	connectionTimeoutMs?: number;
	/** Longest silence on a socket before the request fails. */
	requestTimeoutMs?: number;
	/** Injectable for tests. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	random?: () => number;
};

/** Keep-alive agents (one per protocol) whose sockets outlive requests, bounded to `maxSockets` per host. */
export class S3Agents {
	readonly http: http.Agent;
	readonly https: https.Agent;

	/** `connect` adds socket options (tests resolve virtual-hosted names with a `lookup`). */
	constructor(maxSockets: number, connect: Pick<http.AgentOptions, 'lookup'> = {}) {
		const options = {keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const, ...connect};
		this.http = new http.Agent(options);
		this.https = new https.Agent(options);
	}

	destroy(): void {
		this.http.destroy();
		this.https.destroy();
	}
}

export type PutObjectInput = {
	bucket: string;
	key: string;
	body: Buffer;
	/** Base64 MD5 of the body. */
	contentMd5: string;
	metadata?: Record<string, string>;
	storageClass?: string;
	serverSideEncryption?: string;
	signal?: AbortSignal;
};

export type UploadPartInput = {
	bucket: string;
	key: string;
	uploadId: string;
	partNumber: number;
	body: Buffer;
	contentMd5: string;
	signal?: AbortSignal;
};

type Answer = {status: number; headers: http.IncomingHttpHeaders};

const defaultSleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve, reject) => {
		if (signal?.aborted) {
			reject(abortError(signal));
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortError(signal!));
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});

export class S3HttpClient {
	private readonly signer: SigV4Signer;
	/** Server time minus ours, learned from a clock-skew answer. */
	private clockOffsetMs = 0;
	private readonly sleep: NonNullable<S3HttpOptions['sleep']>;
	private readonly random: () => number;
	private tokens = retryTokens;
	private readonly base: URL;

	constructor(private readonly options: S3HttpOptions) {
		this.base = endpointUrl(options.endpoint, options.region);
		this.signer = new SigV4Signer(options.accessKeyId, options.secretAccessKey, options.region, options.sessionToken);
		this.sleep = options.sleep ?? defaultSleep;
		this.random = options.random ?? Math.random;
	}

	async putObject(input: PutObjectInput): Promise<{etag: string}> {
		const headers: Record<string, string> = {
			'content-type': 'application/octet-stream',
			'content-md5': input.contentMd5,
		};
		for (const [name, value] of Object.entries(input.metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
		if (input.storageClass) headers['x-amz-storage-class'] = input.storageClass;
		if (input.serverSideEncryption) headers['x-amz-server-side-encryption'] = input.serverSideEncryption;
		const answer = await this.send('PUT', input.bucket, input.key, [], headers, input.body, input.signal);
		return {etag: String(answer.headers.etag ?? '')};
	}

	async uploadPart(input: UploadPartInput): Promise<{etag: string}> {
		const query: Array<[string, string]> = [
			['partNumber', String(input.partNumber)],
			['uploadId', input.uploadId],
		];
		const headers: Record<string, string> = {'content-md5': input.contentMd5};
		const answer = await this.send('PUT', input.bucket, input.key, query, headers, input.body, input.signal);
		return {etag: String(answer.headers.etag ?? '')};
	}

	/** One request with the SDK's retry behaviour; throws an SDK-shaped error. */
	private async send(method: string, bucket: string, key: string, query: Array<[string, string]>, headers: Record<string, string>, body: Buffer, signal?: AbortSignal): Promise<Answer> {
		const target = objectTarget(this.base, this.options.region, this.options.forcePathStyle, bucket, key);
		const queryText = canonicalQuery(query);
		// Over TLS the body is protected in transit and by its signed Content-MD5;
		// over plain http it is signed too, as the SDK does.
		const payloadHash = target.secure ? 'UNSIGNED-PAYLOAD' : sha256Hex(body);
		let skewCorrected = false;
		let spent = 0;
		for (let attempt = 1; ; attempt++) {
			if (signal?.aborted) throw abortError(signal);
			let answer: Answer;
			try {
				answer = await this.once(method, target, queryText, {...headers}, payloadHash, body, signal);
			} catch (error) {
				const e = error as S3HttpError;
				if (signal?.aborted) throw abortError(signal);
				if (e.$metadata) e.$metadata.attempts = attempt;
				const corrected: boolean = !skewCorrected && this.correctClock(e);
				skewCorrected ||= corrected;
				if (attempt >= this.options.maxAttempts || !(corrected || isRetryableS3Error(e))) throw e;
				const cost = isTransient(e) ? transientRetryCost : retryCost;
				if (this.tokens < cost) throw e;
				this.tokens -= cost;
				spent = cost;
				const backoff = Math.floor(this.random() * Math.min((isThrottling(e) ? 500 : 100) * 2 ** attempt, maxRetryDelayMs));
				const asked = retryAfterMs(e);
				await this.sleep(asked === undefined ? backoff : Math.max(backoff, Math.min(asked, backoff + 5_000)), signal);
				continue;
			}
			this.tokens = Math.min(retryTokens, this.tokens + (spent || 1));
			return answer;
		}
	}

	/** After a clock-skew answer, takes the time from the server's Date header; true when that changed the clock. */
	private correctClock(error: S3HttpError): boolean {
		if (!clockSkewCodes.has(error.name)) return false;
		const date = Date.parse(error.$response?.headers.date ?? '');
		if (!Number.isFinite(date)) return false;
		const offset = date - Date.now();
		if (Math.abs(offset - this.clockOffsetMs) < 5 * 60_000) return false;
		this.clockOffsetMs = offset;
		return true;
	}

	private once(method: string, target: S3Target, query: string, headers: Record<string, string>, payloadHash: string, body: Buffer, signal?: AbortSignal): Promise<Answer> {
		headers.host = target.host;
		headers['content-length'] = String(body.length);
		headers['user-agent'] = 'cloudsync';
		this.signer.sign(method, target.path, query, headers, payloadHash, new Date(Date.now() + this.clockOffsetMs));
		const connectionTimeoutMs = this.options.connectionTimeoutMs ?? 15_000;
		const requestTimeoutMs = this.options.requestTimeoutMs ?? 120_000;
		return new Promise<Answer>((resolve, reject) => {
			let settled = false;
			const fail = (error: Error) => {
				if (settled) return;
				settled = true;
				reject(error);
			};
			const request = (target.secure ? https : http).request({
				method,
				hostname: target.hostname,
				port: target.port,
				path: query ? `${target.path}?${query}` : target.path,
				headers,
				agent: target.secure ? this.options.agents.https : this.options.agents.http,
				signal,
			});
			request.setTimeout(requestTimeoutMs, () => request.destroy(timeoutError(`no answer for ${requestTimeoutMs / 1000} s`)));
			request.once('socket', socket => {
				if (!socket.connecting) return;
				const timer = setTimeout(() => request.destroy(timeoutError(`could not connect within ${connectionTimeoutMs / 1000} s`)), connectionTimeoutMs);
				socket.once('connect', () => clearTimeout(timer));
				socket.once('close', () => clearTimeout(timer));
			});
			request.on('error', fail);
			request.on('response', response => {
				const status = response.statusCode ?? 0;
				response.on('error', fail);
				// A connection cut before the whole answer arrived.
				response.on('aborted', () => fail(Object.assign(new Error('the answer was cut short'), {code: 'ECONNRESET'})));
				if (status >= 200 && status < 300) {
					response.resume();
					response.on('end', () => {
						if (settled) return;
						settled = true;
						resolve({status, headers: response.headers});
					});
					return;
				}
				const chunks: Buffer[] = [];
				let length = 0;
				response.on('data', (chunk: Buffer) => {
					if (length < maxErrorBody) chunks.push(chunk);
					length += chunk.length;
				});
				response.on('end', () => fail(serviceError(status, response.headers, Buffer.concat(chunks).toString('utf8'))));
			});
			request.end(body);
		});
	}
}
