/**
 * Amazon S3 and S3-compatible storage. The remote's root is `bucket/folder`;
 * paths are keys below it. Modification times live in x-amz-meta-mtime
 * (rclone's format); listings get them from an MtimeIndex, or from a HEAD per
 * object the index does not know.
 */
import type {Readable} from 'node:stream';
import {
	AbortMultipartUploadCommand,
	CopyObjectCommand,
	DeleteObjectCommand,
	GetObjectCommand,
	HeadObjectCommand,
	ListBucketsCommand,
	ListMultipartUploadsCommand,
	ListObjectsV2Command,
	PutObjectCommand,
	type HeadObjectCommandOutput,
	type S3Client,
	type ListObjectsV2CommandOutput,
	type StorageClass,
} from '@aws-sdk/client-s3';
import {CloudSyncError, isRetryable} from '../core/errors.js';
import type {Attributes} from '../core/fields.js';
import {joinPath} from '../core/paths.js';
import type {Entry, ListOptions, LocationBrowser, ReadRange, Remote, RemoteFeatures, WriteOptions} from './remote.js';
import {partSizeFor, s3Settings, type S3Settings} from './s3-config.js';
import {isS3NotFound, s3Error} from './s3-errors.js';
import {exactNs, formatSecondsNs} from '../core/mtime.js';
import {bareEtag, posixFromMetadata, posixToMetadata} from './s3-metadata.js';
import {MemoryMtimeIndex, type MtimeIndex} from './s3-mtime-index.js';
import {S3ClientPool} from './s3-client.js';
import {entryFromHead, pageEntries} from './s3-listing.js';
import {uploadObject} from './s3-upload.js';

export type S3Location = {bucket?: string; folder?: string};
export type S3RemoteOptions = {
	/** Remembers mtimes between runs; without one, an in-memory index serves this instance. */
	mtimeIndex?: MtimeIndex;
	/** Concurrent HEAD requests while listing objects the index does not know (default 16). */
	headConcurrency?: number;
};

export {s3MaxAttempts} from './s3-client.js';

/** Rounds of the SDK's attempts for one listing HEAD. */
const listingHeadAttempts = 4;

export class S3Remote implements Remote, LocationBrowser {
	readonly features: RemoteFeatures = {
		hashes: ['md5'],
		// x-amz-meta-mtime keeps nanoseconds, and entries carry them (Entry.mtimeNs).
		precisionMs: 1e-6,
		canSetMtime: true,
		posixMetadata: true,
		slowHash: false,
	};
	readonly label: string;
	readonly settings: S3Settings;
	readonly bucket: string;
	/** '' or "a/b/" (with the trailing slash). */
	readonly prefix: string;
	private readonly index: MtimeIndex;
	private readonly headConcurrency: number;
	private readonly clients: S3ClientPool;
	private readonly endpointName: string;

	constructor(attributes: Attributes, location: S3Location = {}, options: S3RemoteOptions = {}) {
		this.settings = s3Settings(attributes);
		this.bucket = (location.bucket ?? '').trim();
		const folder = joinPath(location.folder ?? '');
		this.prefix = folder === '' ? '' : `${folder}/`;
		this.index = options.mtimeIndex ?? new MemoryMtimeIndex();
		this.headConcurrency = options.headConcurrency ?? 16;
		this.endpointName = this.settings.endpoint || 'Amazon S3';
		this.label = `s3://${this.bucket}${folder ? `/${folder}` : ''}`;
		this.clients = new S3ClientPool(this.settings, (error, action, bucket) => s3Error(error, {action, endpoint: this.endpointName, bucket}));
	}

	async *list(dir = '', options: ListOptions = {}): AsyncGenerator<Entry> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const start = joinPath(dir);
		const prefix = start === '' ? this.prefix : `${this.prefix}${start}/`;
		let token: string | undefined;
		let page: Promise<ListObjectsV2CommandOutput> | undefined = this.listPage(client, bucket, prefix, undefined, options.signal);
		while (page) {
			const output: ListObjectsV2CommandOutput = await page;
			token = output.IsTruncated ? output.NextContinuationToken : undefined;
			// The next page loads while this one's entries are resolved and consumed.
			page = token ? this.listPage(client, bucket, prefix, token, options.signal) : undefined;
			page?.catch(() => undefined);
			const objects = (output.Contents ?? []).filter(o => o.Key !== undefined && o.Key.length > prefix.length);
			const entries = pageEntries(objects, {
				rootPrefix: this.prefix,
				index: this.index,
				headConcurrency: this.headConcurrency,
				head: key => this.head(client, bucket, key, options.signal),
			});
			for (const entry of entries) yield await entry;
		}
	}

	private listPage(client: S3Client, bucket: string, prefix: string, token: string | undefined, signal?: AbortSignal): Promise<ListObjectsV2CommandOutput> {
		return client
			.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token}), {abortSignal: signal})
			.catch(error => {
				throw this.error(error, `list ${this.describe(prefix)}`);
			});
	}

	/**
	 * A listing needs a HEAD per object whose mtime the index lacks, and one
	 * failed HEAD fails the whole listing: so beyond the SDK's own attempts a
	 * transient failure is tried again a few times, as transfers are.
	 */
	private async head(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<HeadObjectCommandOutput | undefined> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await client.send(new HeadObjectCommand({Bucket: bucket, Key: key}), {abortSignal: signal});
			} catch (error) {
				if (isS3NotFound(error)) return undefined;
				const failure = this.error(error, `read the metadata of ${this.describe(key)}`);
				if (!isRetryable(failure) || attempt >= listingHeadAttempts || signal?.aborted) throw failure;
				await new Promise(resolve => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
			}
		}
	}

	async stat(path: string): Promise<Entry | undefined> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const name = path.replace(/\/+$/, '');
		if (name === '') return {path: '', isDir: true, size: 0, mtime: 0};
		const key = this.prefix + name;
		const head = await this.head(client, bucket, key);
		if (head) return entryFromHead(name, key, head, this.index);
		// A directory: a marker object, or any key below it.
		const below = await client
			.send(new ListObjectsV2Command({Bucket: bucket, Prefix: `${key}/`, MaxKeys: 1}))
			.catch(error => {
				throw this.error(error, `look for ${this.describe(key)}`);
			});
		const first = below.Contents?.[0];
		return first ? {path: name, isDir: true, size: 0, mtime: first.Key === `${key}/` ? first.LastModified?.getTime() ?? 0 : 0} : undefined;
	}

	async read(path: string, range?: ReadRange, options: {signal?: AbortSignal} = {}): Promise<Readable> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const key = this.prefix + path;
		const header = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
		try {
			const output = await client.send(new GetObjectCommand({Bucket: bucket, Key: key, Range: header}), {abortSignal: options.signal});
			return output.Body as Readable;
		} catch (error) {
			throw this.error(error, `download ${this.describe(key)}`);
		}
	}

	async write(path: string, body: Readable, options: WriteOptions): Promise<Entry> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const name = path;
		if (name === '') throw new CloudSyncError('unsafe_path', 'refused to write an object with an empty name');
		const key = this.prefix + name;
		const posix = {mode: options.mode, uid: options.uid, gid: options.gid};
		const time = {mtime: options.mtime, mtimeNs: exactNs(options)};
		const metadata: Record<string, string> = {mtime: formatSecondsNs(time.mtimeNs), ...posixToMetadata(posix)};
		const partSize = partSizeFor(options.size, this.settings.chunkBytes);
		const knownMd5 = options.hashes?.md5;
		if (knownMd5 && options.size > partSize) metadata.md5chksum = Buffer.from(knownMd5, 'hex').toString('base64');
		const result = await uploadObject({
			client,
			http: await this.clients.httpForBucket(bucket),
			bucket,
			key,
			name: this.describe(key),
			body,
			size: options.size,
			partSize,
			concurrency: this.settings.uploadConcurrency,
			metadata,
			storageClass: this.settings.storageClass,
			serverSideEncryption: this.settings.serverSideEncryption || undefined,
			md5: knownMd5,
			signal: options.signal,
			mapError: (error, action) => this.error(error, action),
		});
		const stored = {mode: posix.mode, uid: posix.uid, gid: posix.gid};
		this.index.set(key, result.etag, result.size, time, stored);
		const entry: Entry = {path: name, isDir: false, size: result.size, ...time, etag: result.etag};
		if (result.md5) entry.hashes = {md5: result.md5};
		for (const field of ['mode', 'uid', 'gid'] as const) if (stored[field] !== undefined) entry[field] = stored[field];
		return entry;
	}

	async delete(path: string): Promise<void> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const key = this.prefix + path;
		try {
			await client.send(new DeleteObjectCommand({Bucket: bucket, Key: key}));
		} catch (error) {
			if (isS3NotFound(error)) return;
			throw this.error(error, `delete ${this.describe(key)}`);
		}
		this.index.delete(key);
	}

	/** Creates a directory marker ("dir/"), so empty folders survive like rclone's --s3-directory-markers. */
	async mkdir(path: string): Promise<void> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const name = joinPath(path);
		if (name === '') return;
		const key = `${this.prefix}${name}/`;
		try {
			await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: Buffer.alloc(0), ContentLength: 0}));
		} catch (error) {
			throw this.error(error, `create the folder ${this.describe(key)}`);
		}
	}

	/** Removes the folder's marker object, if there is one; keys below it are not touched. */
	async rmdir(path: string): Promise<void> {
		const name = joinPath(path);
		if (name === '') return;
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const key = `${this.prefix}${name}/`;
		try {
			await client.send(new DeleteObjectCommand({Bucket: bucket, Key: key}));
		} catch (error) {
			if (!isS3NotFound(error)) throw this.error(error, `remove the folder ${this.describe(key)}`);
		}
	}

	/** Rewrites the metadata with a server-side copy onto itself (objects up to 5 GiB). */
	async setMtime(path: string, mtime: number, mtimeNs?: bigint): Promise<void> {
		const time = {mtime, mtimeNs: exactNs({mtime, mtimeNs})};
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const key = this.prefix + path;
		const head = await this.head(client, bucket, key);
		if (!head) throw new CloudSyncError('not_found', `cannot set the time of ${this.describe(key)}: it does not exist`);
		if ((head.ContentLength ?? 0) > 5 * 1024 ** 3) {
			throw new CloudSyncError('permanent', `cannot change the time of ${this.describe(key)} in place: S3 copies objects over 5 GiB only in parts; it must be uploaded again`);
		}
		const metadata = {...(head.Metadata ?? {}), mtime: formatSecondsNs(time.mtimeNs)};
		try {
			const copied = await client.send(
				new CopyObjectCommand({
					Bucket: bucket,
					Key: key,
					CopySource: `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`,
					CopySourceIfMatch: head.ETag,
					MetadataDirective: 'REPLACE',
					Metadata: metadata,
					ContentType: head.ContentType,
					StorageClass: (head.StorageClass as StorageClass | undefined) ?? ((this.settings.storageClass || undefined) as StorageClass | undefined),
					ServerSideEncryption: this.settings.serverSideEncryption || undefined,
				}),
			);
			const etag = bareEtag(copied.CopyObjectResult?.ETag ?? head.ETag);
			this.index.set(key, etag, head.ContentLength ?? 0, time, posixFromMetadata(metadata));
		} catch (error) {
			throw this.error(error, `set the time of ${this.describe(key)}`);
		}
	}

	async verify(): Promise<void> {
		if (this.bucket === '') {
			await this.listBuckets();
			return;
		}
		const client = await this.clients.forBucket(this.bucket);
		try {
			// GET, not HEAD: a HEAD error has no body to tell a wrong key from a wrong secret.
			await client.send(new ListObjectsV2Command({Bucket: this.bucket, Prefix: this.prefix || undefined, MaxKeys: 1}));
		} catch (error) {
			throw this.error(error, `list ${this.label}`);
		}
	}

	async listBuckets(): Promise<string[]> {
		const client = this.clients.forAnyBucket();
		try {
			const output = await client.send(new ListBucketsCommand({}));
			return (output.Buckets ?? []).map(b => b.Name ?? '').filter(Boolean).sort();
		} catch (error) {
			throw s3Error(error, {action: 'list the buckets', endpoint: this.endpointName});
		}
	}

	async listFolders(bucket: string | undefined, dir: string): Promise<string[]> {
		const name = (bucket ?? this.bucket).trim();
		if (!name) throw new CloudSyncError('usage', 'choose a bucket first');
		const client = await this.clients.forBucket(name);
		const base = joinPath(dir);
		const prefix = base === '' ? '' : `${base}/`;
		const folders: string[] = [];
		let token: string | undefined;
		do {
			let output: ListObjectsV2CommandOutput;
			try {
				output = await client.send(new ListObjectsV2Command({Bucket: name, Prefix: prefix || undefined, Delimiter: '/', ContinuationToken: token}));
			} catch (error) {
				throw s3Error(error, {action: `list the folders in ${name}/${prefix}`, endpoint: this.endpointName, bucket: name});
			}
			for (const common of output.CommonPrefixes ?? []) {
				const folder = common.Prefix?.slice(prefix.length, -1);
				if (folder) folders.push(folder);
			}
			token = output.IsTruncated ? output.NextContinuationToken : undefined;
		} while (token);
		return folders;
	}

	/**
	 * Aborts the unfinished multipart uploads under this location that began
	 * before `before`: a run killed with SIGKILL cannot abort its own, and
	 * their parts are stored (and billed) until someone does. Returns their keys.
	 */
	async abortStaleUploads(before: Date, options: {signal?: AbortSignal} = {}): Promise<string[]> {
		const bucket = this.requireBucket();
		const client = await this.clients.forBucket(bucket);
		const stale: Array<{key: string; uploadId: string}> = [];
		let keyMarker: string | undefined;
		let uploadIdMarker: string | undefined;
		try {
			do {
				const page = await client.send(
					new ListMultipartUploadsCommand({Bucket: bucket, Prefix: this.prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker}),
					{abortSignal: options.signal},
				);
				for (const upload of page.Uploads ?? []) {
					// Some servers ignore Prefix: never touch another location's uploads.
					if (upload.Key === undefined || upload.UploadId === undefined || !upload.Key.startsWith(this.prefix)) continue;
					if (upload.Initiated && upload.Initiated.getTime() >= before.getTime()) continue;
					stale.push({key: upload.Key, uploadId: upload.UploadId});
				}
				keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
				uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
			} while (keyMarker);
			for (const upload of stale) {
				await client.send(new AbortMultipartUploadCommand({Bucket: bucket, Key: upload.key, UploadId: upload.uploadId}), {abortSignal: options.signal});
			}
		} catch (error) {
			throw this.error(error, `clear unfinished uploads in ${this.label}`);
		}
		return stale.map(upload => upload.key.slice(this.prefix.length));
	}

	async close(): Promise<void> {
		await this.index.flush();
		this.clients.destroy();
	}

	private requireBucket(): string {
		if (!this.bucket) throw new CloudSyncError('usage', 'this S3 location has no bucket: choose a bucket for the task');
		return this.bucket;
	}

	private describe(key: string): string {
		return `s3://${this.bucket}/${key}`;
	}

	private error(error: unknown, action: string): CloudSyncError {
		return s3Error(error, {action, endpoint: this.endpointName, bucket: this.bucket || undefined});
	}
}
