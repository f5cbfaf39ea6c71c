/**
 * A local Dropbox API v2 server for the tests, written from Dropbox's HTTP
 * documentation (https://www.dropbox.com/developers/documentation/http).
 * One node:http server plays every host: the SDK, given `domain:
 * '127.0.0.1:PORT'` and `domainDelimiter: ''`, sends RPC calls
 * (api.dropboxapi.com) and content calls (content.dropboxapi.com) to
 * `/2/<endpoint>` on the same port, so routing goes by endpoint, and each
 * endpoint checks it was called in its own style (JSON body, or
 * Dropbox-API-Arg header with an octet-stream body). Faults can be injected:
 * an answer instead of the real one, a real answer replaced after the change
 * was made (a lost answer), or a dropped connection.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import nodeFetch from 'node-fetch';
import {FilesApi, maxRequestBytes, type DownloadReply, type Route} from './dropbox-server-files.js';
import {OAuthState} from './dropbox-server-oauth.js';
import {ApiError, badRequest, DropboxStore, nowTimestamp, timestampPattern, type StoredFile} from './dropbox-server-store.js';

export type DropboxServerOptions = {
	/** Entries per list_folder page (Dropbox's own is up to 2,000); small pages make tests cross pages. */
	pageSize?: number;
	/** App keys and their secrets (undefined: a PKCE-only app). */
	apps?: Record<string, string | undefined>;
	tokenLifetimeSeconds?: number;
};

export type FaultOptions = {endpoint?: string; body?: unknown; afterHandling?: boolean};
type Fault = {remaining: number; endpoint?: string} & (
	| {kind: 'respond'; status: number; headers: Record<string, string>; body?: unknown; afterHandling: boolean}
	| {kind: 'drop'; afterBytes?: number}
	| {kind: 'stall'; afterBytes?: number}
	| {kind: 'corrupt'}
);
type Reply =
	| {kind: 'json'; status: number; value: unknown}
	| {kind: 'html'; status: number; html: string}
	| {kind: 'download'; value: DownloadReply};
export type RequestRecord = {endpoint: string; at: number; status: number};

export type DropboxServer = {
	/** Base URL for api_url: http://127.0.0.1:PORT */
	url: string;
	port: number;
	/** A valid access token. */
	token: string;
	/** The app key registered by default (PKCE, no secret). */
	clientId: string;
	store: DropboxStore;
	oauth: OAuthState;
	/** Every request in the order it arrived, with the time and the status answered (0: none, or not yet). */
	requests: RequestRecord[];
	putFile(path: string, content: Buffer | string, clientModified?: string): StoredFile;
	file(path: string): StoredFile | undefined;
	/** Display paths of every file and folder, sorted. */
	paths(): string[];
	openSessions(): number;
	/** The next `count` requests (to `endpoint`, if given) get `status` instead of their answer. */
	failNext(count: number, status: number, headers?: Record<string, string>, options?: FaultOptions): void;
	/** The next `count` requests lose their connection (downloads: after `afterBytes` of the body). */
	dropNext(count: number, options?: {endpoint?: string; afterBytes?: number}): void;
	/** The next `count` requests get no answer and the connection stays open (downloads: silent after `afterBytes` of the body). */
	stallNext(count: number, options?: {endpoint?: string; afterBytes?: number}): void;
	/** The next `count` request bodies (to `endpoint`, if given) arrive with one byte flipped. */
	corruptNext(count: number, options?: {endpoint?: string}): void;
	/** Expires the given access tokens (every one when none is given). */
	expireTokens(...tokens: string[]): void;
	/** A refresh token (and an access token) as Login to Provider would store them. */
	issueTokens(clientId?: string): {token: string; refreshToken: string};
	/** Plays the user in a browser: opens the authorize URL and reads the code Dropbox shows. */
	approve(authorizeUrl: string): Promise<string>;
	stop(): Promise<void>;
};

const defaultClientId = 'cloudsync-test-app';

export async function startDropboxServer(options: DropboxServerOptions = {}): Promise<DropboxServer> {
	const store = new DropboxStore();
	const oauth = new OAuthState(options.apps ?? {[defaultClientId]: undefined}, options.tokenLifetimeSeconds ?? 14_400);
	const pageSize = options.pageSize ?? 25;
	const files = new FilesApi(store, () => pageSize);
	const routes: Record<string, Route> = {
		...files.routes(),
		'users/get_current_account': {style: 'rpc', handle: () => account()},
	};
	const faults: Fault[] = [];
	const requests: RequestRecord[] = [];

	const takeFault = (endpoint: string): Fault | undefined => {
		const index = faults.findIndex(fault => fault.endpoint === undefined || fault.endpoint === endpoint);
		if (index < 0) return undefined;
		const fault = faults[index];
		if (--fault.remaining <= 0) faults.splice(index, 1);
		return fault;
	};

	const server = http.createServer((req, res) => {
		const at = Date.now();
		const url = new URL(req.url ?? '/', 'http://localhost');
		const endpoint = url.pathname.startsWith('/2/') ? url.pathname.slice(3) : url.pathname.slice(1);
		const record: RequestRecord = {endpoint, at, status: 0};
		requests.push(record);
		res.on('close', () => {
			record.status = res.headersSent ? res.statusCode : 0;
		});
		readBody(req)
			.then(body => serve(req, res, url, endpoint, body))
			.catch(error => {
				if (!res.headersSent) send(res, 500, `test server failure: ${String(error)}`);
				else res.destroy();
			});
	});

	const serve = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, endpoint: string, body: Buffer) => {
		const fault = takeFault(endpoint);
		if (fault?.kind === 'drop' && fault.afterBytes === undefined) {
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'stall' && fault.afterBytes === undefined) return; // a server that hangs
		if (fault?.kind === 'respond' && !fault.afterHandling) {
			send(res, fault.status, fault.body ?? defaultFaultBody(fault.status, fault.headers), fault.headers);
			return;
		}
		if (fault?.kind === 'corrupt' && body.length > 0) body[0] ^= 0xff;
		let reply: Reply;
		try {
			reply = answer(req, url, endpoint, body);
		} catch (error) {
			if (!(error instanceof ApiError)) throw error;
			send(res, error.status, error.body, error.headers);
			return;
		}
		if (fault?.kind === 'respond') {
			send(res, fault.status, fault.body ?? defaultFaultBody(fault.status, fault.headers), fault.headers);
			return;
		}
		switch (reply.kind) {
			case 'html':
				res.writeHead(reply.status, {'Content-Type': 'text/html; charset=utf-8'}).end(reply.html);
				return;
			case 'download':
				sendDownload(req, res, reply.value, fault?.kind === 'drop' || fault?.kind === 'stall' ? {afterBytes: fault.afterBytes ?? 0, then: fault.kind} : undefined);
				return;
			case 'json':
				send(res, reply.status, reply.value ?? null);
		}
	};

	const answer = (req: http.IncomingMessage, url: URL, endpoint: string, body: Buffer): Reply => {
		if (endpoint === 'oauth2/authorize' && req.method === 'GET') return {kind: 'html', ...oauth.authorize(url.searchParams)};
		if (endpoint === 'oauth2/token' && req.method === 'POST') {
			const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body.toString()) : new URLSearchParams();
			const reply = oauth.token(form, url.searchParams, req.headers.authorization);
			return {kind: 'json', status: reply.status, value: reply.body};
		}
		const route = url.pathname.startsWith('/2/') ? routes[endpoint] : undefined;
		if (!route) throw new ApiError(404, `Unknown API function: "${endpoint}"`);
		if (req.method !== 'POST') throw new ApiError(405, 'Only POST is allowed');
		const bearer = oauth.checkBearer(req.headers.authorization);
		if (bearer === 'missing') throw badRequest(endpoint, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
		if (bearer !== 'ok') {
			const tag = bearer === 'expired' ? 'expired_access_token' : 'invalid_access_token';
			throw new ApiError(401, {error_summary: `${tag}/...`, error: {'.tag': tag}});
		}
		const value = route.handle(parseArg(req, url, endpoint, route, body), body);
		return route.style === 'download' ? {kind: 'download', value: value as DownloadReply} : {kind: 'json', status: 200, value};
	};

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}`;

	return {
		url,
		port,
		token: oauth.issueAccessToken(365 * 24 * 3600),
		clientId: Object.keys(options.apps ?? {[defaultClientId]: undefined})[0],
		store,
		oauth,
		requests,
		putFile(path, content, clientModified = nowTimestamp()) {
			if (!timestampPattern.test(clientModified)) throw new Error(`bad client_modified ${clientModified}`);
			return store.putFile(path, Buffer.from(content), clientModified);
		},
		file(path) {
			const node = store.get(path);
			return node?.kind === 'file' ? node : undefined;
		},
		paths: () => store.all().map(node => node.path).sort(),
		openSessions: () => files.sessions.size,
		failNext(count, status, headers = {}, faultOptions = {}) {
			faults.push({kind: 'respond', remaining: count, status, headers, body: faultOptions.body, endpoint: faultOptions.endpoint, afterHandling: faultOptions.afterHandling ?? false});
		},
		dropNext(count, dropOptions = {}) {
			faults.push({kind: 'drop', remaining: count, endpoint: dropOptions.endpoint, afterBytes: dropOptions.afterBytes});
		},
		stallNext(count, stallOptions = {}) {
			faults.push({kind: 'stall', remaining: count, endpoint: stallOptions.endpoint, afterBytes: stallOptions.afterBytes});
		},
		corruptNext(count, corruptOptions = {}) {
			faults.push({kind: 'corrupt', remaining: count, endpoint: corruptOptions.endpoint});
		},
		expireTokens: (...tokens) => oauth.expireAccessTokens(tokens),
		issueTokens(clientId = defaultClientId) {
			return {token: oauth.issueAccessToken(), refreshToken: oauth.issueRefreshToken(clientId)};
		},
		async approve(authorizeUrl) {
			const response = await nodeFetch(authorizeUrl);
			const html = await response.text();
			const code = /<code id="auth-code">([^<]+)<\/code>/.exec(html)?.[1];
			if (response.status !== 200 || !code) throw new Error(`the authorize page refused: ${html.replace(/<[^>]+>/g, ' ').trim()}`);
			return code;
		},
		stop: () =>
			new Promise<void>(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

function account(): unknown {
	return {
		account_id: 'dbid:test-account',
		name: {given_name: 'Test', surname: 'User', familiar_name: 'Test', display_name: 'Test User', abbreviated_name: 'TU'},
		email: 'test@example.invalid',
		email_verified: true,
		disabled: false,
		locale: 'en',
		referral_link: 'https://db.tt/test',
		is_paired: false,
		account_type: {'.tag': 'basic'},
		root_info: {'.tag': 'user', root_namespace_id: '1', home_namespace_id: '1'},
		country: 'US',
	};
}

function parseArg(req: http.IncomingMessage, url: URL, endpoint: string, route: Route, body: Buffer): unknown {
	const contentType = req.headers['content-type'] ?? '';
	if (route.style === 'rpc') {
		if (body.length === 0) return null;
		if (!/^application\/json(;\s*charset=utf-8)?$/i.test(contentType)) {
			throw badRequest(endpoint, `Bad HTTP "Content-Type" header: "${contentType}".  Expecting one of "application/json", "application/json; charset=utf-8".`);
		}
		try {
			return JSON.parse(body.toString('utf8'));
		} catch {
			throw badRequest(endpoint, 'request body: could not decode input as JSON');
		}
	}
	if (route.style === 'upload' && contentType !== 'application/octet-stream') {
		throw badRequest(endpoint, `Bad HTTP "Content-Type" header: "${contentType}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`);
	}
	if (route.style === 'download' && body.length > 0) throw badRequest(endpoint, 'this endpoint takes no request body');
	const header = req.headers['dropbox-api-arg'];
	const raw = typeof header === 'string' ? header : url.searchParams.get('arg');
	if (raw === null || raw === undefined) throw badRequest(endpoint, 'Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
	// Header values are ASCII: anything else must arrive \u-escaped.
	if (typeof header === 'string' && /[^\x20-\x7e]/.test(header)) throw badRequest(endpoint, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
	try {
		return JSON.parse(raw);
	} catch {
		throw badRequest(endpoint, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
	}
}

function sendDownload(req: http.IncomingMessage, res: http.ServerResponse, reply: DownloadReply, cut?: {afterBytes: number; then: 'drop' | 'stall'}): void {
	const {content, metadata} = reply.download;
	const headers: Record<string, string> = {
		'Content-Type': 'application/octet-stream',
		'Dropbox-API-Result': JSON.stringify(metadata).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
		'Accept-Ranges': 'bytes',
	};
	let status = 200;
	let body = content;
	const range = req.headers.range;
	if (range) {
		const match = /^bytes=(\d*)-(\d*)$/.exec(range);
		let start = match?.[1] ? Number(match[1]) : Number.NaN;
		let end = match?.[2] ? Number(match[2]) : content.length - 1;
		if (match && match[1] === '' && match[2] !== '') {
			start = Math.max(0, content.length - Number(match[2]));
			end = content.length - 1;
		}
		if (!match || Number.isNaN(start) || start >= content.length || end < start) {
			res.writeHead(416, {'Content-Range': `bytes */${content.length}`, 'Content-Type': 'text/plain'}).end('Requested range not satisfiable');
			return;
		}
		end = Math.min(end, content.length - 1);
		status = 206;
		body = content.subarray(start, end + 1);
		headers['Content-Range'] = `bytes ${start}-${end}/${content.length}`;
	}
	headers['Content-Length'] = String(body.length);
	if (cut !== undefined) {
		res.writeHead(status, headers);
		res.write(body.subarray(0, cut.afterBytes), () => {
			if (cut.then === 'drop') res.destroy();
		});
		return;
	}
	res.writeHead(status, headers).end(body);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const isText = typeof body === 'string';
	const payload = isText ? body : JSON.stringify(body);
	res.writeHead(status, {'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json', ...headers});
	res.end(payload);
}

function defaultFaultBody(status: number, headers: Record<string, string>): unknown {
	if (status === 429) {
		const retryAfter = Number(headers['Retry-After'] ?? headers['retry-after'] ?? 1);
		return {error_summary: 'too_many_requests/...', error: {reason: {'.tag': 'too_many_requests'}, retry_after: retryAfter}};
	}
	if (status === 401) return {error_summary: 'expired_access_token/...', error: {'.tag': 'expired_access_token'}};
	if (status >= 500) return 'Internal Server Error';
	return `test fault ${status}`;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > maxRequestBytes + 1024 * 1024) throw new Error('request body too large');
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}
