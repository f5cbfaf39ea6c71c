import {CloudSyncError, userMessage} from '../core/errors.js';
import type {Store} from '../store/store.js';

export type Io = {
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WritableStream;
	stdin: NodeJS.ReadableStream & {isTTY?: boolean};
	env: NodeJS.ProcessEnv;
};

export const processIo: Io = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env};

/** Thrown by command code for a usage problem; the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export function printJson(io: Io, value: unknown): void {
	io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(io: Io, text = ''): void {
	io.stdout.write(text + '\n');
}

/** The exit code of a command that failed with `error`: 2 for a usage mistake, 1 otherwise. */
export function failureCode(error: unknown): number {
	return error instanceof UsageError || (error instanceof CloudSyncError && error.kind === 'usage') ? 2 : 1;
}

/** One line on stderr, prefixed with the program name. */
export function printError(io: Io, error: unknown): void {
	io.stderr.write(`cloudsync: ${oneLine(userMessage(error))}\n`);
}

const longestMessage = 500;

/**
 * A message as one printable line of reasonable length: values the user typed
 * (names with newlines or escape sequences, 5,000-character schedules) are
 * echoed in errors, and must neither break the one-line rule nor drive the terminal.
 */
export function oneLine(text: string): string {
	// eslint-disable-next-line no-control-regex
	const flat = text.replace(/\s*\n\s*/g, ' ').replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
	return flat.length <= longestMessage ? flat : `${flat.slice(0, longestMessage - 40)} … ${flat.slice(-39)}`;
}

/** Left-aligned columns, widths from the content. */
export function table(rows: string[][]): string {
	if (rows.length === 0) return '';
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => (row[column] ?? '').length)));
	return rows
		.map(row => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd())
		.join('\n');
}

export async function readStdinLine(io: Io): Promise<string> {
	let data = '';
	for await (const chunk of io.stdin) {
		data += String(chunk);
		if (data.includes('\n')) break;
	}
	return data.split('\n')[0]!.replace(/\r$/, '');
}

/** The store in $CLOUDSYNC_HOME, else the default data directory (the store's code loads here, on first use). */
export async function openStore(env: NodeJS.ProcessEnv): Promise<Store> {
	const {Store} = await import('../store/store.js');
	return Store.open(env.CLOUDSYNC_HOME || undefined);
}
