/**
 * The file tree behind the local Dropbox API server: case-insensitive like
 * Dropbox (keyed by the lower-cased path, keeping the casing first written),
 * folders created implicitly above uploads, content hashes computed here.
 */
import {createHash, randomBytes} from 'node:crypto';
import {dropboxContentHash} from '../../source/providers/dropbox-hash.js';

export type StoredFile = {
	kind: 'file';
	path: string;
	id: string;
	content: Buffer;
	clientModified: string;
	serverModified: string;
	rev: string;
	contentHash: string;
};
export type StoredFolder = {kind: 'folder'; path: string; id: string};
export type StoredNode = StoredFile | StoredFolder;

/** Thrown by handlers; the server turns it into the HTTP answer. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(typeof body === 'string' ? body : JSON.stringify(body));
	}
}

/** A 409 with Dropbox's error shape: `summary` like "path/not_found". */
export function endpointError(summary: string, error: object): ApiError {
	return new ApiError(409, {error_summary: `${summary}/...`, error});
}

export function badRequest(endpoint: string, message: string): ApiError {
	return new ApiError(400, `Error in call to API function "${endpoint}": ${message}`);
}

export const timestampPattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

export function nowTimestamp(): string {
	return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const lower = (path: string) => path.toLowerCase();

function parentOf(path: string): string {
	return path.slice(0, path.lastIndexOf('/'));
}

export class DropboxStore {
	private readonly nodes = new Map<string, StoredNode>();
	private revision = 0;

	get(path: string): StoredNode | undefined {
		return this.nodes.get(lower(path));
	}

	/** Problem with the folders above `path`: a file among them. */
	parentConflict(path: string): boolean {
		for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent)) {
			if (this.get(parent)?.kind === 'file') return true;
		}
		return false;
	}

	/** Creates the folders above `path` that are missing. */
	private ensureParents(path: string): void {
		const parent = parentOf(path);
		if (parent === '' || this.get(parent)) return;
		this.ensureParents(parent);
		this.nodes.set(lower(parent), {kind: 'folder', path: parent, id: newId()});
	}

	putFile(path: string, content: Buffer, clientModified: string): StoredFile {
		this.ensureParents(path);
		const existing = this.get(path);
		const now = nowTimestamp();
		const file: StoredFile = {
			kind: 'file',
			// An overwrite keeps the name's casing as first stored, as Dropbox does.
			path: existing ? existing.path : path,
			id: existing?.id ?? newId(),
			content,
			clientModified,
			serverModified: now,
			rev: (++this.revision).toString(16).padStart(9, '0') + randomBytes(4).toString('hex'),
			contentHash: dropboxContentHash(content),
		};
		this.nodes.set(lower(path), file);
		return file;
	}

	createFolder(path: string): StoredFolder {
		this.ensureParents(path);
		const folder: StoredFolder = {kind: 'folder', path, id: newId()};
		this.nodes.set(lower(path), folder);
		return folder;
	}

	/** Removes a file, or a folder with everything in it. */
	delete(path: string): void {
		const key = lower(path);
		for (const other of [...this.nodes.keys()]) {
			if (other === key || other.startsWith(`${key}/`)) this.nodes.delete(other);
		}
	}

	/** Direct children (or every descendant) of a folder ('' = root), in no useful order. */
	children(folder: string, recursive: boolean): StoredNode[] {
		const prefix = folder === '' ? '/' : `${lower(folder)}/`;
		const found: StoredNode[] = [];
		for (const [key, node] of this.nodes) {
			if (!key.startsWith(prefix)) continue;
			if (!recursive && key.slice(prefix.length).includes('/')) continue;
			found.push(node);
		}
		// Dropbox promises no order; make sure clients do not rely on one.
		return found.sort((a, b) => scramble(a.path).localeCompare(scramble(b.path)));
	}

	all(): StoredNode[] {
		return [...this.nodes.values()];
	}
}

export function metadata(node: StoredNode, withTag = true): Record<string, unknown> {
	const name = node.path.slice(node.path.lastIndexOf('/') + 1);
	const common = {name, id: node.id, path_lower: lower(node.path), path_display: node.path};
	if (node.kind === 'folder') return withTag ? {'.tag': 'folder', ...common} : common;
	const file = {
		...common,
		client_modified: node.clientModified,
		server_modified: node.serverModified,
		rev: node.rev,
		size: node.content.length,
		is_downloadable: true,
		content_hash: node.contentHash,
	};
	return withTag ? {'.tag': 'file', ...file} : file;
}

function newId(): string {
	return `id:${randomBytes(12).toString('base64url')}`;
}

function scramble(path: string): string {
	return createHash('sha1').update(lower(path)).digest('hex');
}
