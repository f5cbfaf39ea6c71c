/**
 * The Dropbox credential's fields (read by the CLI and the TUI forms) and
 * their rules.
 */
import {CloudSyncError} from '../core/errors.js';
import type {Attributes, ProviderDescription} from '../core/fields.js';

const MiB = 1024 * 1024;
export const dropboxDefaultChunkMiB = 16;
/** Dropbox takes at most 150 MiB per request; chunks are whole 4 MiB blocks. */
const maxChunkMiB = 148;

export const dropboxDescription: ProviderDescription = {
	id: 'dropbox',
	label: 'Dropbox',
	oauth: true,
	fields: [
		{
			name: 'client_id',
			label: 'App key',
			help: 'The app key (client_id) of your Dropbox app, needed for Login to Provider and to renew tokens. Create the app at https://www.dropbox.com/developers/apps (scoped access; permissions files.metadata.read/write and files.content.read/write).',
			type: 'string',
			default: '',
		},
		{
			name: 'client_secret',
			label: 'App secret',
			help: 'Only for apps that cannot use PKCE; leave it empty for Login to Provider.',
			type: 'string',
			secret: true,
			default: '',
		},
		{
			name: 'token',
			label: 'Access token',
			help: 'Filled in by Login to Provider and renewed automatically; you may paste a token generated in the app console instead.',
			type: 'string',
			secret: true,
			default: '',
		},
		{
			name: 'refresh_token',
			label: 'Refresh token',
			help: 'Filled in by Login to Provider; lets cloudsync renew the access token without asking.',
			type: 'string',
			secret: true,
			default: '',
		},
		{
			name: 'chunk_size',
			label: 'Chunk size (MiB)',
			help: `Files larger than this upload in chunks of this size; each transfer holds one chunk in memory. A multiple of 4, at most ${maxChunkMiB}.`,
			type: 'number',
			default: dropboxDefaultChunkMiB,
		},
		{
			name: 'api_url',
			label: 'API URL',
			help: 'Base URL that every Dropbox call goes to instead of Dropbox (a proxy, or a test server such as http://127.0.0.1:8080); leave empty.',
			type: 'string',
			hidden: true,
			default: '',
		},
		{
			name: 'token_expiry',
			label: 'Token expiry',
			help: 'When the access token expires (ISO 8601); kept up to date when the token is renewed.',
			type: 'string',
			hidden: true,
			default: '',
		},
	],
};

export function text(attributes: Attributes, name: string): string {
	const value = attributes[name];
	return value === undefined ? '' : String(value).trim();
}

/** Problems with the attributes, one sentence each; empty when they are usable. */
export function validateDropboxAttributes(attributes: Attributes): string[] {
	const problems: string[] = [];
	if (!text(attributes, 'token') && !text(attributes, 'refresh_token')) {
		problems.push('a Dropbox credential needs an access token: use Login to Provider, or paste a token');
	}
	if (text(attributes, 'refresh_token') && !text(attributes, 'client_id')) {
		problems.push('a refresh token needs the app key (client_id) it was issued to');
	}
	try {
		chunkBytes(attributes);
	} catch (error) {
		problems.push((error as Error).message);
	}
	return problems;
}

export function chunkBytes(attributes: Attributes): number {
	const raw = attributes.chunk_size;
	if (raw === undefined || raw === '') return dropboxDefaultChunkMiB * MiB;
	const mib = Number(raw);
	if (!Number.isInteger(mib) || mib < 4 || mib > maxChunkMiB || mib % 4 !== 0) {
		throw new CloudSyncError('usage', `chunk_size must be a multiple of 4 between 4 and ${maxChunkMiB} (MiB), not "${raw}"`);
	}
	return mib * MiB;
}
