/**
 * The files/* endpoints of the local Dropbox API server, following Dropbox's
 * HTTP documentation: argument checks answer 400 in plain text, endpoint
 * errors 409 with `error_summary` and a tagged `error` object.
 */
import {randomBytes} from 'node:crypto';
import {dropboxContentHash} from '../../source/providers/dropbox-hash.js';
import {
	ApiError,
	badRequest,
	DropboxStore,
	endpointError,
	metadata,
	nowTimestamp,
	timestampPattern,
	type StoredFile,
} from './dropbox-server-store.js';

export type RouteStyle = 'rpc' | 'upload' | 'download';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Arg = any;
export type DownloadReply = {download: {content: Buffer; metadata: Record<string, unknown>}};
export type Route = {style: RouteStyle; handle(arg: Arg, body: Buffer): unknown};

/** Dropbox refuses more than this in one request. */
export const maxRequestBytes = 150 * 1024 * 1024;

type Session = {chunks: Buffer[]; offset: number; closed: boolean};
type Cursor = {entries: Record<string, unknown>[]; position: number};

export class FilesApi {
	readonly sessions = new Map<string, Session>();
	private readonly cursors = new Map<string, Cursor>();

	constructor(
		readonly store: DropboxStore,
		private readonly pageSize: () => number,
	) {}

	routes(): Record<string, Route> {
		return {
			'files/list_folder': {style: 'rpc', handle: arg => this.listFolder(arg)},
			'files/list_folder/continue': {style: 'rpc', handle: arg => this.listContinue(arg)},
			'files/get_metadata': {style: 'rpc', handle: arg => this.getMetadata(arg)},
			'files/delete_v2': {style: 'rpc', handle: arg => this.delete(arg)},
			'files/create_folder_v2': {style: 'rpc', handle: arg => this.createFolder(arg)},
			'files/upload': {style: 'upload', handle: (arg, body) => this.upload(arg, body)},
			'files/upload_session/start': {style: 'upload', handle: (arg, body) => this.sessionStart(arg, body)},
			'files/upload_session/append_v2': {style: 'upload', handle: (arg, body) => this.sessionAppend(arg, body)},
			'files/upload_session/finish': {style: 'upload', handle: (arg, body) => this.sessionFinish(arg, body)},
			'files/download': {style: 'download', handle: arg => this.download(arg)},
		};
	}

	private listFolder(arg: Arg): unknown {
		const endpoint = 'files/list_folder';
		const path = checkPath(endpoint, arg?.path, 'path', {root: true});
		if (arg.limit !== undefined && (!Number.isInteger(arg.limit) || arg.limit < 1 || arg.limit > 2000)) {
			throw badRequest(endpoint, `request body: limit: ${arg.limit} is not within bounds [1, 2000]`);
		}
		if (path !== '') {
			const node = this.store.get(path);
			if (!node) throw endpointError('path/not_found', {'.tag': 'path', path: {'.tag': 'not_found'}});
			if (node.kind === 'file') throw endpointError('path/not_folder', {'.tag': 'path', path: {'.tag': 'not_folder'}});
		}
		const entries = this.store.children(path, arg.recursive === true).map(node => metadata(node));
		return this.page({entries, position: 0}, arg.limit);
	}

	private listContinue(arg: Arg): unknown {
		const id = arg?.cursor;
		if (typeof id !== 'string' || id === '') throw badRequest('files/list_folder/continue', 'request body: cursor: missing or empty');
		const cursor = this.cursors.get(id);
		if (!cursor) throw endpointError('reset', {'.tag': 'reset'});
		this.cursors.delete(id);
		return this.page(cursor);
	}

	private page(cursor: Cursor, limit?: number): unknown {
		const size = Math.min(limit ?? Number.POSITIVE_INFINITY, this.pageSize());
		const entries = cursor.entries.slice(cursor.position, cursor.position + size);
		const next = {entries: cursor.entries, position: cursor.position + entries.length};
		const id = `cursor-${randomBytes(9).toString('base64url')}`;
		this.cursors.set(id, next);
		return {entries, cursor: id, has_more: next.position < cursor.entries.length};
	}

	private getMetadata(arg: Arg): unknown {
		const path = checkPath('files/get_metadata', arg?.path, 'path', {root: false, rootMessage: 'request body: path: The root folder is unsupported.'});
		const node = this.store.get(path);
		if (!node) throw endpointError('path/not_found', {'.tag': 'path', path: {'.tag': 'not_found'}});
		return metadata(node);
	}

	private delete(arg: Arg): unknown {
		const path = checkPath('files/delete_v2', arg?.path, 'path_lookup', {root: false});
		const node = this.store.get(path);
		if (!node) throw endpointError('path_lookup/not_found', {'.tag': 'path_lookup', path_lookup: {'.tag': 'not_found'}});
		if (arg.parent_rev !== undefined && (node.kind !== 'file' || node.rev !== arg.parent_rev)) {
			throw endpointError('path_write/conflict/file', {'.tag': 'path_write', path_write: {'.tag': 'conflict', conflict: {'.tag': 'file'}}});
		}
		const result = metadata(node);
		this.store.delete(path);
		return {metadata: result};
	}

	private createFolder(arg: Arg): unknown {
		const path = checkPath('files/create_folder_v2', arg?.path, 'path', {root: false});
		const existing = this.store.get(path);
		if (existing || this.store.parentConflict(path)) {
			const what = existing?.kind ?? 'file';
			throw endpointError(`path/conflict/${what}`, {'.tag': 'path', path: {'.tag': 'conflict', conflict: {'.tag': what}}});
		}
		return {metadata: metadata(this.store.createFolder(path), false)};
	}

	private upload(arg: Arg, body: Buffer): unknown {
		const endpoint = 'files/upload';
		checkContentHash(endpoint, arg, body, 'content_hash_mismatch');
		return metadata(this.commit(endpoint, arg, body, error => ({'.tag': 'path', path: {reason: error, upload_session_id: 'none'}})), false);
	}

	/** Writes a file under CommitInfo `arg`; `wrap` puts a WriteError in the endpoint's error shape. */
	private commit(endpoint: string, arg: Arg, content: Buffer, wrap: (error: object) => object, prefix = 'path'): StoredFile {
		const path = checkPath(endpoint, arg?.path, prefix, {root: false});
		if (arg.client_modified !== undefined && (typeof arg.client_modified !== 'string' || !timestampPattern.test(arg.client_modified))) {
			throw badRequest(endpoint, `request body: client_modified: time data '${arg.client_modified}' does not match format '%Y-%m-%dT%H:%M:%SZ'`);
		}
		const mode = arg.mode?.['.tag'] ?? arg.mode ?? 'add';
		const existing = this.store.get(path);
		const conflict = (what: string) => endpointError(`${prefix}/conflict/${what}`, wrap({'.tag': 'conflict', conflict: {'.tag': what}}));
		if (existing?.kind === 'folder') throw conflict('folder');
		if (this.store.parentConflict(path)) throw conflict('file');
		if (existing && mode === 'add' && !existing.content.equals(content)) throw conflict('file');
		if (mode === 'update' && existing?.rev !== arg.mode?.update) throw conflict('file');
		if (!['add', 'overwrite', 'update'].includes(mode)) throw badRequest(endpoint, `request body: mode: unknown tag '${mode}'`);
		return this.store.putFile(path, content, arg.client_modified ?? nowTimestamp());
	}

	private sessionStart(arg: Arg, body: Buffer): unknown {
		checkContentHash('files/upload_session/start', arg, body, 'content_hash_mismatch');
		const id = `pid_upload_session:${randomBytes(12).toString('base64url')}`;
		this.sessions.set(id, {chunks: [body], offset: body.length, closed: arg?.close === true});
		return {session_id: id};
	}

	private lookup(endpoint: string, cursor: Arg, wrap: (error: Record<string, unknown>) => [string, object], allowClosed = false): Session {
		if (typeof cursor?.session_id !== 'string' || !Number.isInteger(cursor?.offset)) {
			throw badRequest(endpoint, 'request body: cursor: missing session_id or offset');
		}
		const session = this.sessions.get(cursor.session_id);
		const fail = (error: Record<string, unknown>) => {
			const [summary, shaped] = wrap(error);
			return endpointError(summary, shaped);
		};
		if (!session) throw fail({'.tag': 'not_found'});
		if (cursor.offset !== session.offset) throw fail({'.tag': 'incorrect_offset', correct_offset: session.offset});
		if (session.closed && !allowClosed) throw fail({'.tag': 'closed'});
		return session;
	}

	private sessionAppend(arg: Arg, body: Buffer): unknown {
		const endpoint = 'files/upload_session/append_v2';
		const session = this.lookup(endpoint, arg?.cursor, error => [String(error['.tag']), error]);
		checkContentHash(endpoint, arg, body, 'content_hash_mismatch');
		session.chunks.push(body);
		session.offset += body.length;
		if (arg.close === true) session.closed = true;
		return null;
	}

	private sessionFinish(arg: Arg, body: Buffer): unknown {
		const endpoint = 'files/upload_session/finish';
		const cursor = arg?.cursor;
		// A closed session takes no more appends, but may still be finished.
		const open = this.lookup(endpoint, cursor, error => [`lookup_failed/${error['.tag']}`, {'.tag': 'lookup_failed', lookup_failed: error}], true);
		checkContentHash(endpoint, arg, body, 'content_hash_mismatch');
		if (typeof arg.commit !== 'object' || arg.commit === null) throw badRequest(endpoint, 'request body: commit: missing');
		const content = Buffer.concat([...open.chunks, body]);
		const file = this.commit(endpoint, arg.commit, content, error => ({'.tag': 'path', path: error}));
		this.sessions.delete(cursor.session_id);
		return metadata(file, false);
	}

	private download(arg: Arg): DownloadReply {
		const path = checkPath('files/download', arg?.path, 'path', {root: false});
		const node = this.store.get(path);
		if (!node) throw endpointError('path/not_found', {'.tag': 'path', path: {'.tag': 'not_found'}});
		if (node.kind !== 'file') throw endpointError('path/not_file', {'.tag': 'path', path: {'.tag': 'not_file'}});
		return {download: {content: node.content, metadata: metadata(node, false)}};
	}
}

function checkContentHash(endpoint: string, arg: Arg, body: Buffer, summary: string): void {
	if (body.length > maxRequestBytes) throw endpointError('payload_too_large', {'.tag': 'payload_too_large'});
	const expected = arg?.content_hash;
	if (expected === undefined) return;
	if (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) {
		throw badRequest(endpoint, `request body: content_hash: '${expected}' must be 64 lower-case hex characters`);
	}
	if (dropboxContentHash(body) !== expected) throw endpointError(summary, {'.tag': summary});
}

/**
 * Checks a path argument the way Dropbox does: pattern problems are 400s,
 * a malformed path (trailing or doubled slashes, dot segments) a 409.
 */
export function checkPath(endpoint: string, path: unknown, prefix: string, options: {root: boolean; rootMessage?: string}): string {
	const pattern = '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)';
	if (typeof path !== 'string') throw badRequest(endpoint, 'request body: path: expected a string');
	if (path === '') {
		if (options.root) return '';
		throw badRequest(endpoint, options.rootMessage ?? `request body: path: '' did not match pattern '${pattern}'`);
	}
	if (path.startsWith('id:') || path.startsWith('ns:')) throw badRequest(endpoint, 'request body: path: ids and namespaces are not supported by this test server');
	if (!path.startsWith('/')) throw badRequest(endpoint, `request body: path: '${path}' did not match pattern '${pattern}'`);
	if (path === '/') throw badRequest(endpoint, 'request body: path: Specify the root folder as an empty string rather than as "/".');
	const segments = path.slice(1).split('/');
	if (segments.some(segment => segment === '' || segment === '.' || segment === '..')) {
		throw endpointError(`${prefix}/malformed_path`, {'.tag': prefix, [prefix]: {'.tag': 'malformed_path'}});
	}
	return path;
}
