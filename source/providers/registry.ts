/**
 * The providers cloudsync knows: their credential fields (read by the CLI and
 * the TUI forms), and opening a Remote or a location browser for a credential.
 */
import path from 'node:path';
import {CloudSyncError} from '../core/errors.js';
import {selectText, type Attributes, type FieldSpec, type ProviderDescription, type ProviderId} from '../core/fields.js';
import type {Credential} from '../core/model.js';
import {joinPath, unsafeNameReason} from '../core/paths.js';
import {registerSecretFields} from '../store/secret-fields.js';
import {dropboxDescription, validateDropboxAttributes} from './dropbox-config.js';
import {LocalRemote} from './local.js';
import type {LocationBrowser, Remote} from './remote.js';
import {s3Description, validateS3Attributes} from './s3-config.js';

// The S3 and Dropbox remotes (and their SDKs, most of a command's start-up)
// are imported when a credential of theirs is opened, never for a local task.

export const localDescription: ProviderDescription = {
	id: 'local',
	label: 'Local folder',
	fields: [
		{
			name: 'root',
			label: 'Base folder',
			help: 'An absolute folder on this server (or a mounted disk) that acts as the storage; task folders are inside it.',
			type: 'string',
			required: true,
		},
	],
};

export const providers: Record<ProviderId, ProviderDescription> = {
	local: localDescription,
	s3: s3Description,
	// Dropbox: source/providers/dropbox.ts (written by the Dropbox provider's author).
	dropbox: dropboxDescription,
};

export type OpenRemoteOptions = {
	/** S3: the file that keeps this task's mtime index between runs. */
	mtimeIndexFile?: string;
	/** Local: follow symbolic links while listing. */
	followSymlinks?: boolean;
	/** Dropbox: called with renewed token attributes, to save them in the credential. */
	onAttributesUpdated?: (attributes: Attributes) => Promise<void> | void;
};

export type RemoteLocation = {bucket?: string; folder?: string};

function text(attributes: Attributes, name: string): string {
	const value = attributes[name];
	return value === undefined ? '' : String(value).trim();
}

function localBase(credential: Credential): string {
	const base = text(credential.attributes, 'root');
	if (!base) throw new CloudSyncError('usage', `credential "${credential.name}" has no base folder: set its root field`);
	if (!path.isAbsolute(base)) throw new CloudSyncError('usage', `the base folder "${base}" must be an absolute path (starting with /)`);
	return base;
}

function checkedFolder(folder: string | undefined): string {
	const cleaned = joinPath(folder ?? '');
	if (cleaned === '') return '';
	const reason = unsafeNameReason(cleaned);
	if (reason) throw new CloudSyncError('unsafe_path', `the folder "${folder}" cannot be used: ${reason}`);
	return cleaned;
}

/** A Remote for a task's location. Call `close()` on it when done (flushes the S3 mtime index). */
export async function openRemote(credential: Credential, location: RemoteLocation = {}, options: OpenRemoteOptions = {}): Promise<Remote> {
	assertUsable(credential);
	switch (credential.provider) {
		case 'local': {
			const folder = checkedFolder(location.folder);
			return new LocalRemote(folder ? path.join(localBase(credential), ...folder.split('/')) : localBase(credential), {followSymlinks: options.followSymlinks});
		}
		case 's3': {
			const [{S3Remote}, {FileMtimeIndex}] = await Promise.all([import('./s3.js'), import('./s3-mtime-index.js')]);
			const mtimeIndex = options.mtimeIndexFile ? await FileMtimeIndex.open(options.mtimeIndexFile) : undefined;
			return new S3Remote(credential.attributes, {bucket: location.bucket, folder: checkedFolder(location.folder)}, {mtimeIndex});
		}
		case 'dropbox': {
			const {DropboxRemote} = await import('./dropbox.js');
			return new DropboxRemote(credential.attributes, {folder: checkedFolder(location.folder)}, {
				onTokenRefreshed: options.onAttributesUpdated ? tokens => options.onAttributesUpdated!({...tokens}) : undefined,
			});
		}
	}
}

/** Lists buckets (S3) and folders, for the task form. */
export function openBrowser(credential: Credential): LocationBrowser {
	assertUsable(credential);
	switch (credential.provider) {
		case 'local':
			return new LocalRemote(localBase(credential));
		case 's3':
			return lazyBrowser(async () => new (await import('./s3.js')).S3Remote(credential.attributes, {}), true);
		case 'dropbox':
			return lazyBrowser(async () => new (await import('./dropbox.js')).DropboxRemote(credential.attributes, {}), false);
	}
}

/** A browser whose remote (and SDK) is loaded on its first call. */
function lazyBrowser(open: () => Promise<LocationBrowser>, withBuckets: boolean): LocationBrowser {
	let opened: Promise<LocationBrowser> | undefined;
	const remote = () => (opened ??= open());
	const browser: LocationBrowser = {
		listFolders: async (bucket, dir) => (await remote()).listFolders(bucket, dir),
	};
	if (withBuckets) browser.listBuckets = async () => (await remote()).listBuckets!();
	return browser;
}

/** Checks the credential (and the location, when given) against the real service; throws one clear sentence. */
export async function verifyCredential(credential: Credential, location?: RemoteLocation): Promise<void> {
	const problems = validateAttributes(credential.provider, credential.attributes);
	if (problems.length > 0) throw new CloudSyncError('usage', problems[0]!);
	const remote = await openRemote(credential, location ?? {});
	try {
		await remote.verify();
	} finally {
		await remote.close?.();
	}
}

/** One sentence per problem (missing required fields, wrong types, provider rules); empty when usable. */
export function validateAttributes(provider: ProviderId, attributes: Attributes): string[] {
	const description = providers[provider];
	if (!description) return [`unknown provider "${String(provider)}"`];
	const problems: string[] = [];
	for (const field of description.fields) {
		const problem = fieldProblem(field, attributes[field.name]);
		if (problem) problems.push(problem);
	}
	if (problems.length > 0) return problems;
	switch (provider) {
		case 'local': {
			const base = text(attributes, 'root');
			if (!path.isAbsolute(base)) problems.push(`the base folder "${base}" must be an absolute path (starting with /)`);
			break;
		}
		case 's3':
			problems.push(...validateS3Attributes(attributes));
			break;
		case 'dropbox':
			problems.push(...validateDropboxAttributes(attributes));
			break;
	}
	return problems;
}

function fieldProblem(field: FieldSpec, value: Attributes[string] | undefined): string | undefined {
	const empty = value === undefined || value === '';
	if (empty) return field.required ? `${field.label} (${field.name}) is required` : undefined;
	switch (field.type) {
		case 'number':
			if (typeof value !== 'number' && (typeof value !== 'string' || !Number.isFinite(Number(value)))) return `${field.name} needs a number, not "${String(value)}"`;
			return undefined;
		case 'boolean':
			if (typeof value !== 'boolean' && !['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'].includes(String(value).toLowerCase())) {
				return `${field.name} is yes or no, not "${String(value)}"`;
			}
			return undefined;
		case 'select':
			if (field.options && !field.options.includes(selectText(value))) return `${field.name} is one of ${field.options.filter(Boolean).join(', ')}, not "${String(value)}"`;
			return undefined;
		default:
			if (typeof value !== 'string') return `${field.name} needs text, not ${typeof value}`;
			return undefined;
	}
}

export function secretFieldNames(provider: ProviderId): string[] {
	return (providers[provider]?.fields ?? []).filter(f => f.secret).map(f => f.name);
}

registerSecretFields(provider => secretFieldNames(provider as ProviderId));

function assertUsable(credential: Credential): void {
	if (credential.secretsUnusable) {
		throw new CloudSyncError('auth', `credential "${credential.name}" was imported without the secret seed: enter its secrets again with \`cloudsync credential edit ${credential.name} --field ...\``);
	}
}
