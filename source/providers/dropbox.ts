/**
 * Dropbox as a Remote, through the official `dropbox` SDK (RPC and uploads)
 * and a streamed files/download of our own (the SDK buffers downloads and
 * cannot ask for a range). Dropbox keeps whole-second client_modified times,
 * its own content_hash, and treats names case-insensitively.
 */
import {Transform, type Readable} from 'node:stream';
import type {files} from 'dropbox';
import {CloudSyncError} from '../core/errors.js';
import type {Attributes} from '../core/fields.js';
import {compareKeys, unsafeNameReason} from '../core/paths.js';
import {chunkBytes, text} from './dropbox-config.js';
import {DropboxClient, defaultRetry, type RetrySettings, type TokenListener} from './dropbox-client.js';
import {hasErrorTag, networkError} from './dropbox-errors.js';
import {dropboxBlockSize, DropboxContentHasher} from './dropbox-hash.js';
import {uploadToDropbox} from './dropbox-upload.js';
import type {Entry, ListOptions, LocationBrowser, ReadRange, Remote, RemoteFeatures, WriteOptions} from './remote.js';

export {dropboxDefaultChunkMiB, dropboxDescription, validateDropboxAttributes} from './dropbox-config.js';
export {startDropboxLogin, finishDropboxLogin, refreshDropboxToken, dropboxEndpoints} from './dropbox-oauth.js';
export {dropboxContentHash, DropboxContentHasher} from './dropbox-hash.js';

export type DropboxRemoteOptions = {
	/** Called after a silent token renewal, to save the new token. */
	onTokenRefreshed?: TokenListener;
	retry?: Partial<RetrySettings>;
};

export class DropboxRemote implements Remote, LocationBrowser {
	readonly features: RemoteFeatures & {caseInsensitive: boolean} = {
		hashes: ['dropbox'],
		precisionMs: 1000,
		canSetMtime: false,
		posixMetadata: false,
		slowHash: false,
		caseInsensitive: true,
	};
	readonly label: string;
	private readonly client: DropboxClient;
	/** '' for the account's root, else "/a/b". */
	private readonly root: string;
	private readonly chunkSize: number;

	constructor(attributes: Attributes, location: {folder?: string} = {}, options: DropboxRemoteOptions = {}) {
		const folder = (location.folder ?? '').replace(/^\/+|\/+$/g, '');
		if (folder !== '') checkName(folder, 'folder');
		this.root = folder === '' ? '' : `/${folder}`;
		this.label = `dropbox:${this.root || '/'}`;
		this.chunkSize = chunkBytes(attributes);
		if (this.chunkSize % dropboxBlockSize !== 0) throw new CloudSyncError('usage', 'chunk_size must be a multiple of 4 MiB');
		this.client = new DropboxClient(
			{
				token: text(attributes, 'token'),
				refreshToken: text(attributes, 'refresh_token'),
				clientId: text(attributes, 'client_id'),
				clientSecret: text(attributes, 'client_secret'),
				tokenExpiry: text(attributes, 'token_expiry'),
				apiUrl: text(attributes, 'api_url'),
			},
			options.onTokenRefreshed,
			{...defaultRetry, ...options.retry},
		);
	}

	async *list(dir = '', options: ListOptions = {}): AsyncGenerator<Entry> {
		const start = dir === '' ? '' : checkName(dir);
		const report = (where: string, error: CloudSyncError) => {
			if (!options.onError) throw error;
			options.onError(where, error);
		};
		let children: Child[];
		try {
			children = await this.readFolder(this.dropboxPath(start), options.signal);
		} catch (error) {
			// A location that does not exist yet is empty (like an S3 prefix): a PUSH creates it.
			if (error instanceof CloudSyncError && error.kind === 'not_found') return;
			throw error;
		}
		yield* this.walk(start, children, report, options.signal);
	}

	private async *walk(dir: string, children: Child[], report: (where: string, error: CloudSyncError) => void, signal?: AbortSignal): AsyncGenerator<Entry> {
		for (const child of children) {
			const path = dir === '' ? child.name : `${dir}/${child.name}`;
			yield toEntry(path, child.metadata);
			if (child.metadata['.tag'] !== 'folder') continue;
			let grandchildren: Child[];
			try {
				grandchildren = await this.readFolder(this.dropboxPath(path), signal);
			} catch (error) {
				const mapped = error instanceof CloudSyncError ? error : networkError(error, 'list', describe(this.dropboxPath(path)));
				if (mapped.kind === 'not_found') continue; // removed while we walked
				if (mapped.kind === 'aborted') throw mapped;
				report(path, mapped);
				continue;
			}
			yield* this.walk(path, grandchildren, report, signal);
		}
	}

	/** One folder's files and folders, every page, sorted as the walk needs them. */
	private async readFolder(dropboxPath: string, signal?: AbortSignal): Promise<Child[]> {
		const where = describe(dropboxPath);
		const children: Child[] = [];
		let page = await this.client.call('list', where, sdk => sdk.filesListFolder({path: dropboxPath, recursive: false, include_deleted: false}), signal);
		for (;;) {
			for (const metadata of page.entries) {
				if (metadata['.tag'] === 'folder') children.push({name: metadata.name, key: `${metadata.name}/`, metadata});
				// Files that cannot be downloaded (Paper docs, Google files) cannot be synced.
				else if (metadata['.tag'] === 'file' && metadata.is_downloadable !== false) children.push({name: metadata.name, key: metadata.name, metadata});
			}
			if (!page.has_more) break;
			const cursor = page.cursor;
			page = await this.client.call('list', where, sdk => sdk.filesListFolderContinue({cursor}), signal);
		}
		children.sort((a, b) => compareKeys(a.key, b.key));
		return children;
	}

	async stat(path: string): Promise<Entry | undefined> {
		const name = path === '' ? '' : checkName(path);
		const dropboxPath = this.dropboxPath(name);
		if (dropboxPath === '') return {path: '', isDir: true, size: 0, mtime: 0};
		try {
			const metadata = await this.client.call('read', describe(dropboxPath), sdk => sdk.filesGetMetadata({path: dropboxPath}));
			if (metadata['.tag'] === 'deleted') return undefined;
			// Dropbox ignores case: report the name as stored.
			const parent = name.slice(0, name.lastIndexOf('/') + 1);
			return toEntry(name === '' ? '' : parent + metadata.name, metadata);
		} catch (error) {
			if (error instanceof CloudSyncError && error.kind === 'not_found') return undefined;
			throw error;
		}
	}

	async read(path: string, range?: ReadRange, options: {signal?: AbortSignal} = {}): Promise<Readable> {
		const dropboxPath = this.dropboxPath(checkName(path));
		const where = describe(dropboxPath);
		if (range && (range.start < 0 || (range.end !== undefined && range.end < range.start))) {
			throw new CloudSyncError('usage', `cannot read bytes ${range.start}-${range.end} of ${where}: the range is empty`);
		}
		const header = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
		const response = await this.client.download(dropboxPath, header, 'download', where, options.signal);
		if (range && response.statusCode !== 206) {
			response.destroy();
			throw new CloudSyncError('permanent', `Dropbox ignored the byte range asked for ${where} (HTTP ${response.statusCode})`);
		}
		let metadata: Partial<files.FileMetadata> = {};
		try {
			metadata = JSON.parse(String(response.headers['dropbox-api-result'] ?? '{}')) as files.FileMetadata;
		} catch {
			// Checked by length alone.
		}
		const length = range ? Number(response.headers['content-length'] ?? Number.NaN) : Number(metadata.size ?? Number.NaN);
		return checkedBody(response, where, length, range ? undefined : metadata.content_hash, options.signal);
	}

	async write(path: string, body: Readable, options: WriteOptions): Promise<Entry> {
		const name = checkName(path);
		const dropboxPath = this.dropboxPath(name);
		const metadata = await uploadToDropbox(this.client, dropboxPath, body, {
			size: options.size,
			mtime: options.mtime,
			chunkSize: this.chunkSize,
			expectedHash: options.hashes?.dropbox,
			signal: options.signal,
			where: describe(dropboxPath),
			name,
		});
		return toEntry(name, {...metadata, '.tag': 'file'});
	}

	async delete(path: string): Promise<void> {
		const dropboxPath = this.dropboxPath(checkName(path));
		const where = describe(dropboxPath);
		// delete_v2 removes folders with everything in them: make sure this is
		// a file, and pin its revision so a newer upload is not deleted instead.
		const existing = await this.stat(path);
		if (!existing) return;
		if (existing.isDir) throw new CloudSyncError('permanent', `cannot delete ${where} as a file: it is a folder`);
		try {
			await this.client.call('delete', where, sdk => sdk.filesDeleteV2({path: dropboxPath, parent_rev: existing.etag}));
		} catch (error) {
			if (error instanceof CloudSyncError && error.kind === 'not_found') return;
			throw error;
		}
	}

	async mkdir(path: string): Promise<void> {
		const dropboxPath = this.dropboxPath(path === '' ? '' : checkName(path));
		if (dropboxPath === '') return;
		const where = describe(dropboxPath);
		try {
			await this.client.call('create the folder', where, sdk => sdk.filesCreateFolderV2({path: dropboxPath, autorename: false}));
		} catch (error) {
			if (hasErrorTag(error, 'conflict') && hasErrorTag(error, 'folder')) return;
			throw error;
		}
	}

	async rmdir(path: string): Promise<void> {
		const dropboxPath = this.dropboxPath(path === '' ? '' : checkName(path));
		if (dropboxPath === '') return;
		const where = describe(dropboxPath);
		let page: files.ListFolderResult;
		try {
			page = await this.client.call('list', where, sdk => sdk.filesListFolder({path: dropboxPath, limit: 1}));
		} catch (error) {
			if (error instanceof CloudSyncError && error.kind === 'not_found') return;
			throw error;
		}
		if (page.entries.length > 0 || page.has_more) throw new CloudSyncError('permanent', `cannot remove the folder ${where}: it is not empty`);
		// Dropbox has no "delete if empty": a file arriving between the check and here would go too.
		try {
			await this.client.call('remove the folder', where, sdk => sdk.filesDeleteV2({path: dropboxPath}));
		} catch (error) {
			if (error instanceof CloudSyncError && error.kind === 'not_found') return;
			throw error;
		}
	}

	async verify(): Promise<void> {
		await this.client.call('check the account', 'on Dropbox', sdk => sdk.usersGetCurrentAccount());
		if (this.root === '') return;
		const where = describe(this.root);
		try {
			const metadata = await this.client.call('check the folder', where, sdk => sdk.filesGetMetadata({path: this.root}));
			if (metadata['.tag'] === 'file') throw new CloudSyncError('permanent', `${where} is a file, not a folder: choose a folder`);
		} catch (error) {
			// A folder that does not exist yet is created by the first upload.
			if (error instanceof CloudSyncError && error.kind === 'not_found') return;
			throw error;
		}
	}

	async listFolders(_bucket: string | undefined, dir: string): Promise<string[]> {
		const base = dir.replace(/^\/+|\/+$/g, '');
		const children = await this.readFolder(this.dropboxPath(base === '' ? '' : checkName(base)));
		return children.filter(child => child.metadata['.tag'] === 'folder').map(child => child.name);
	}

	private dropboxPath(name: string): string {
		return name === '' ? this.root : `${this.root}/${name}`;
	}
}

type Child = {name: string; key: string; metadata: files.FileMetadataReference | files.FolderMetadataReference};

function checkName(path: string, what = 'name'): string {
	const reason = unsafeNameReason(path);
	if (reason) throw new CloudSyncError('unsafe_path', `refused the Dropbox ${what} "${JSON.stringify(path).slice(1, -1)}": ${reason}`);
	return path;
}

function describe(dropboxPath: string): string {
	return `"${dropboxPath || '/'}" on Dropbox`;
}

function toEntry(path: string, metadata: files.FileMetadataReference | files.FolderMetadataReference): Entry {
	if (metadata['.tag'] === 'folder') return {path, isDir: true, size: 0, mtime: 0};
	const entry: Entry = {path, isDir: false, size: metadata.size, mtime: Date.parse(metadata.client_modified), etag: metadata.rev};
	if (metadata.content_hash) entry.hashes = {dropbox: metadata.content_hash};
	return entry;
}

/** Passes the download through, failing it when it ends short or its content_hash differs. */
function checkedBody(body: Readable, where: string, length: number, contentHash: string | undefined, signal?: AbortSignal): Readable {
	const hasher = contentHash ? new DropboxContentHasher() : undefined;
	let received = 0;
	const out = new Transform({
		transform(chunk: Buffer, _encoding, done) {
			received += chunk.length;
			hasher?.update(chunk);
			done(null, chunk);
		},
		flush(done) {
			if (Number.isFinite(length) && received !== length) {
				done(new CloudSyncError('transient', `the download of ${where} ended after ${received} of ${length} bytes; it will be retried`));
			} else if (hasher && hasher.digest() !== contentHash) {
				done(new CloudSyncError('corrupt', `the download of ${where} arrived corrupted (content hash mismatch); run the task again`));
			} else done();
		},
	});
	const cancelled = () => new CloudSyncError('aborted', `the download of ${where} was cancelled`);
	const onAbort = () => out.destroy(cancelled());
	signal?.addEventListener('abort', onAbort, {once: true});
	body.on('error', error => out.destroy(signal?.aborted ? cancelled() : networkError(error, 'download', where)));
	out.on('close', () => {
		signal?.removeEventListener('abort', onAbort);
		if (!out.writableFinished) body.destroy();
	});
	body.pipe(out);
	return out;
}
