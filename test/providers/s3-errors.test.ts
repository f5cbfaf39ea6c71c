/**
 * Failure answers S3 services give (throttling, 5xx, denied, resets, TLS
 * problems) come back as one sentence with the right kind. A small HTTP(S)
 * server plays the failing service; the SDK and our mapping are real.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, expect, test} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';
import {S3Remote, s3MaxAttempts} from '../../source/providers/s3.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;
const servers: Array<http.Server | https.Server> = [];

afterEach(async () => {
	for (const server of servers.splice(0)) {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	}
});

async function serve(handler: Handler, tls?: {key: string; cert: string}): Promise<string> {
	const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
	servers.push(server);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function failing(status: number, code: string, headers: Record<string, string> = {}) {
	const seen = {requests: 0};
	const handler: Handler = (request, response) => {
		seen.requests++;
		request.resume();
		response.writeHead(status, {'content-type': 'application/xml', ...headers});
		response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} happened</Message></Error>`);
	};
	return {handler, seen};
}

const secret = 'very-secret-value';

function remoteAt(endpoint: string): S3Remote {
	return new S3Remote({preset: 'other', endpoint, region: 'us-east-1', access_key_id: 'AKIDEXAMPLE', secret_access_key: secret}, {bucket: 'some-bucket'});
}

async function caught(promise: Promise<unknown>): Promise<CloudSyncError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		expect((error as Error).message).not.toContain(secret);
		expect((error as Error).message).not.toMatch(/\n/);
		return error as CloudSyncError;
	}
	throw new Error('expected a CloudSyncError');
}

test('SlowDown with Retry-After is transient and carries the wait; the SDK tries a few times only', async () => {
	const {handler, seen} = failing(503, 'SlowDown', {'retry-after': '1'});
	const error = await caught(remoteAt(await serve(handler)).verify());
	expect(error.kind).toBe('transient');
	expect(error.retryAfterMs).toBe(1000);
	expect(error.message).toMatch(/asked us to slow down or failed for a moment \(SlowDown\)/);
	expect(seen.requests).toBe(s3MaxAttempts);
});

test('429 and other 5xx answers are transient', async () => {
	const tooMany = failing(429, 'TooManyRequestsException');
	const e429 = await caught(remoteAt(await serve(tooMany.handler)).verify());
	expect(e429.kind).toBe('transient');
	const gateway = failing(502, 'BadGateway');
	const e502 = await caught(remoteAt(await serve(gateway.handler)).verify());
	expect(e502.kind).toBe('transient');
	expect(e502.message).toMatch(/answered 502/);
});

test('AccessDenied names the bucket and what permission is missing', async () => {
	const denied = failing(403, 'AccessDenied');
	const endpoint = await serve(denied.handler);
	const error = await caught(remoteAt(endpoint).verify());
	expect(error.kind).toBe('access_denied');
	expect(error.message).toBe(`${endpoint} denied access to bucket "some-bucket": give this key permission to list, read and write it`);
});

test('a connection reset is transient', async () => {
	const endpoint = await serve(request => request.socket.destroy());
	const error = await caught(remoteAt(endpoint).verify());
	expect(error.kind).toBe('transient');
});

test('a self-signed certificate, and TLS spoken to a plain HTTP server, are TLS failures', async () => {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-tls-'));
	try {
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], {stdio: 'ignore'});
		const tls = {key: await fs.readFile(path.join(dir, 'key.pem'), 'utf8'), cert: await fs.readFile(path.join(dir, 'cert.pem'), 'utf8')};
		const endpoint = await serve(failing(200, 'Never').handler, tls);
		const selfSigned = await caught(remoteAt(endpoint).verify());
		expect(selfSigned.kind).toBe('tls');
		expect(selfSigned.message).toMatch(new RegExp(`^the secure \\(TLS\\) connection to ${endpoint.replace(/[.]/g, '\\.')} failed \\((SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)`));
		const plain = await serve(failing(200, 'Never').handler);
		const wrongScheme = await caught(remoteAt(plain.replace('http:', 'https:')).verify());
		expect(wrongScheme.kind).toBe('tls');
	} finally {
		await fs.rm(dir, {recursive: true, force: true});
	}
});

test('an unknown error code is a permanent error that quotes the service', async () => {
	const odd = failing(400, 'InvalidStorageClass');
	const error = await caught(remoteAt(await serve(odd.handler)).verify());
	expect(error.kind).toBe('permanent');
	expect(error.message).toMatch(/InvalidStorageClass/);
});
