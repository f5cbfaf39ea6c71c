/**
 * Tokens, Login to Provider, and what the Dropbox provider does when the
 * server or the network misbehaves: 401 -> silent refresh -> saved token,
 * 429 + Retry-After, 5xx, lost answers in upload sessions, corrupted uploads,
 * dropped downloads, refused connections. Real HTTP against the local server.
 */
import {Readable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {DropboxRemote, finishDropboxLogin, startDropboxLogin} from '../../source/providers/dropbox.js';
import {freePort} from '../support/ports.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';
import {caught} from '../support/errors.js';

const MiB = 1024 * 1024;
let server: DropboxServer;

beforeAll(async () => {
	server = await startDropboxServer();
});

afterAll(async () => {
	await server.stop();
});

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function since(mark: number): string[] {
	return server.requests.slice(mark).map(request => `${request.endpoint} ${request.status}`);
}

const fast = {retry: {baseDelayMs: 5}};

describe('tokens', () => {
	test('a wrong token without a refresh token is one sentence', async () => {
		const remote = new DropboxRemote({token: 'not-a-token', api_url: server.url}, {});
		const error = await caught(remote.verify());
		expect(error.kind).toBe('auth');
		expect(error.message).toBe('the Dropbox token is invalid or expired: use Login to Provider again');
		expect(error.message).not.toContain('not-a-token');
	});

	test('no token at all says what to do', async () => {
		const error = await caught(new DropboxRemote({api_url: server.url}, {}).verify());
		expect(error.message).toBe('the Dropbox credential has no access token: use Login to Provider, or paste an access token');
	});

	test('an expired token is refreshed silently, the new one is handed over to be saved and then used', async () => {
		const {token, refreshToken} = server.issueTokens();
		const saved: {token: string; token_expiry: string}[] = [];
		const remote = new DropboxRemote(
			{token, refresh_token: refreshToken, client_id: server.clientId, api_url: server.url},
			{},
			{onTokenRefreshed: tokens => void saved.push(tokens)},
		);
		await remote.verify();
		expect(saved).toEqual([]);
		server.expireTokens(token);
		const mark = server.requests.length;
		await remote.verify();
		expect(since(mark)).toEqual(['users/get_current_account 401', 'oauth2/token 200', 'users/get_current_account 200']);
		expect(saved).toHaveLength(1);
		expect(saved[0].token).not.toBe(token);
		expect(Date.parse(saved[0].token_expiry)).toBeGreaterThan(Date.now() + 3600_000);
		await remote.verify();
		expect(saved).toHaveLength(1);
		expect(server.oauth.secretsInQuery).toBe(0);
	});

	test('many requests that meet an expired token share one renewal', async () => {
		const {token, refreshToken} = server.issueTokens();
		let saves = 0;
		const remote = new DropboxRemote(
			{token, refresh_token: refreshToken, client_id: server.clientId, api_url: server.url},
			{},
			{onTokenRefreshed: () => void saves++},
		);
		server.expireTokens(token);
		const mark = server.requests.length;
		await Promise.all(Array.from({length: 6}, (_, i) => remote.stat(`nothing-${i}`)));
		expect(since(mark).filter(line => line.startsWith('oauth2/token'))).toHaveLength(1);
		expect(saves).toBe(1);
	});

	test('a token that expires in the middle of an upload session is renewed and the chunk sent again', async () => {
		const {token, refreshToken} = server.issueTokens();
		let saves = 0;
		const remote = new DropboxRemote(
			{token, refresh_token: refreshToken, client_id: server.clientId, api_url: server.url, chunk_size: 4},
			{folder: 'midway'},
			{onTokenRefreshed: () => void saves++},
		);
		const content = Buffer.alloc(9 * MiB, 7);
		server.failNext(1, 401, {}, {endpoint: 'files/upload_session/append_v2'});
		const mark = server.requests.length;
		await remote.write('file', Readable.from([content]), {size: content.length, mtime: 0});
		expect(since(mark)).toEqual([
			'files/upload_session/start 200',
			'files/upload_session/append_v2 401',
			'oauth2/token 200',
			'files/upload_session/append_v2 200',
			'files/upload_session/finish 200',
		]);
		expect(saves).toBe(1);
		expect(server.file('/midway/file')?.content.equals(content)).toBe(true);
	});

	test('a token past its saved expiry is renewed before the first call, and concurrent calls share one renewal', async () => {
		const {token, refreshToken} = server.issueTokens();
		let saves = 0;
		const remote = new DropboxRemote(
			{token, refresh_token: refreshToken, client_id: server.clientId, api_url: server.url, token_expiry: new Date(Date.now() - 1000).toISOString()},
			{},
			{onTokenRefreshed: () => void saves++},
		);
		const mark = server.requests.length;
		await Promise.all([remote.stat('a'), remote.stat('b'), remote.verify()]);
		const seen = since(mark);
		expect(seen.filter(line => line.startsWith('oauth2/token'))).toEqual(['oauth2/token 200']);
		expect(seen[0]).toBe('oauth2/token 200');
		expect(seen.some(line => line.endsWith(' 401'))).toBe(false);
		expect(saves).toBe(1);
	});

	test('a revoked refresh token sends the user back to Login to Provider', async () => {
		const isolated = await startDropboxServer();
		try {
			const {token, refreshToken} = isolated.issueTokens();
			const remote = new DropboxRemote({token, refresh_token: refreshToken, client_id: isolated.clientId, api_url: isolated.url}, {});
			isolated.expireTokens();
			isolated.oauth.revokeRefreshTokens();
			const error = await caught(remote.verify());
			expect(error.kind).toBe('auth');
			expect(error.message).toBe('the Dropbox login was revoked or has expired: use Login to Provider again');
		} finally {
			await isolated.stop();
		}
	});
});

describe('Login to Provider (PKCE, no redirect)', () => {
	test('the user opens the URL, pastes the code, and the tokens work', async () => {
		const {authorizeUrl, codeVerifier} = startDropboxLogin({clientId: server.clientId, apiUrl: server.url});
		const url = new URL(authorizeUrl);
		expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/oauth2/authorize`);
		expect(url.searchParams.get('code_challenge_method')).toBe('S256');
		expect(url.searchParams.get('token_access_type')).toBe('offline');
		expect(url.searchParams.has('redirect_uri')).toBe(false);
		expect(authorizeUrl).not.toContain(codeVerifier);

		const code = await server.approve(authorizeUrl);
		const tokens = await finishDropboxLogin({clientId: server.clientId, code: `  ${code}\n`, codeVerifier, apiUrl: server.url});
		expect(tokens.refresh_token).toMatch(/^rt\./);
		expect(Date.parse(tokens.token_expiry)).toBeGreaterThan(Date.now());
		const remote = new DropboxRemote({token: tokens.token, refresh_token: tokens.refresh_token, client_id: server.clientId, api_url: server.url}, {});
		await remote.verify();

		const reused = await caught(finishDropboxLogin({clientId: server.clientId, code, codeVerifier, apiUrl: server.url}));
		expect(reused.message).toBe('Dropbox did not accept the code: it is mistyped, already used or expired; start Login to Provider again and paste the new code');
		expect(server.oauth.secretsInQuery).toBe(0);
	});

	test('a code cannot be redeemed with another verifier', async () => {
		const first = startDropboxLogin({clientId: server.clientId, apiUrl: server.url});
		const second = startDropboxLogin({clientId: server.clientId, apiUrl: server.url});
		const code = await server.approve(first.authorizeUrl);
		const error = await caught(finishDropboxLogin({clientId: server.clientId, code, codeVerifier: second.codeVerifier, apiUrl: server.url}));
		expect(error.kind).toBe('auth');
	});

	test('the real endpoints are Dropbox\'s, and an app key is required', () => {
		const {authorizeUrl} = startDropboxLogin({clientId: 'abc123'});
		expect(authorizeUrl.startsWith('https://www.dropbox.com/oauth2/authorize?client_id=abc123&')).toBe(true);
		expect(() => startDropboxLogin({clientId: ' '})).toThrow(/needs the app key \(client_id\)/);
	});

	test('an unknown app key is refused by the authorize page and by the token endpoint', async () => {
		const {authorizeUrl, codeVerifier} = startDropboxLogin({clientId: 'unknown-app', apiUrl: server.url});
		await expect(server.approve(authorizeUrl)).rejects.toThrow('Invalid client_id');
		const error = await caught(finishDropboxLogin({clientId: 'unknown-app', code: 'x', codeVerifier, apiUrl: server.url}));
		expect(error.message).toBe('Dropbox does not accept the app key (client_id) or app secret: check them in the credential');
	});
});

describe('rate limits and server errors', () => {
	test('429 waits the Retry-After the server asked for, then succeeds', async () => {
		server.putFile('/rl/file', 'x');
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'rl'});
		server.failNext(1, 429, {'Retry-After': '1'}, {endpoint: 'files/get_metadata'});
		const mark = server.requests.length;
		const entry = await remote.stat('file');
		expect(entry?.size).toBe(1);
		const calls = server.requests.slice(mark).filter(request => request.endpoint === 'files/get_metadata');
		expect(calls.map(call => call.status)).toEqual([429, 200]);
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(990);
	});

	test('a Retry-After longer than we wait ourselves goes back to the caller with the delay', async () => {
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'rl'});
		server.failNext(1, 429, {'Retry-After': '300'}, {endpoint: 'files/get_metadata'});
		const started = Date.now();
		const error = await caught(remote.stat('file'));
		expect(Date.now() - started).toBeLessThan(2000);
		expect(error.kind).toBe('transient');
		expect(error.retryAfterMs).toBe(300_000);
		expect(error.message).toBe('Dropbox is limiting the request rate (it asked to wait 300 s): the transfer will be retried');
	});

	test('5xx is retried a few times, then reported as transient', async () => {
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'rl'}, fast);
		server.failNext(2, 503, {}, {endpoint: 'files/get_metadata'});
		expect((await remote.stat('file'))?.size).toBe(1);
		server.failNext(3, 500, {}, {endpoint: 'files/get_metadata'});
		const error = await caught(remote.stat('file'));
		expect(error.kind).toBe('transient');
		expect(error.message).toBe('Dropbox had a server error (HTTP 500) trying to read "/rl/file" on Dropbox: try again later');
	});

	test('a refused connection says Dropbox cannot be reached', async () => {
		const port = await freePort();
		const error = await caught(new DropboxRemote({token: 't', api_url: `http://127.0.0.1:${port}`}, {}).verify());
		expect(error.kind).toBe('unreachable');
		expect(error.message).toBe('cannot reach Dropbox: the connection was refused; check the network (or api_url)');
	});
});

describe('api_url', () => {
	test('https to a server that does not speak TLS is a TLS failure, for API calls and downloads', async () => {
		server.putFile('/tls/f', 'x');
		const remote = new DropboxRemote({token: server.token, api_url: `https://127.0.0.1:${server.port}`}, {folder: 'tls'});
		const error = await caught(remote.verify());
		expect(error.kind).toBe('tls');
		expect(error.message).toBe('cannot reach Dropbox securely (EPROTO): check the system clock, the CA certificates and any proxy in between');
		expect((await caught(remote.read('f'))).kind).toBe('tls');
	});

	test('a value that is not an http(s) base URL is refused with the form to use', () => {
		expect(() => new DropboxRemote({token: 't', api_url: 'localhost:8080'}, {})).toThrow('api_url must start with http:// or https://, not localhost:');
		expect(() => new DropboxRemote({token: 't', api_url: 'not a url'}, {})).toThrow('api_url "not a url" is not a URL: use a form like https://proxy.example:8443 or leave it empty');
		expect(() => new DropboxRemote({token: 't', api_url: 'http://user:pw@host'}, {})).toThrow('api_url must not contain a user name, password, query or fragment');
	});
});

describe('uploads survive lost answers and damage on the way', () => {
	const size = 9 * MiB + 5;
	const content = Buffer.alloc(size);
	for (let i = 0; i < size; i++) content[i] = (i * 131 + (i >> 12)) & 0xff;
	const remote = () => new DropboxRemote({token: server.token, api_url: server.url, chunk_size: 4}, {folder: 'lost'}, fast);

	test('an append whose answer was lost is not sent twice', async () => {
		server.failNext(1, 500, {}, {endpoint: 'files/upload_session/append_v2', afterHandling: true});
		const mark = server.requests.length;
		await remote().write('append.bin', Readable.from([content]), {size, mtime: 0});
		expect(since(mark)).toEqual([
			'files/upload_session/start 200',
			'files/upload_session/append_v2 500',
			'files/upload_session/append_v2 409',
			'files/upload_session/finish 200',
		]);
		expect(server.file('/lost/append.bin')?.content.equals(content)).toBe(true);
	});

	test('a finish whose answer was lost is recognised by its content hash', async () => {
		server.failNext(1, 503, {}, {endpoint: 'files/upload_session/finish', afterHandling: true});
		const entry = await remote().write('finish.bin', Readable.from([content]), {size, mtime: 0});
		expect(entry.size).toBe(size);
		expect(server.file('/lost/finish.bin')?.content.equals(content)).toBe(true);
		expect(server.openSessions()).toBe(0);
	});

	test('a chunk damaged on the way is refused by its content_hash and sent again', async () => {
		server.corruptNext(1, {endpoint: 'files/upload_session/append_v2'});
		server.corruptNext(1, {endpoint: 'files/upload'});
		const mark = server.requests.length;
		await remote().write('damaged.bin', Readable.from([content]), {size, mtime: 0});
		await remote().write('small.bin', Readable.from([Buffer.from('tiny')]), {size: 4, mtime: 0});
		expect(since(mark).filter(line => line.endsWith(' 409'))).toEqual(['files/upload_session/append_v2 409', 'files/upload 409']);
		expect(server.file('/lost/damaged.bin')?.content.equals(content)).toBe(true);
		expect(server.file('/lost/small.bin')?.content.toString()).toBe('tiny');
	});

	test('an upload that fails for good leaves nothing under the final name', async () => {
		server.failNext(3, 503, {}, {endpoint: 'files/upload_session/finish'});
		const error = await caught(remote().write('never.bin', Readable.from([content]), {size, mtime: 0}));
		expect(error.kind).toBe('transient');
		expect(server.file('/lost/never.bin')).toBeUndefined();
	});
});

describe('downloads', () => {
	test('a connection dropped in the middle of a download fails the stream with one sentence', async () => {
		server.putFile('/dl/file.bin', Buffer.alloc(256 * 1024, 1));
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'dl'});
		server.dropNext(1, {endpoint: 'files/download', afterBytes: 1000});
		const error = await caught(readAll(await remote.read('file.bin')));
		expect(error.kind).toBe('transient');
		expect(error.message).toMatch(/^the (connection to Dropbox broke while trying to download|download of) "\/dl\/file.bin" on Dropbox/);
		expect((await readAll(await remote.read('file.bin'))).length).toBe(256 * 1024);
	});

	test('a connection dropped before any answer is retried', async () => {
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'dl'}, fast);
		server.dropNext(1, {endpoint: 'files/download'});
		expect((await readAll(await remote.read('file.bin', {start: 0, end: 9}))).length).toBe(10);
	});
});

describe('a server that stops answering', () => {
	const quiet = {retry: {baseDelayMs: 5, idleTimeoutMs: 300}};

	test('an API call that gets no answer is tried again after the idle time; one that never does fails with a sentence', async () => {
		server.putFile('/st/file', 'x');
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'st'}, quiet);
		server.stallNext(1, {endpoint: 'files/get_metadata'});
		const started = Date.now();
		expect((await remote.stat('file'))?.size).toBe(1);
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		server.stallNext(3, {endpoint: 'files/get_metadata'});
		const error = await caught(remote.stat('file'));
		expect(error.kind).toBe('transient');
		expect(error.message).toBe('Dropbox stopped answering while trying to read "/st/file" on Dropbox; it will be retried');
	});

	test('a download that goes silent half-way fails its stream instead of hanging; the next read is whole', async () => {
		server.putFile('/st/big.bin', Buffer.alloc(256 * 1024, 2));
		const remote = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'st'}, quiet);
		server.stallNext(1, {endpoint: 'files/download', afterBytes: 1000});
		const error = await caught(readAll(await remote.read('big.bin')));
		expect(error.kind).toBe('transient');
		expect(error.message).toMatch(/"\/st\/big.bin" on Dropbox/);
		expect((await readAll(await remote.read('big.bin'))).length).toBe(256 * 1024);
	});
});

describe('other answers become one sentence', () => {
	const remote = () => new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'answers'}, fast);

	test('a full account', async () => {
		server.failNext(1, 409, {}, {
			endpoint: 'files/upload',
			body: {error_summary: 'path/insufficient_space/..', error: {'.tag': 'path', path: {reason: {'.tag': 'insufficient_space'}, upload_session_id: 'x'}}},
		});
		const error = await caught(remote().write('x', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0}));
		expect(error.kind).toBe('permanent');
		expect(error.message).toBe('cannot upload "/answers/x" on Dropbox: the Dropbox account is full; free some space or upgrade the plan');
	});

	test('an app without the permission it needs', async () => {
		server.failNext(1, 403, {}, {endpoint: 'files/upload', body: {error_summary: 'missing_scope/..', error: {'.tag': 'missing_scope', required_scope: 'files.content.write'}}});
		const error = await caught(remote().write('x', Readable.from([Buffer.from('x')]), {size: 1, mtime: 0}));
		expect(error.kind).toBe('access_denied');
		expect(error.message).toBe(
			'Dropbox refused to upload "/answers/x" on Dropbox: the app lacks the "files.content.write" permission; enable it in the app\'s settings and use Login to Provider again',
		);
	});

	test('a malformed request shows the first line of what Dropbox said', async () => {
		server.failNext(1, 400, {}, {endpoint: 'files/get_metadata', body: 'Error in call to API function "files/get_metadata": something odd\nmore'});
		const error = await caught(remote().stat('y'));
		expect(error.message).toBe('Dropbox rejected the request to read "/answers/y" on Dropbox as malformed: Error in call to API function "files/get_metadata": something odd');
	});
});

describe('cancel', () => {
	test('a cancelled upload session stops between chunks and leaves nothing', async () => {
		const controller = new AbortController();
		function* source(): Generator<Buffer> {
			for (let i = 0; i < 12; i++) {
				if (i === 6) controller.abort();
				yield Buffer.alloc(MiB, i);
			}
		}
		const r = new DropboxRemote({token: server.token, api_url: server.url, chunk_size: 4}, {folder: 'cancel'});
		const error = await caught(r.write('big', Readable.from(source()), {size: 12 * MiB, mtime: 0, signal: controller.signal}));
		expect(error.kind).toBe('aborted');
		expect(server.file('/cancel/big')).toBeUndefined();
	});

	test('a cancelled download ends the stream', async () => {
		server.putFile('/cancel/file', Buffer.alloc(2 * MiB, 3));
		const controller = new AbortController();
		const r = new DropboxRemote({token: server.token, api_url: server.url}, {folder: 'cancel'});
		const stream = await r.read('file', undefined, {signal: controller.signal});
		controller.abort();
		const error = await caught(readAll(stream));
		expect(error.kind).toBe('aborted');
	});
});
