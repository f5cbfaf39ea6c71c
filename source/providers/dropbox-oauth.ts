/**
 * Dropbox's endpoints and "Login to Provider": OAuth 2 authorization code
 * with PKCE (S256) and no redirect URI, so it works over SSH on a server with
 * no browser: we print the authorize URL, the user opens it anywhere, Dropbox
 * shows a code, the user pastes it back. Secrets travel in POST bodies only,
 * never in URLs, logs or messages.
 */
import {createHash, randomBytes} from 'node:crypto';
import nodeFetch, {type Response} from 'node-fetch';
import {CloudSyncError} from '../core/errors.js';
import {networkError, retryAfterMs} from './dropbox-errors.js';

export type DropboxEndpoints = {
	/** RPC calls: `${api}/2/files/list_folder`. */
	api: string;
	/** Content calls: `${content}/2/files/download`. */
	content: string;
	authorize: string;
	token: string;
	/** What the SDK needs to send every call to `api_url` instead of Dropbox. */
	sdkDomain?: {domain: string; domainDelimiter: string};
	/** api_url uses plain http (tests, a local proxy): the SDK's https URLs must be rewritten. */
	plainHttp: boolean;
};

export const dropboxDefaultEndpoints: DropboxEndpoints = {
	api: 'https://api.dropboxapi.com',
	content: 'https://content.dropboxapi.com',
	authorize: 'https://www.dropbox.com/oauth2/authorize',
	token: 'https://api.dropboxapi.com/oauth2/token',
	plainHttp: false,
};

/**
 * Every endpoint from one base URL (`api_url`); empty means Dropbox itself.
 * With a base URL the API and content calls share one host, told apart by path.
 */
export function dropboxEndpoints(apiUrl?: string): DropboxEndpoints {
	const raw = (apiUrl ?? '').trim();
	if (raw === '') return dropboxDefaultEndpoints;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new CloudSyncError('usage', `api_url "${raw}" is not a URL: use a form like https://proxy.example:8443 or leave it empty`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new CloudSyncError('usage', `api_url must start with http:// or https://, not ${url.protocol}`);
	}
	if (url.username || url.password || url.search || url.hash) {
		throw new CloudSyncError('usage', 'api_url must not contain a user name, password, query or fragment');
	}
	const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
	const domain = base.slice(url.protocol.length + 2);
	return {
		api: base,
		content: base,
		authorize: `${base}/oauth2/authorize`,
		token: `${base}/oauth2/token`,
		sdkDomain: {domain, domainDelimiter: ''},
		plainHttp: url.protocol === 'http:',
	};
}

export type DropboxLoginStart = {authorizeUrl: string; codeVerifier: string};
export type DropboxTokens = {token: string; token_expiry: string; refresh_token?: string};

function base64url(data: Buffer): string {
	return data.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function requireClientId(clientId: string | undefined): string {
	const id = (clientId ?? '').trim();
	if (id === '') {
		throw new CloudSyncError(
			'usage',
			'Login to Provider needs the app key (client_id) of a Dropbox app: create one at https://www.dropbox.com/developers/apps and enter its key',
		);
	}
	return id;
}

/** Step 1: the URL to open in any browser, and the verifier to keep for step 2. */
export function startDropboxLogin(options: {clientId: string; apiUrl?: string}): DropboxLoginStart {
	const clientId = requireClientId(options.clientId);
	const codeVerifier = base64url(randomBytes(64));
	const challenge = base64url(createHash('sha256').update(codeVerifier).digest());
	const query = new URLSearchParams({
		client_id: clientId,
		response_type: 'code',
		token_access_type: 'offline',
		code_challenge: challenge,
		code_challenge_method: 'S256',
	});
	return {authorizeUrl: `${dropboxEndpoints(options.apiUrl).authorize}?${query}`, codeVerifier};
}

/** Step 2: trades the code the user pasted for a refresh token and a first access token. */
export async function finishDropboxLogin(options: {
	clientId: string;
	code: string;
	codeVerifier: string;
	apiUrl?: string;
	clientSecret?: string;
}): Promise<Required<DropboxTokens>> {
	const clientId = requireClientId(options.clientId);
	const code = options.code.trim();
	if (code === '') throw new CloudSyncError('usage', 'no code was entered: paste the code Dropbox showed after you allowed access');
	const form = new URLSearchParams({grant_type: 'authorization_code', code, client_id: clientId, code_verifier: options.codeVerifier});
	if (options.clientSecret) form.set('client_secret', options.clientSecret);
	const body = await tokenRequest(dropboxEndpoints(options.apiUrl).token, form, 'finish the Dropbox login', {
		invalid_grant: 'Dropbox did not accept the code: it is mistyped, already used or expired; start Login to Provider again and paste the new code',
	});
	if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
		throw new CloudSyncError('permanent', 'Dropbox sent no refresh token: the app must allow offline access; try Login to Provider again');
	}
	return {...accessToken(body), refresh_token: body.refresh_token};
}

/** A fresh access token from a refresh token. */
export async function refreshDropboxToken(options: {
	clientId: string;
	refreshToken: string;
	apiUrl?: string;
	clientSecret?: string;
}): Promise<DropboxTokens> {
	const clientId = (options.clientId ?? '').trim();
	if (clientId === '') {
		throw new CloudSyncError('auth', 'the Dropbox token expired and cannot be renewed without the app key (client_id): enter it, or use Login to Provider again');
	}
	const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: options.refreshToken, client_id: clientId});
	if (options.clientSecret) form.set('client_secret', options.clientSecret);
	const body = await tokenRequest(dropboxEndpoints(options.apiUrl).token, form, 'renew the Dropbox access token', {
		invalid_grant: 'the Dropbox login was revoked or has expired: use Login to Provider again',
	});
	return accessToken(body);
}

type TokenBody = {access_token?: unknown; expires_in?: unknown; refresh_token?: unknown; error?: unknown; error_description?: unknown};

function accessToken(body: TokenBody): DropboxTokens {
	if (typeof body.access_token !== 'string' || body.access_token === '') {
		throw new CloudSyncError('permanent', 'Dropbox answered the token request without an access token: try again later');
	}
	const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 4 * 3600;
	return {token: body.access_token, token_expiry: new Date(Date.now() + seconds * 1000).toISOString()};
}

async function tokenRequest(url: string, form: URLSearchParams, action: string, messages: Record<string, string>): Promise<TokenBody> {
	let response: Response;
	try {
		response = await nodeFetch(url, {
			method: 'POST',
			headers: {'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json'},
			body: form.toString(),
		});
	} catch (error) {
		throw networkError(error, action, 'on Dropbox');
	}
	const text = await response.text().catch(() => '');
	let body: TokenBody = {};
	try {
		body = JSON.parse(text) as TokenBody;
	} catch {
		// Not JSON: judged by the status below.
	}
	if (response.ok) return body;
	const status = response.status;
	if (status === 429) {
		const wait = retryAfterMs({status, headers: response.headers, error: body});
		throw new CloudSyncError('transient', 'Dropbox is limiting the request rate: try again in a moment', {retryAfterMs: wait});
	}
	if (status >= 500) throw new CloudSyncError('transient', `Dropbox had a server error (HTTP ${status}) trying to ${action}: try again later`);
	const code = typeof body.error === 'string' ? body.error : '';
	if (messages[code]) throw new CloudSyncError('auth', messages[code]);
	if (code === 'invalid_client' || code === 'unauthorized_client') {
		throw new CloudSyncError('auth', 'Dropbox does not accept the app key (client_id) or app secret: check them in the credential');
	}
	throw new CloudSyncError('auth', `Dropbox refused to ${action} (${code || `HTTP ${status}`}): use Login to Provider again`);
}
