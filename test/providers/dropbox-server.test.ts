/**
 * The local Dropbox API server checks what Dropbox checks, so the provider's
 * tests mean something: raw HTTP calls shaped as Dropbox documents them, and
 * the errors Dropbox documents for bad ones.
 */
import {createHash} from 'node:crypto';
import nodeFetch from 'node-fetch';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {compareKeys} from '../../source/core/paths.js';
import {dropboxContentHash} from '../../source/providers/dropbox-hash.js';
import {startDropboxServer, type DropboxServer} from '../support/dropbox-server.js';

let server: DropboxServer;

beforeAll(async () => {
	server = await startDropboxServer({pageSize: 2});
});

afterAll(async () => {
	await server.stop();
});

type Answer = {status: number; json: Record<string, unknown>; text: string};

async function call(endpoint: string, options: {arg?: unknown; json?: unknown; body?: Buffer; token?: string | null; headers?: Record<string, string>}): Promise<Answer> {
	const headers: Record<string, string> = {...options.headers};
	if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? server.token}`;
	let body: Buffer | string | undefined;
	if (options.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(options.json);
	} else if (options.arg !== undefined) {
		headers['Dropbox-API-Arg'] ??= JSON.stringify(options.arg);
		if (options.body) {
			headers['Content-Type'] ??= 'application/octet-stream';
			body = options.body;
		}
	}
	const response = await nodeFetch(`${server.url}/2/${endpoint}`, {method: 'POST', headers, body});
	const text = await response.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// Plain-text answers (400s).
	}
	return {status: response.status, json, text};
}

const upload = (path: string, content: string, extra: Record<string, unknown> = {}) =>
	call('files/upload', {arg: {path, mode: 'overwrite', ...extra}, body: Buffer.from(content)});

describe('auth', () => {
	test('no Authorization header is a 400, a wrong or expired token a 401 with its tag', async () => {
		expect((await call('users/get_current_account', {token: null})).status).toBe(400);
		const wrong = await call('users/get_current_account', {token: 'nope'});
		expect(wrong.status).toBe(401);
		expect(wrong.json.error_summary).toMatch(/^invalid_access_token\//);
		const {token} = server.issueTokens();
		server.expireTokens(token);
		const expired = await call('users/get_current_account', {token});
		expect(expired.json.error).toEqual({'.tag': 'expired_access_token'});
	});
});

describe('upload sessions', () => {
	test('append at the wrong offset answers incorrect_offset with the correct one; finish checks it too', async () => {
		const start = await call('files/upload_session/start', {arg: {close: false}, body: Buffer.from('abc')});
		const sessionId = start.json.session_id as string;
		const wrong = await call('files/upload_session/append_v2', {arg: {cursor: {session_id: sessionId, offset: 5}}, body: Buffer.from('def')});
		expect(wrong.status).toBe(409);
		expect(wrong.json.error).toEqual({'.tag': 'incorrect_offset', correct_offset: 3});
		expect(wrong.json.error_summary).toMatch(/^incorrect_offset\//);
		expect((await call('files/upload_session/append_v2', {arg: {cursor: {session_id: sessionId, offset: 3}}, body: Buffer.from('def')})).status).toBe(200);
		const commit = {path: '/sessions/file.txt', mode: 'add', client_modified: '2022-02-02T02:02:02Z'};
		const badFinish = await call('files/upload_session/finish', {arg: {cursor: {session_id: sessionId, offset: 3}, commit}, body: Buffer.from('g')});
		expect(badFinish.json.error).toEqual({'.tag': 'lookup_failed', lookup_failed: {'.tag': 'incorrect_offset', correct_offset: 6}});
		const finish = await call('files/upload_session/finish', {arg: {cursor: {session_id: sessionId, offset: 6}, commit}, body: Buffer.from('g')});
		expect(finish.status).toBe(200);
		expect(finish.json).toMatchObject({path_display: '/sessions/file.txt', size: 7, content_hash: dropboxContentHash(Buffer.from('abcdefg'))});
		const again = await call('files/upload_session/append_v2', {arg: {cursor: {session_id: sessionId, offset: 7}}, body: Buffer.from('h')});
		expect(again.json.error).toEqual({'.tag': 'not_found'});
	});

	test('a content_hash that does not match the body is refused and nothing is stored', async () => {
		const refused = await upload('/hash/x.txt', 'real', {content_hash: dropboxContentHash(Buffer.from('fake'))});
		expect(refused.status).toBe(409);
		expect(refused.json.error_summary).toMatch(/^content_hash_mismatch\//);
		expect(server.file('/hash/x.txt')).toBeUndefined();
		expect((await upload('/hash/x.txt', 'real', {content_hash: dropboxContentHash(Buffer.from('real'))})).status).toBe(200);
	});
});

describe('arguments', () => {
	test('paths must start with "/", the root is "" and malformed paths are 409 malformed_path', async () => {
		expect((await call('files/get_metadata', {json: {path: 'relative'}})).status).toBe(400);
		expect((await call('files/get_metadata', {json: {path: ''}})).text).toContain('The root folder is unsupported');
		expect((await call('files/list_folder', {json: {path: '/'}})).status).toBe(400);
		const trailing = await upload('/a/', 'x');
		expect(trailing.status).toBe(409);
		expect(trailing.json.error_summary).toMatch(/^path\/malformed_path\//);
	});

	test('client_modified must be whole seconds in UTC', async () => {
		const bad = await upload('/time/x', 'x', {client_modified: '2022-02-02T02:02:02.500Z'});
		expect(bad.status).toBe(400);
		expect(bad.text).toContain("does not match format '%Y-%m-%dT%H:%M:%SZ'");
	});

	test('Dropbox-API-Arg must be ASCII: other characters arrive \\u-escaped', async () => {
		const raw = await call('files/upload', {
			arg: {},
			body: Buffer.from('x'),
			headers: {'Dropbox-API-Arg': Buffer.from(JSON.stringify({path: '/ünï.txt', mode: 'overwrite'})).toString('latin1')},
		});
		expect(raw.status).toBe(400);
		const escaped = JSON.stringify({path: '/ünï.txt', mode: 'overwrite'}).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
		const ok = await call('files/upload', {arg: {}, body: Buffer.from('x'), headers: {'Dropbox-API-Arg': escaped}});
		expect(ok.status).toBe(200);
		expect(ok.json.name).toBe('ünï.txt');
	});

	test('each endpoint takes its own style: JSON for RPC, octet-stream for content', async () => {
		const rpcAsContent = await call('files/list_folder', {arg: {path: ''}, body: Buffer.from('x')});
		expect(rpcAsContent.status).toBe(400);
		const contentAsRpc = await call('files/upload', {json: {path: '/x'}});
		expect(contentAsRpc.status).toBe(400);
	});
});

describe('the tree', () => {
	test('names are case-insensitive and keep the casing first written', async () => {
		await upload('/Case/Photo.JPG', 'one');
		const meta = await call('files/get_metadata', {json: {path: '/case/photo.jpg'}});
		expect(meta.json).toMatchObject({path_display: '/Case/Photo.JPG', path_lower: '/case/photo.jpg', name: 'Photo.JPG'});
		const add = await upload('/CASE/photo.jpg', 'two', {mode: 'add'});
		expect(add.json.error_summary).toMatch(/^path\/conflict\/file\//);
	});

	test('list_folder pages with cursors and does not sort', async () => {
		for (const name of ['e', 'd', 'c', 'b', 'a', 'f', 'g']) await upload(`/pages/${name}`, name);
		const seen: string[] = [];
		let page = await call('files/list_folder', {json: {path: '/pages'}});
		let pages = 1;
		for (;;) {
			seen.push(...(page.json.entries as {name: string}[]).map(entry => entry.name));
			if (!page.json.has_more) break;
			page = await call('files/list_folder/continue', {json: {cursor: page.json.cursor}});
			pages++;
		}
		expect(pages).toBe(4);
		expect([...seen].sort(compareKeys)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
		expect(seen).not.toEqual([...seen].sort(compareKeys));
		const stale = await call('files/list_folder/continue', {json: {cursor: 'cursor-unknown'}});
		expect(stale.json.error).toEqual({'.tag': 'reset'});
	});

	test('download honours Range and reports the metadata in Dropbox-API-Result', async () => {
		await upload('/dl/range.txt', '0123456789');
		const response = await nodeFetch(`${server.url}/2/files/download`, {
			method: 'POST',
			headers: {Authorization: `Bearer ${server.token}`, 'Dropbox-API-Arg': JSON.stringify({path: '/dl/range.txt'}), Range: 'bytes=2-4'},
		});
		expect(response.status).toBe(206);
		expect(await response.text()).toBe('234');
		expect(response.headers.get('content-range')).toBe('bytes 2-4/10');
		expect(JSON.parse(response.headers.get('dropbox-api-result') ?? '{}')).toMatchObject({size: 10, content_hash: dropboxContentHash(Buffer.from('0123456789'))});
	});

	test('the content_hash the server computes is the documented block hash', async () => {
		const data = Buffer.alloc(5 * 1024 * 1024, 9);
		server.putFile('/big/blocks.bin', data);
		const blocks = [data.subarray(0, 4 * 1024 * 1024), data.subarray(4 * 1024 * 1024)].map(block => createHash('sha256').update(block).digest());
		expect(server.file('/big/blocks.bin')?.contentHash).toBe(createHash('sha256').update(Buffer.concat(blocks)).digest('hex'));
	});
});
