/**
 * The lean PutObject/UploadPart path (s3-http.ts): its signatures match the
 * SDK's signer and pass the SigV4-checking gateway in front of a real
 * s3rver, path-style and virtual-hosted; it sends Content-MD5, mtime,
 * storage class and SSE headers; errors map to the same sentences as the
 * SDK's; 503s and dropped connections are tried again like the SDK does; and
 * rclone reads the times it stores.
 */
import {createHash, createHmac, randomBytes} from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import {GetObjectCommand, HeadObjectCommand} from '@aws-sdk/client-s3';
import {SignatureV4} from '@smithy/signature-v4';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {s3Error} from '../../source/providers/s3-errors.js';
import {S3Agents, S3HttpClient, SigV4Signer, isRetryableS3Error, objectTarget, retryAfterMs, serviceError} from '../../source/providers/s3-http.js';
import {S3Remote} from '../../source/providers/s3.js';
import {startRecorder} from '../jobs/s3-recorder.js';
import {caught} from '../support/errors.js';
import {rclone, s3rverRemote} from '../support/rclone.js';
import {checkSignature, startS3rverGateway, type S3rverGateway} from '../support/s3rver-gateway.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';

let s3: S3rverHandle;
let gateway: S3rverGateway;
const bucket = 'lean-put';
const agents = new S3Agents(8);

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	gateway = await startS3rverGateway(s3);
});

afterAll(async () => {
	agents.destroy();
	await gateway?.stop();
	await s3?.stop();
});

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

function client(overrides: Partial<ConstructorParameters<typeof S3HttpClient>[0]> = {}): S3HttpClient {
	return new S3HttpClient({
		endpoint: gateway.endpoint,
		region: 'us-east-1',
		forcePathStyle: true,
		accessKeyId: s3.accessKeyId,
		secretAccessKey: s3.secretAccessKey,
		maxAttempts: 3,
		agents,
		sleep: async () => undefined,
		...overrides,
	});
}

function remote(folder: string, overrides: Record<string, string | number> = {}, endpoint = gateway.endpoint): S3Remote {
	return new S3Remote(
		{preset: 'other', endpoint, region: 'us-east-1', access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, ...overrides},
		{bucket, folder},
	);
}

async function readBack(key: string): Promise<Buffer> {
	const output = await s3.client.send(new GetObjectCommand({Bucket: bucket, Key: key}));
	return Buffer.from(await output.Body!.transformToByteArray());
}

/** node:crypto in the shape @smithy/signature-v4 wants. */
class NodeSha256 {
	private readonly hash;
	constructor(secret?: string | Uint8Array) {
		this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
	}
	update(data: string | Uint8Array): void {
		this.hash.update(data);
	}
	async digest(): Promise<Uint8Array> {
		return new Uint8Array(this.hash.digest());
	}
}

describe('signing', () => {
	const when = new Date('2026-11-27T03:25:04Z');
	const cases = [
		{name: 'PutObject, path-style, a key that needs encoding', path: '/bk/a%20b/c%2Bd%281%29~%C3%A9%F0%9F%98%80', query: {} as Record<string, string>, token: undefined},
		{name: 'UploadPart with its query, and a session token', path: '/bk/big.bin', query: {partNumber: '7', uploadId: 'abc/def+=='}, token: 'session-token/+='},
	];
	for (const c of cases) {
		test(`${c.name}: the same Authorization as the SDK's signer`, async () => {
			const headers: Record<string, string> = {
				host: 's3.example.com:9000',
				'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==',
				'content-type': 'application/octet-stream',
				'x-amz-meta-mtime': '1700000000.123456789',
				'x-amz-storage-class': 'STANDARD_IA',
				'x-amz-server-side-encryption': 'AES256',
			};
			const payload = 'UNSIGNED-PAYLOAD';
			const query = Object.entries(c.query)
				.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/[!'()*]/g, x => `%${x.charCodeAt(0).toString(16).toUpperCase()}`)}`)
				.sort()
				.join('&');
			const ours = {...headers};
			new SigV4Signer('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'eu-west-1', c.token).sign('PUT', c.path, query, ours, payload, when);
			const smithy = new SignatureV4({
				service: 's3',
				region: 'eu-west-1',
				credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: c.token},
				sha256: NodeSha256,
				uriEscapePath: false,
				applyChecksum: false,
			});
			const signed = await smithy.sign(
				{method: 'PUT', protocol: 'https:', hostname: 's3.example.com', port: 9000, path: decodeURIComponent(c.path).split('/').map(s => encodeURIComponent(s).replace(/[!'()*]/g, x => `%${x.charCodeAt(0).toString(16).toUpperCase()}`)).join('/'), query: c.query, headers: {...headers, 'x-amz-content-sha256': payload}},
				{signingDate: when},
			);
			expect(ours.authorization).toBe(signed.headers.authorization);
			expect(ours['x-amz-date']).toBe('20261127T032504Z');
			if (c.token) expect(ours['x-amz-security-token']).toBe(c.token);
		});
	}

	test('the signing key is derived once per day', () => {
		const signer = new SigV4Signer('id', 'secret', 'us-east-1');
		const first = signer.signingKey('20261127');
		expect(signer.signingKey('20261127')).toBe(first);
		expect(signer.signingKey('20261128')).not.toEqual(first);
	});
});

describe('addressing', () => {
	test('path-style, virtual-hosted, dotted buckets over TLS, Amazon S3 and IPv6 endpoints', () => {
		expect(objectTarget('http://127.0.0.1:9000', 'us-east-1', true, 'bk', 'a b/c')).toEqual({secure: false, hostname: '127.0.0.1', port: 9000, host: '127.0.0.1:9000', path: '/bk/a%20b/c'});
		expect(objectTarget('https://s3.example.com', 'us-east-1', false, 'bkt', 'k')).toEqual({secure: true, hostname: 'bkt.s3.example.com', port: 443, host: 'bkt.s3.example.com', path: '/k'});
		expect(objectTarget('https://s3.example.com', 'us-east-1', false, 'my.bucket', 'k')).toMatchObject({hostname: 's3.example.com', path: '/my.bucket/k'});
		expect(objectTarget('http://s3.example.com:8080', 'us-east-1', false, 'my.bucket', 'k')).toMatchObject({hostname: 'my.bucket.s3.example.com', host: 'my.bucket.s3.example.com:8080'});
		expect(objectTarget('', 'eu-west-1', false, 'bkt', 'k')).toMatchObject({secure: true, hostname: 'bkt.s3.eu-west-1.amazonaws.com', path: '/k'});
		expect(objectTarget('', 'cn-north-1', false, 'bkt', 'k')).toMatchObject({hostname: 'bkt.s3.cn-north-1.amazonaws.com.cn'});
		expect(objectTarget('https://s3.example.com', 'us-east-1', false, 'bk', 'k')).toMatchObject({hostname: 's3.example.com', path: '/bk/k'});
		expect(objectTarget('http://[::1]:9000', 'us-east-1', true, 'bk', 'k')).toMatchObject({hostname: '::1', host: '[::1]:9000', path: '/bk/k'});
		expect(objectTarget('https://gw.example.com/s3', 'us-east-1', true, 'bk', 'k')).toMatchObject({path: '/s3/bk/k'});
	});

	test('a virtual-hosted request is signed for the bucket host and accepted', async () => {
		const seen: Array<{host?: string; url?: string}> = [];
		const server = http.createServer((request, response) => {
			seen.push({host: request.headers.host, url: request.url});
			const problem = checkSignature(request, new Map([['KEY', 'SECRET']]));
			request.resume();
			request.on('end', () => {
				response.writeHead(problem ? 403 : 200, problem ? {} : {etag: '"0123456789abcdef0123456789abcdef"'});
				response.end(problem ? `<Error><Code>${problem.code}</Code><Message>${problem.message}</Message></Error>` : undefined);
			});
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as AddressInfo;
		// Every name resolves to this machine, so bucket.s3.test reaches the server.
		const local = new S3Agents(2, {lookup: (_host, options, callback) => ((options as {all?: boolean}).all ? (callback as (e: null, a: Array<{address: string; family: number}>) => void)(null, [{address: '127.0.0.1', family: 4}]) : callback(null, '127.0.0.1', 4))});
		try {
			const lean = new S3HttpClient({endpoint: `http://s3.test:${port}`, region: 'eu-west-1', forcePathStyle: false, accessKeyId: 'KEY', secretAccessKey: 'SECRET', maxAttempts: 1, agents: local});
			const body = Buffer.from('virtual');
			const result = await lean.putObject({bucket: 'vbucket', key: 'dir/x y.txt', body, contentMd5: md5(body).toString('base64')});
			expect(result.etag).toBe('"0123456789abcdef0123456789abcdef"');
			expect(seen).toEqual([{host: `vbucket.s3.test:${port}`, url: '/dir/x%20y.txt'}]);
			const wrong = new S3HttpClient({endpoint: `http://s3.test:${port}`, region: 'eu-west-1', forcePathStyle: false, accessKeyId: 'KEY', secretAccessKey: 'WRONG', maxAttempts: 1, agents: local});
			await expect(wrong.putObject({bucket: 'vbucket', key: 'k', body, contentMd5: md5(body).toString('base64')})).rejects.toMatchObject({name: 'SignatureDoesNotMatch'});
		} finally {
			local.destroy();
			server.close();
		}
	});
});


describe('through the SigV4-checking gateway to s3rver', () => {
	test('PutObject: accepted, ETag is the MD5, headers carry Content-MD5, mtime, storage class and SSE', async () => {
		const record = await startRecorder(Number(new URL(gateway.endpoint).port));
		try {
			const r = remote('headers', {storage_class: 'standard_ia', server_side_encryption: 'AES256'}, record.endpoint);
			const data = randomBytes(4096);
			const entry = await r.write('sub/ä file (1).bin', Readable.from([data]), {size: data.length, mtime: 1700000000123, mode: 0o640});
			expect(entry.etag).toBe(md5(data).toString('hex'));
			expect(entry.hashes?.md5).toBe(md5(data).toString('hex'));
			const puts = record.requests.filter(x => x.method === 'PUT');
			expect(puts).toHaveLength(1);
			const sent = puts[0]!;
			expect(sent.url).toBe('/lean-put/headers/sub/%C3%A4%20file%20%281%29.bin');
			expect(sent.headers['content-md5']).toBe(md5(data).toString('base64'));
			expect(sent.headers['x-amz-meta-mtime']).toBe('1700000000.123');
			expect(sent.headers['x-amz-meta-mode']).toBe('100640');
			expect(sent.headers['x-amz-storage-class']).toBe('STANDARD_IA');
			expect(sent.headers['x-amz-server-side-encryption']).toBe('AES256');
			expect(sent.headers.authorization).toMatch(/SignedHeaders=[^,]*content-md5;[^,]*x-amz-meta-mtime;[^,]*x-amz-server-side-encryption;x-amz-storage-class/);
			expect(await readBack('headers/sub/ä file (1).bin')).toEqual(data);
			const head = await s3.client.send(new HeadObjectCommand({Bucket: bucket, Key: 'headers/sub/ä file (1).bin'}));
			expect(head.Metadata?.mtime).toBe('1700000000.123');
		} finally {
			await record.stop();
		}
	});

	test('a session token (temporary keys) goes, signed, with every request: SDK and lean path alike', async () => {
		const record = await startRecorder(Number(new URL(gateway.endpoint).port));
		try {
			const token = 'FwoGZXIvYXdzEXAMPLE/session+token==';
			const r = remote('session', {session_token: token, chunk_size: 5}, record.endpoint);
			const small = randomBytes(1000);
			const big = randomBytes(6 * 1024 * 1024);
			await r.write('small.bin', Readable.from([small]), {size: small.length, mtime: 1700000000000});
			await r.write('big.bin', Readable.from([big]), {size: big.length, mtime: 1700000000000});
			const listed: string[] = [];
			for await (const entry of r.list()) listed.push(entry.path);
			expect(listed).toEqual(['big.bin', 'small.bin']);
			const kinds = new Set(record.requests.map(x => `${x.method} ${x.url.includes('partNumber=') ? 'part' : x.url.includes('uploads') ? 'multipart' : x.url.includes('list-type') ? 'list' : 'object'}`));
			expect([...kinds].sort()).toEqual(expect.arrayContaining(['GET list', 'POST multipart', 'PUT object', 'PUT part']));
			for (const sent of record.requests) {
				expect(sent.headers['x-amz-security-token'], `${sent.method} ${sent.url}`).toBe(token);
				expect(sent.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-security-token/);
			}
		} finally {
			await record.stop();
		}
	});

	test('UploadPart: a multipart upload goes through the lean path, parts signed with their query', async () => {
		const record = await startRecorder(Number(new URL(gateway.endpoint).port));
		try {
			const r = remote('parts', {chunk_size: 5, upload_concurrency: 2}, record.endpoint);
			const data = randomBytes(11 * 1024 * 1024 + 3);
			const entry = await r.write('big.bin', Readable.from([data]), {size: data.length, mtime: 1650000000500, hashes: {md5: md5(data).toString('hex')}});
			expect(entry.hashes?.md5).toBe(md5(data).toString('hex'));
			const parts = record.requests.filter(x => x.method === 'PUT' && x.url.includes('partNumber='));
			expect(parts.map(x => new URL(x.url, 'http://x').searchParams.get('partNumber')).sort()).toEqual(['1', '2', '3']);
			for (const part of parts) expect(part.headers['user-agent']).toBe('cloudsync');
			expect(md5(await readBack('parts/big.bin'))).toEqual(md5(data));
		} finally {
			await record.stop();
		}
	});

	test('a wrong secret, a wrong key and a missing bucket are the same sentences as on the SDK path', async () => {
		const body = Buffer.from('x');
		const put = (c: S3HttpClient, b = bucket) => c.putObject({bucket: b, key: 'k', body, contentMd5: md5(body).toString('base64')});
		const context = {action: 'upload s3://x/k', endpoint: gateway.endpoint, bucket};
		const wrongSecret = s3Error(await put(client({secretAccessKey: 'not-the-secret'})).catch(e => e), context);
		expect(wrongSecret.kind).toBe('auth');
		expect(wrongSecret.message).toBe(`the secret access key is wrong for this access key ID at ${gateway.endpoint}: check secret_access_key`);
		const wrongKey = s3Error(await put(client({accessKeyId: 'NOPE'})).catch(e => e), context);
		expect(wrongKey.kind).toBe('auth');
		expect(wrongKey.message).toBe(`${gateway.endpoint} does not know this access key ID: check access_key_id`);
		const noBucket = s3Error(await put(client(), 'no-such-bucket').catch(e => e), {...context, bucket: 'no-such-bucket'});
		expect(noBucket.kind).toBe('not_found');
		expect(noBucket.message).toBe(`bucket "no-such-bucket" does not exist at ${gateway.endpoint}: check the bucket name, or create the bucket`);
		// And through S3Remote.write, where the region is set (no SDK call before the PUT).
		const viaRemote = await caught(remote('auth', {secret_access_key: 'not-the-secret'}).write('a.txt', Readable.from([body]), {size: 1, mtime: 0}));
		expect(viaRemote.kind).toBe('auth');
		expect(viaRemote.message).toMatch(/secret access key is wrong/);
	});

	test('a server that stops answering: the request ends after the idle time and is tried again', async () => {
		const data = randomBytes(1000);
		let puts = 0;
		gateway.setFault(({method}) => (method === 'PUT' && puts++ === 0 ? 'stall' : undefined));
		try {
			const started = Date.now();
			const answer = await client({requestTimeoutMs: 300}).putObject({bucket, key: 'stall/once.bin', body: data, contentMd5: md5(data).toString('base64')});
			expect(answer.etag).toBe(`"${md5(data).toString('hex')}"`);
			expect(puts).toBe(2);
			expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		} finally {
			gateway.setFault(undefined);
		}
		gateway.setFault(({method}) => (method === 'PUT' ? (puts++, 'stall') : undefined));
		try {
			const error = s3Error(await client({requestTimeoutMs: 300}).putObject({bucket, key: 'stall/never.bin', body: data, contentMd5: md5(data).toString('base64')}).catch(e => e), {action: 'upload', bucket, endpoint: gateway.endpoint});
			// Retried like any network failure, and said in one sentence.
			expect(error.kind).toBe('unreachable');
			expect(error.message).toMatch(/the connection timed out/);
			expect(puts).toBe(2 + 3);
		} finally {
			gateway.setFault(undefined);
		}
	});

	test('503s and dropped connections are tried again; a server that keeps failing ends after three attempts', async () => {
		const data = randomBytes(1000);
		let puts = 0;
		const faults = [{status: 503, code: 'SlowDown'}, 'drop'] as const;
		gateway.setFault(({method}) => (method === 'PUT' ? faults[puts++] : undefined));
		try {
			const entry = await remote('retry').write('r.bin', Readable.from([data]), {size: data.length, mtime: 1});
			expect(entry.etag).toBe(md5(data).toString('hex'));
			expect(puts).toBe(3);
		} finally {
			gateway.setFault(undefined);
		}
		expect(await readBack('retry/r.bin')).toEqual(data);

		let attempts = 0;
		gateway.setFault(({method}) => (method === 'PUT' ? (attempts++, {status: 503, code: 'ServiceUnavailable'}) : undefined));
		try {
			const error = await caught(remote('retry').write('never.bin', Readable.from([data]), {size: data.length, mtime: 1}));
			expect(error.kind).toBe('transient');
			expect(error.message).toMatch(/ServiceUnavailable/);
			expect(attempts).toBe(3);
		} finally {
			gateway.setFault(undefined);
		}

		let throttled = 0;
		gateway.setFault(({method}) => (method === 'PUT' ? (throttled++, {status: 429, code: 'TooManyRequests', retryAfter: '2'}) : undefined));
		try {
			const error = await caught(remote('retry').write('busy.bin', Readable.from([data]), {size: data.length, mtime: 1}));
			expect(error.kind).toBe('transient');
			expect(error.retryAfterMs).toBe(2000);
		} finally {
			gateway.setFault(undefined);
		}
	});

	test('a permanent answer is not retried; cancelling stops at once', async () => {
		let puts = 0;
		gateway.setFault(({method}) => (method === 'PUT' ? (puts++, {status: 400, code: 'InvalidArgument'}) : undefined));
		try {
			const body = Buffer.from('x');
			const error = await client().putObject({bucket, key: 'bad', body, contentMd5: md5(body).toString('base64')}).catch(e => e);
			expect(error.name).toBe('InvalidArgument');
			expect(isRetryableS3Error(error)).toBe(false);
			expect(puts).toBe(1);
		} finally {
			gateway.setFault(undefined);
		}
		const controller = new AbortController();
		controller.abort();
		const body = Buffer.from('x');
		const aborted = await client().putObject({bucket, key: 'c', body, contentMd5: md5(body).toString('base64'), signal: controller.signal}).catch(e => e);
		expect(s3Error(aborted, {action: 'upload c', endpoint: 'x'}).kind).toBe('aborted');
	});

	test('a server with a clock far from ours: the request is signed again with its time', async () => {
		let puts = 0;
		const serverTime = new Date(Date.now() + 3_600_000).toUTCString();
		const server = http.createServer((request, response) => {
			request.resume();
			request.on('end', () => {
				puts++;
				const stamp = String(request.headers['x-amz-date']);
				const skewed = Math.abs(Date.parse(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`) - Date.parse(serverTime)) > 15 * 60_000;
				response.writeHead(skewed ? 403 : 200, skewed ? {date: serverTime} : {etag: '"e"'});
				response.end(skewed ? '<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error>' : undefined);
			});
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		try {
			const body = Buffer.from('x');
			const lean = client({endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`});
			expect(await lean.putObject({bucket, key: 'k', body, contentMd5: md5(body).toString('base64')})).toEqual({etag: '"e"'});
			expect(puts).toBe(2);
		} finally {
			server.close();
		}
	});
});

test('the retry quota: a server that keeps failing gets one attempt per request once retries have used it up', async () => {
	let requests = 0;
	const server = http.createServer((request, response) => {
		request.resume();
		request.on('end', () => {
			requests++;
			response.writeHead(503);
			response.end('<Error><Code>ServiceUnavailable</Code><Message>down</Message></Error>');
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	try {
		const lean = client({endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`});
		const body = Buffer.from('x');
		for (let i = 0; i < 30; i++) {
			await expect(lean.putObject({bucket, key: 'k', body, contentMd5: md5(body).toString('base64')})).rejects.toMatchObject({name: 'ServiceUnavailable'});
		}
		// 500 tokens at 10 per retry of a 503: 25 requests tried three times, then once each.
		expect(requests).toBe(25 * 3 + 5);
	} finally {
		server.close();
	}
});

test('Retry-After in seconds, as a date, and x-amz-retry-after in milliseconds', () => {
	const now = Date.parse('2026-11-27T00:00:00Z');
	expect(retryAfterMs(serviceError(503, {'retry-after': '2'}, ''), now)).toBe(2000);
	expect(retryAfterMs(serviceError(503, {'retry-after': 'Fri, 27 Nov 2026 00:00:03 GMT'}, ''), now)).toBe(3000);
	expect(retryAfterMs(serviceError(503, {'x-amz-retry-after': '1500'}, ''), now)).toBe(1500);
	expect(retryAfterMs(serviceError(503, {}, ''), now)).toBeUndefined();
});

test('an S3 error answer becomes an SDK-shaped error', () => {
	const error = serviceError(503, {'retry-after': '3', 'x-amz-request-id': 'r1'}, '<Error><Code>SlowDown</Code><Message>Reduce your request rate &amp; retry.</Message></Error>');
	expect(error).toMatchObject({name: 'SlowDown', message: 'Reduce your request rate & retry.', $fault: 'server', $metadata: {httpStatusCode: 503, requestId: 'r1'}});
	expect(isRetryableS3Error(error)).toBe(true);
	expect(serviceError(404, {}, '').name).toBe('NotFound');
	expect(isRetryableS3Error(Object.assign(new Error('reset'), {code: 'ECONNRESET'}))).toBe(true);
});

test('rclone reads the mtime an object uploaded on the lean path carries', async () => {
	const r = new S3Remote(
		{preset: 'other', endpoint: s3.endpoint, region: 'us-east-1', access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey},
		{bucket, folder: 'rclone'},
	);
	const data = Buffer.from('read by rclone\n');
	await r.write('t.txt', Readable.from([data]), {size: data.length, mtime: Date.UTC(2021, 4, 6, 7, 8, 9, 250)});
	const target = s3rverRemote(s3);
	const listing = await rclone(['lsl', target.path(`${bucket}/rclone`)], {env: {...target.env, TZ: 'UTC'}});
	expect(listing).toMatch(/^\s*15 2021-05-06 07:08:09\.250000000 t\.txt$/m);
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-lean-'));
	try {
		await fs.writeFile(path.join(work, 't.txt'), data);
		await rclone(['check', work, target.path(`${bucket}/rclone`)], {env: target.env});
	} finally {
		await fs.rm(work, {recursive: true, force: true});
	}
});
