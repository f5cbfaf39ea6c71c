/**
 * A gateway in front of a real s3rver that fills two gaps of s3rver 3.7.1:
 * - it checks AWS Signature V4 the way S3 does (s3rver checks the access key
 *   but accepts any secret), answering 403 InvalidAccessKeyId or
 *   SignatureDoesNotMatch;
 * - it implements AbortMultipartUpload and ListMultipartUploads (s3rver
 *   answers 405/501) on s3rver's own store of unfinished uploads, so a test
 *   can see whether an interrupted upload was left behind.
 * Every other request goes to s3rver unchanged.
 */
import {createHash, createHmac} from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import type {S3rverHandle} from './s3rver.js';

/** What to do to a request instead of serving it: answer with an HTTP status, or drop the connection. */
/** An error answer, a dropped connection, or 'stall': the body is read and no answer ever comes. */
export type GatewayFault = {status: number; code?: string; retryAfter?: string} | 'drop' | 'stall';

export type S3rverGateway = {
	endpoint: string;
	port: number;
	/** Injects failures: `decide` sees each request (after the signature check); undefined serves it. */
	setFault(decide: ((request: {method: string; url: URL}) => GatewayFault | undefined) | undefined): void;
	stop(): Promise<void>;
};

/** Where s3rver keeps a bucket's unfinished multipart uploads (one folder per upload id). */
function uploadsDirectory(s3rver: S3rverHandle, bucket: string): string {
	return path.join(s3rver.directory, bucket, '._S3rver_uploads');
}

function xmlEscape(text: string): string {
	return text.replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`);
}

async function listUploads(s3rver: S3rverHandle, bucket: string): Promise<string> {
	const dir = uploadsDirectory(s3rver, bucket);
	const ids = await fs.readdir(dir).catch(() => [] as string[]);
	const uploads: string[] = [];
	for (const id of ids.sort()) {
		const key = await fs.readFile(path.join(dir, id, 'key'), 'utf8').catch(() => undefined);
		if (key !== undefined) uploads.push(`<Upload><Key>${xmlEscape(key)}</Key><UploadId>${xmlEscape(id)}</UploadId></Upload>`);
	}
	return `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`;
}

/** Handles the calls s3rver lacks; false when the request is not one of them. */
async function fillGap(s3rver: S3rverHandle, request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean> {
	const url = new URL(request.url ?? '/', 'http://gateway');
	const [bucket = '', ...keyParts] = url.pathname.slice(1).replace(/\/$/, '').split('/');
	const key = decodeURIComponent(keyParts.join('/'));
	if (request.method === 'GET' && keyParts.length === 0 && url.searchParams.has('uploads')) {
		response.writeHead(200, {'content-type': 'application/xml'});
		response.end(await listUploads(s3rver, decodeURIComponent(bucket)));
		return true;
	}
	const uploadId = url.searchParams.get('uploadId');
	if (request.method === 'DELETE' && uploadId && keyParts.length > 0) {
		request.resume();
		const dir = path.join(uploadsDirectory(s3rver, decodeURIComponent(bucket)), path.basename(uploadId));
		const storedKey = await fs.readFile(path.join(dir, 'key'), 'utf8').catch(() => undefined);
		if (storedKey !== key) {
			response.writeHead(404, {'content-type': 'application/xml'});
			response.end(s3ErrorXml('NoSuchUpload', 'The specified upload does not exist.'));
			return true;
		}
		await fs.rm(dir, {recursive: true, force: true});
		response.writeHead(204);
		response.end();
		return true;
	}
	return false;
}

function s3ErrorXml(code: string, message: string): string {
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function encodeRfc3986(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(rawQuery: string): string {
	if (!rawQuery) return '';
	return rawQuery
		.split('&')
		.filter(Boolean)
		.map(pair => {
			const equals = pair.indexOf('=');
			const name = decodeURIComponent(equals < 0 ? pair : pair.slice(0, equals));
			const value = equals < 0 ? '' : decodeURIComponent(pair.slice(equals + 1).replace(/\+/g, '%20'));
			return [encodeRfc3986(name), encodeRfc3986(value)] as const;
		})
		.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
		.map(([n, v]) => `${n}=${v}`)
		.join('&');
}

/** Why the request's signature is wrong, or undefined when it is right (or unsigned). */
export function checkSignature(request: http.IncomingMessage, secrets: Map<string, string>): {code: string; message: string} | undefined {
	const authorization = request.headers.authorization;
	if (!authorization) return undefined;
	const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
	if (!match) return {code: 'AccessDenied', message: 'Unsupported authorization header'};
	const [, accessKey, date, region, service, signedHeaders, signature] = match;
	const secret = secrets.get(accessKey!);
	if (secret === undefined) return {code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.'};
	const url = request.url ?? '/';
	const question = url.indexOf('?');
	const path = question < 0 ? url : url.slice(0, question);
	const query = question < 0 ? '' : url.slice(question + 1);
	const headerLines = signedHeaders!.split(';').map(name => {
		const raw = request.headers[name];
		const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
		return `${name}:${value.trim().replace(/\s+/g, ' ')}`;
	});
	const payloadHash = String(request.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD');
	const canonicalRequest = [request.method, path, canonicalQuery(query), `${headerLines.join('\n')}\n`, signedHeaders, payloadHash].join('\n');
	const amzDate = String(request.headers['x-amz-date'] ?? '');
	const scope = `${date}/${region}/${service}/aws4_request`;
	const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
	let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date!).digest();
	for (const part of [region!, service!, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
	const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
	if (expected !== signature) {
		return {code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'};
	}
	return undefined;
}

/** Starts the gateway on a free loopback port in front of a running s3rver. */
export async function startS3rverGateway(s3rver: S3rverHandle): Promise<S3rverGateway> {
	const secrets = new Map([[s3rver.accessKeyId, s3rver.secretAccessKey]]);
	const upstream = new URL(s3rver.endpoint);
	let decideFault: Parameters<S3rverGateway['setFault']>[0];
	const server = http.createServer(async (request, response) => {
		const problem = checkSignature(request, secrets);
		if (problem) {
			request.resume();
			response.writeHead(403, {'content-type': 'application/xml'});
			response.end(request.method === 'HEAD' ? undefined : s3ErrorXml(problem.code, problem.message));
			return;
		}
		const fault = decideFault?.({method: request.method ?? 'GET', url: new URL(request.url ?? '/', 'http://gateway')});
		if (fault === 'drop') {
			request.socket.destroy();
			return;
		}
		if (fault === 'stall') {
			request.resume();
			return;
		}
		if (fault) {
			request.resume();
			response.writeHead(fault.status, {'content-type': 'application/xml', ...(fault.retryAfter ? {'retry-after': fault.retryAfter} : {})});
			response.end(s3ErrorXml(fault.code ?? 'InternalError', 'Injected failure.'));
			return;
		}
		try {
			if (await fillGap(s3rver, request, response)) return;
		} catch (error) {
			response.writeHead(500, {'content-type': 'application/xml'});
			response.end(s3ErrorXml('InternalError', String(error)));
			return;
		}
		const forward = http.request(
			{host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers},
			reply => {
				response.writeHead(reply.statusCode ?? 502, reply.headers);
				reply.pipe(response);
			},
		);
		forward.on('error', () => response.destroy());
		request.pipe(forward);
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		port,
		setFault(decide) {
			decideFault = decide;
		},
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}
