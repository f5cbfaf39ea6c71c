/**
 * The zod schemas of the model. Only code that validates imports this (zod
 * and the schemas take ~40 ms to load): the types and value lists are in
 * model.ts and model-values.ts, which load nothing.
 */
import {z} from 'zod';
import {directions, filenameEncodings, providerIds, runStates, runTriggers, schedulePresets, transferModes} from './model-values.js';

const attributeValue = z.union([z.string(), z.number(), z.boolean()]);

export const credentialSchema = z.object({
	name: z
		.string()
		.min(1, 'a credential needs a name')
		.max(64, 'a credential name is at most 64 characters')
		.regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'a credential name uses letters, digits, space, ".", "_" and "-", and starts with a letter or digit'),
	provider: z.enum(providerIds),
	/** Field values; secret fields hold plain text in memory only. */
	attributes: z.record(z.string(), attributeValue),
	/** Set after an import without the secret seed: the secrets must be entered again. */
	secretsUnusable: z.boolean().optional(),
});


export const scheduleSchema = z.object({
	preset: z.enum(schedulePresets),
	minute: z.string(),
	hour: z.string(),
	dom: z.string(),
	month: z.string(),
	dow: z.string(),
});

export const taskSchema = z.object({
	id: z.number().int().positive(),
	description: z.string().min(1, 'a task needs a description').max(200, 'a description is at most 200 characters'),
	credential: z.string().min(1, 'a task needs a credential'),
	direction: z.enum(directions),
	transferMode: z.enum(transferModes),
	/** Absolute local directory. */
	path: z.string().min(1, 'a task needs a local path'),
	bucket: z.string().default(''),
	folder: z.string().default(''),
	schedule: scheduleSchema,
	enabled: z.boolean(),
	preScript: z.string().default(''),
	postScript: z.string().default(''),
	scriptTimeoutSec: z.number().int().positive().default(3600),
	encryption: z.boolean().default(false),
	filenameEncryption: z.boolean().default(true),
	filenameEncoding: z.enum(filenameEncodings).default('base32'),
	directoryNameEncryption: z.boolean().default(true),
	encryptionPassword: z.string().default(''),
	encryptionSalt: z.string().default(''),
	snapshot: z.boolean().default(false),
	exclude: z.array(z.string()).default([]),
	include: z.array(z.string()).default([]),
	transfers: z.number().int().min(1).max(64).default(4),
	bwlimit: z.string().default(''),
	followSymlinks: z.boolean().default(false),
	createEmptySrcDirs: z.boolean().default(false),
	/** Provider attributes for this task (chunk size, storage class, ...). */
	attributes: z.record(z.string(), attributeValue).default({}),
	createdAt: z.string().optional(),
	/** Set after an import without the secret seed: the encryption password must be entered again. */
	secretsUnusable: z.boolean().optional(),
});


/** A task from a form that may not have an id yet (0). */
export const unsavedTaskSchema = taskSchema.extend({id: z.number().int().nonnegative()});

export const runRecordSchema = z.object({
	id: z.string(),
	taskId: z.number().int(),
	state: z.enum(runStates),
	dryRun: z.boolean().default(false),
	trigger: z.enum(runTriggers).default('manual'),
	startedAt: z.string(),
	endedAt: z.string().optional(),
	pid: z.number().int().optional(),
	filesTransferred: z.number().int().default(0),
	bytesTransferred: z.number().default(0),
	filesDeleted: z.number().int().default(0),
	filesChecked: z.number().int().default(0),
	errors: z.number().int().default(0),
	error: z.string().optional(),
});
