/**
 * Reads a run record's JSON as runFileSchema (run-file-schema.ts) would,
 * without zod: every command that reads the history (a `task run` reads a
 * few records before it starts) would otherwise load zod and build its
 * schemas, about 50 ms. A test compares both on many shapes of input.
 */
import {runStates, runTriggers} from '../core/model-values.js';
import type {RunFile} from './run-file-schema.js';

type Check = (value: unknown) => boolean;

const isString: Check = value => typeof value === 'string';
const isNumber: Check = value => typeof value === 'number' && Number.isFinite(value);
const isInteger: Check = value => Number.isSafeInteger(value);
const isBoolean: Check = value => typeof value === 'boolean';
const oneOf =
	(values: readonly string[]): Check =>
	value =>
		typeof value === 'string' && values.includes(value);

type Field = {check: Check; fallback?: unknown};

/** In the schema's order; a field with a fallback gets it when missing, one without is optional unless required. */
const fields: Record<string, Field & {required?: true}> = {
	id: {check: isString, required: true},
	taskId: {check: isInteger, required: true},
	state: {check: oneOf(runStates), required: true},
	dryRun: {check: isBoolean, fallback: false},
	trigger: {check: oneOf(runTriggers), fallback: 'manual'},
	startedAt: {check: isString, required: true},
	endedAt: {check: isString},
	pid: {check: isInteger},
	filesTransferred: {check: isInteger, fallback: 0},
	bytesTransferred: {check: isNumber, fallback: 0},
	filesDeleted: {check: isInteger, fallback: 0},
	filesChecked: {check: isInteger, fallback: 0},
	errors: {check: isInteger, fallback: 0},
	error: {check: isString},
	pidStartTicks: {check: isNumber},
	description: {check: isString},
	unsaved: {check: isBoolean},
	filesUpdated: {check: isInteger},
	filesSkipped: {check: isInteger},
	errorList: {check: isErrorList},
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorList(value: unknown): boolean {
	return Array.isArray(value) && value.every(item => isPlainObject(item) && isString(item.path) && isString(item.message));
}

/** The record, or undefined when `value` is not one. Unknown keys are left out, as zod does. */
export function parseRunFile(value: unknown): RunFile | undefined {
	if (!isPlainObject(value)) return undefined;
	const record: Record<string, unknown> = {};
	for (const [key, field] of Object.entries(fields)) {
		const given = value[key];
		if (given === undefined) {
			if (field.required) return undefined;
			if ('fallback' in field) record[key] = field.fallback;
			continue;
		}
		if (!field.check(given)) return undefined;
		record[key] = key === 'errorList' ? (given as Array<{path: string; message: string}>).map(({path, message}) => ({path, message})) : given;
	}
	return record as RunFile;
}
