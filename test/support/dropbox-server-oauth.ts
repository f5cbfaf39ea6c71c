/**
 * OAuth 2 for the local Dropbox API server: apps (client ids, optional
 * secrets), the authorize page that shows a code (the no-redirect flow),
 * oauth2/token for authorization_code (with PKCE: plain or S256) and
 * refresh_token grants, and the bearer tokens every API call must carry.
 */
import {createHash, randomBytes} from 'node:crypto';

type Code = {clientId: string; challenge?: string; method?: string; offline: boolean; expiresAt: number; used: boolean};
export type BearerCheck = 'ok' | 'missing' | 'invalid' | 'expired';
export type OAuthReply = {status: number; body: Record<string, unknown>};

const token = (prefix: string) => `${prefix}.${randomBytes(24).toString('base64url')}`;
const base64url = (data: Buffer) => data.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export class OAuthState {
	readonly apps: Map<string, {secret?: string}>;
	private readonly accessTokens = new Map<string, {expiresAt: number}>();
	private readonly refreshTokens = new Map<string, {clientId: string}>();
	private readonly codes = new Map<string, Code>();
	/** Token requests that carried a secret in the URL instead of the body. */
	secretsInQuery = 0;

	constructor(
		apps: Record<string, string | undefined>,
		public tokenLifetimeSeconds: number,
	) {
		this.apps = new Map(Object.entries(apps).map(([id, secret]) => [id, {secret}]));
	}

	issueAccessToken(lifetimeSeconds = this.tokenLifetimeSeconds): string {
		const value = token('sl');
		this.accessTokens.set(value, {expiresAt: Date.now() + lifetimeSeconds * 1000});
		return value;
	}

	issueRefreshToken(clientId: string): string {
		const value = token('rt');
		this.refreshTokens.set(value, {clientId});
		return value;
	}

	/** Expires the given access tokens, or every one. */
	expireAccessTokens(tokens: string[] = []): void {
		for (const [value, entry] of this.accessTokens) if (tokens.length === 0 || tokens.includes(value)) entry.expiresAt = 0;
	}

	revokeRefreshTokens(): void {
		this.refreshTokens.clear();
	}

	checkBearer(header: string | undefined): BearerCheck {
		if (!header) return 'missing';
		const match = /^Bearer (\S+)$/.exec(header);
		if (!match) return 'invalid';
		const entry = this.accessTokens.get(match[1]);
		if (!entry) return 'invalid';
		return entry.expiresAt <= Date.now() ? 'expired' : 'ok';
	}

	/** GET /oauth2/authorize: with no redirect_uri Dropbox shows the code for the user to copy. */
	authorize(query: URLSearchParams): {status: number; html: string} {
		const fail = (message: string) => ({status: 400, html: `<html><body><h1>Error (400)</h1><p>${escape(message)}</p></body></html>`});
		const clientId = query.get('client_id') ?? '';
		if (!this.apps.has(clientId)) return fail('Invalid client_id');
		if (query.get('response_type') !== 'code') return fail('response_type must be "code" without a redirect_uri');
		if (query.get('redirect_uri')) return fail('this test server only does the no-redirect flow');
		const challenge = query.get('code_challenge') ?? undefined;
		const method = query.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
		if (challenge && !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return fail('code_challenge must be 43-128 characters');
		if (method && method !== 'S256' && method !== 'plain') return fail('code_challenge_method must be S256 or plain');
		const code = randomBytes(16).toString('base64url');
		this.codes.set(code, {
			clientId,
			challenge,
			method,
			offline: query.get('token_access_type') === 'offline',
			expiresAt: Date.now() + 10 * 60_000,
			used: false,
		});
		return {status: 200, html: `<html><body><p>Enter this code into the app:</p><code id="auth-code">${code}</code></body></html>`};
	}

	/** POST /oauth2/token with parameters from the form body (or, as Dropbox allows, the query). */
	token(body: URLSearchParams, query: URLSearchParams, authorization: string | undefined): OAuthReply {
		for (const secret of ['client_secret', 'refresh_token', 'code_verifier', 'code']) if (query.has(secret)) this.secretsInQuery++;
		const param = (name: string) => body.get(name) ?? query.get(name) ?? undefined;
		const error = (status: number, code: string, description: string): OAuthReply => ({status, body: {error: code, error_description: description}});
		let clientId = param('client_id');
		let clientSecret = param('client_secret');
		const basic = /^Basic (\S+)$/.exec(authorization ?? '');
		if (basic) [clientId, clientSecret] = Buffer.from(basic[1], 'base64').toString().split(':');
		const app = clientId === undefined ? undefined : this.apps.get(clientId);
		if (!app || clientId === undefined) return error(400, 'invalid_client', 'Invalid client_id or client_secret');
		if (clientSecret !== undefined && clientSecret !== app.secret) return error(400, 'invalid_client', 'Invalid client_id or client_secret');
		const grant = param('grant_type');
		if (grant === 'authorization_code') {
			const code = this.codes.get(param('code') ?? '');
			if (!code || code.used || code.expiresAt < Date.now() || code.clientId !== clientId) return error(400, 'invalid_grant', "code doesn't exist or has expired");
			if (code.challenge) {
				const verifier = param('code_verifier') ?? '';
				const derived = code.method === 'S256' ? base64url(createHash('sha256').update(verifier).digest()) : verifier;
				if (derived !== code.challenge) return error(400, 'invalid_grant', 'invalid code verifier');
			} else if (!app.secret || clientSecret !== app.secret) {
				return error(400, 'invalid_client', 'client_secret is required without PKCE');
			}
			code.used = true;
			const reply: Record<string, unknown> = {
				access_token: this.issueAccessToken(),
				token_type: 'bearer',
				expires_in: this.tokenLifetimeSeconds,
				scope: 'account_info.read files.content.read files.content.write files.metadata.read files.metadata.write',
				uid: '12345',
				account_id: 'dbid:test-account',
			};
			if (code.offline) reply.refresh_token = this.issueRefreshToken(clientId);
			return {status: 200, body: reply};
		}
		if (grant === 'refresh_token') {
			const entry = this.refreshTokens.get(param('refresh_token') ?? '');
			if (!entry || entry.clientId !== clientId) return error(400, 'invalid_grant', 'refresh token is invalid or revoked');
			return {status: 200, body: {access_token: this.issueAccessToken(), token_type: 'bearer', expires_in: this.tokenLifetimeSeconds}};
		}
		return error(400, 'unsupported_grant_type', `grant_type "${grant ?? ''}" is not supported`);
	}
}

function escape(text: string): string {
	return text.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`);
}
