/**
 * Streamed uploads. A body up to one part goes in a single PutObject with
 * Content-MD5 (the server rejects damaged bytes) and the ETag is checked
 * against the MD5 we computed. A larger body goes multipart: parts are cut
 * from the stream as workers need them, so memory is about (concurrency + 1)
 * parts whatever the file size, each part carries its Content-MD5, and any
 * failure or cancellation aborts the multipart upload before write() returns,
 * so no unfinished upload is left behind.
 *
 * lib-storage's Upload is not used here: on cancellation its done() settles
 * before its AbortMultipartUpload is sent, sibling parts keep uploading after
 * one fails, and a failed abort is not retried.
 */
import {createHash} from 'node:crypto';
import type {Readable} from 'node:stream';
import {
	AbortMultipartUploadCommand,
	CompleteMultipartUploadCommand,
	CreateMultipartUploadCommand,
	type CompletedPart,
	type S3Client,
	type StorageClass,
} from '@aws-sdk/client-s3';
import {CloudSyncError} from '../core/errors.js';
import type {S3HttpClient} from './s3-http.js';
import {bareEtag, md5FromEtag} from './s3-metadata.js';

export type UploadRequest = {
	client: S3Client;
	/** PutObject and UploadPart go through this lean client (s3-http.ts); the rest of the multipart calls through the SDK. */
	http: S3HttpClient;
	bucket: string;
	key: string;
	/** Where the object is, for messages: "s3://bucket/key". */
	name: string;
	body: Readable;
	/** Expected size; -1 when unknown. */
	size: number;
	partSize: number;
	concurrency: number;
	metadata: Record<string, string>;
	storageClass?: string;
	serverSideEncryption?: 'AES256';
	/** Expected MD5 (hex) of the whole body, when the caller knows it. */
	md5?: string;
	signal?: AbortSignal;
	/** Maps an SDK error to a CloudSyncError. */
	mapError: (error: unknown, action: string) => CloudSyncError;
};

/**
 * `md5` is the whole body's MD5: always for a single part (it is the ETag); for
 * a multipart upload only when the caller gave one to check against, since
 * nothing else uses it and it costs a full MD5 pass over the file.
 */
export type UploadResult = {etag: string; size: number; md5?: string; multipart: boolean};

type Part = {number: number; data: Buffer};

/**
 * Cuts a stream into parts of exactly `partSize` bytes (the last may be
 * shorter), hashing as it goes when asked. Buffers of uploaded parts come back
 * through `spare` and are filled again: fresh 5 MiB buffers per part cost page
 * faults and garbage collection.
 */
async function* cutParts(body: Readable, partSize: number, wholeMd5: ReturnType<typeof createHash> | undefined, counter: {bytes: number}, spare: Buffer[]): AsyncGenerator<Part> {
	const fresh = () => spare.pop() ?? Buffer.allocUnsafe(partSize);
	let buffer = fresh();
	let filled = 0;
	let number = 1;
	for await (const chunk of body) {
		let data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
		wholeMd5?.update(data);
		counter.bytes += data.length;
		while (data.length > 0) {
			const take = Math.min(partSize - filled, data.length);
			data.copy(buffer, filled, 0, take);
			filled += take;
			data = data.subarray(take);
			if (filled === partSize) {
				yield {number: number++, data: buffer};
				buffer = fresh();
				filled = 0;
			}
		}
	}
	if (filled > 0 || number === 1) yield {number, data: buffer.subarray(0, filled)};
}

function md5Base64(data: Buffer): string {
	return createHash('md5').update(data).digest('base64');
}

function checkSize(request: UploadRequest, actual: number): void {
	if (request.size >= 0 && actual !== request.size) {
		throw new CloudSyncError('transient', `${request.name} changed while it was copied: expected ${request.size} bytes, got ${actual}`);
	}
}

function checkMd5(request: UploadRequest, actual: string): void {
	if (request.md5 && request.md5.toLowerCase() !== actual) {
		throw new CloudSyncError('corrupt', `${request.name}: the bytes read do not match the source's MD5; the source changed or was read wrongly`);
	}
}

function aborted(request: UploadRequest, cause?: unknown): CloudSyncError {
	return new CloudSyncError('aborted', `uploading ${request.name} was cancelled`, {cause});
}

export async function uploadObject(request: UploadRequest): Promise<UploadResult> {
	if (request.size >= 0 && request.size <= request.partSize) return uploadSingle(request);
	return uploadMultipart(request);
}

/** Ends a stalled read of the body when `signal` fires, so cancelling never waits on a silent source. */
function stopReadingOn(signal: AbortSignal | undefined, body: Readable, request: UploadRequest): () => void {
	if (!signal) return () => undefined;
	const stop = () => body.destroy(aborted(request));
	if (signal.aborted) stop();
	signal.addEventListener('abort', stop, {once: true});
	return () => signal.removeEventListener('abort', stop);
}

async function uploadSingle(request: UploadRequest): Promise<UploadResult> {
	const chunks: Buffer[] = [];
	let total = 0;
	const release = stopReadingOn(request.signal, request.body, request);
	try {
		for await (const chunk of request.body) {
			const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
			total += data.length;
			if (total > request.partSize) break;
			chunks.push(data);
		}
	} catch (error) {
		if (request.signal?.aborted) throw aborted(request, error);
		throw error instanceof CloudSyncError ? error : new CloudSyncError('transient', `cannot read the source of ${request.name}: ${String((error as Error)?.message ?? error)}`, {cause: error});
	} finally {
		release();
	}
	if (total > request.partSize) {
		request.body.destroy();
		throw new CloudSyncError('transient', `${request.name} changed while it was copied: it grew past ${request.size} bytes`);
	}
	if (request.signal?.aborted) throw aborted(request);
	const data = Buffer.concat(chunks, total);
	checkSize(request, total);
	const md5 = createHash('md5').update(data).digest();
	checkMd5(request, md5.toString('hex'));
	let etag: string;
	try {
		const result = await request.http.putObject({
			bucket: request.bucket,
			key: request.key,
			body: data,
			contentMd5: md5.toString('base64'),
			metadata: request.metadata,
			storageClass: request.storageClass || undefined,
			serverSideEncryption: request.serverSideEncryption,
			signal: request.signal,
		});
		etag = bareEtag(result.etag);
	} catch (error) {
		if (request.signal?.aborted) throw aborted(request, error);
		throw request.mapError(error, `upload ${request.name}`);
	}
	const etagMd5 = md5FromEtag(etag);
	if (etagMd5 !== undefined && etagMd5 !== md5.toString('hex')) {
		throw new CloudSyncError('corrupt', `${request.name} was stored with another MD5 than the one sent (ETag ${etag}): it will be uploaded again`);
	}
	return {etag, size: total, md5: md5.toString('hex'), multipart: false};
}

async function uploadMultipart(request: UploadRequest): Promise<UploadResult> {
	const {client, bucket, key} = request;
	const wholeMd5 = request.md5 ? createHash('md5') : undefined;
	const counter = {bytes: 0};
	const spare: Buffer[] = [];
	let uploadId: string | undefined;
	// Cancels in-flight parts when one fails or the caller cancels.
	const stop = new AbortController();
	const onAbort = () => stop.abort(request.signal?.reason);
	request.signal?.addEventListener('abort', onAbort, {once: true});
	const release = stopReadingOn(stop.signal, request.body, request);
	try {
		if (request.signal?.aborted) throw aborted(request);
		// Not cancellable: a create cut short could leave an upload whose id we never learn.
		const created = await client.send(
			new CreateMultipartUploadCommand({
				Bucket: bucket,
				Key: key,
				Metadata: request.metadata,
				StorageClass: (request.storageClass || undefined) as StorageClass | undefined,
				ServerSideEncryption: request.serverSideEncryption,
			}),
		);
		uploadId = created.UploadId;
		if (!uploadId) throw new CloudSyncError('permanent', `the server did not start a multipart upload for ${request.name}`);
		const id = uploadId;
		const parts = cutParts(request.body, request.partSize, wholeMd5, counter, spare);
		const done: CompletedPart[] = [];
		let failure: unknown;
		const worker = async () => {
			while (!stop.signal.aborted) {
				let next: IteratorResult<Part>;
				try {
					next = await parts.next();
				} catch (error) {
					throw new CloudSyncError('transient', `cannot read the source of ${request.name}: ${String((error as Error)?.message ?? error)}`, {cause: error});
				}
				if (next.done || stop.signal.aborted) return;
				const part = next.value;
				const contentMd5 = md5Base64(part.data);
				const {etag} = await request.http.uploadPart({bucket, key, uploadId: id, partNumber: part.number, body: part.data, contentMd5, signal: stop.signal});
				if (!etag) throw new CloudSyncError('permanent', `the server returned no ETag for part ${part.number} of ${request.name}`);
				done.push({PartNumber: part.number, ETag: etag});
				// The request is over (no retry will read it again): its buffer can hold another part.
				if (part.data.length === request.partSize) spare.push(part.data);
			}
		};
		const workers = Array.from({length: request.concurrency}, () =>
			worker().catch(error => {
				failure ??= error;
				stop.abort();
			}),
		);
		await Promise.all(workers);
		if (request.signal?.aborted) throw aborted(request, failure);
		if (failure !== undefined) throw failure;
		checkSize(request, counter.bytes);
		const md5 = wholeMd5?.digest('hex');
		if (md5 !== undefined) checkMd5(request, md5);
		done.sort((a, b) => a.PartNumber! - b.PartNumber!);
		const completed = await client.send(
			new CompleteMultipartUploadCommand({Bucket: bucket, Key: key, UploadId: id, MultipartUpload: {Parts: done}}),
		);
		uploadId = undefined;
		return {etag: bareEtag(completed.ETag), size: counter.bytes, md5, multipart: true};
	} catch (error) {
		stop.abort();
		request.body.destroy();
		const mapped = request.signal?.aborted ? aborted(request, error) : error instanceof CloudSyncError ? error : request.mapError(error, `upload ${request.name}`);
		if (uploadId !== undefined) await abortUpload(request, uploadId, mapped);
		throw mapped;
	} finally {
		release();
		request.signal?.removeEventListener('abort', onAbort);
	}
}

/** Aborts a multipart upload, retrying a few times; a last failure is added to the error's message. */
async function abortUpload(request: UploadRequest, uploadId: string, reason: CloudSyncError): Promise<void> {
	let lastError: unknown;
	for (let attempt = 0; attempt < 4; attempt++) {
		try {
			await request.client.send(new AbortMultipartUploadCommand({Bucket: request.bucket, Key: request.key, UploadId: uploadId}));
			return;
		} catch (error) {
			if ((error as {name?: string}).name === 'NoSuchUpload') return;
			lastError = error;
			await new Promise(resolve => setTimeout(resolve, 250 * 2 ** attempt));
		}
	}
	const detail = request.mapError(lastError, `cancel the unfinished upload of ${request.name}`).message;
	reason.message = `${reason.message} (and the unfinished multipart upload could not be cancelled: ${detail}; a lifecycle rule for incomplete multipart uploads removes it)`;
}
