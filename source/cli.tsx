#!/usr/bin/env node
import fs from 'node:fs';
import {taskRunArgv} from './cli/task-run-argv.js';
import {userMessage} from './core/errors.js';
import type {Store} from './store/store.js';

/** Our package.json is above the running file: one level from dist/, two from the bundle in dist/app/. */
function packageVersion(): string {
	for (const relative of ['../package.json', '../../package.json']) {
		try {
			const manifest = JSON.parse(fs.readFileSync(new URL(relative, import.meta.url), 'utf8')) as {name?: string; version?: string};
			if (manifest.name === 'cloudsync' && manifest.version) return manifest.version;
		} catch {
			// not this one
		}
	}
	return 'unknown';
}

/** Set for a command after which nothing is left to do once its output is out. */
let exitAtOnce = false;

async function main(argv: string[]): Promise<number> {
	if (argv.length === 0) {
		let store: Store;
		try {
			const {openStore} = await import('./cli/io.js');
			store = await openStore(process.env);
		} catch (error) {
			process.stderr.write(`cloudsync: ${userMessage(error)}\n`);
			return 1;
		}
		const {runTui} = await import('./ui/app.js');
		return runTui({store});
	}
	// Commands and the full-screen app load only what they use: starting is most of a short command's time.
	const taskRun = taskRunArgv(argv);
	if (taskRun) {
		const [{taskRunEntry}, {processIo}] = await Promise.all([import('./cli/task-run.js'), import('./cli/io.js')]);
		// The run writes its record, log and lock synchronously and closes its remotes before it returns.
		exitAtOnce = true;
		return taskRunEntry(taskRun, processIo);
	}
	const [{runCli}, {processIo}] = await Promise.all([import('./cli/program.js'), import('./cli/io.js')]);
	return runCli(argv, processIo, packageVersion());
}

/** Resolves once everything written to `stream` so far has reached the pipe or file (a reader may be slow). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
	return new Promise(resolve => {
		if (stream.destroyed || !stream.writable) resolve();
		else stream.write('', () => resolve());
	});
}

async function finish(code: number): Promise<void> {
	process.exitCode = code;
	await Promise.all([drained(process.stdout), drained(process.stderr)]);
	// An exit at once skips freeing the heap, which after a large sync takes tens of milliseconds.
	if (exitAtOnce) process.exit(code);
	// Idle keep-alive sockets (S3, Dropbox) must not hold a finished command open.
	setTimeout(() => process.exit(code), 100).unref();
}

// No top-level await: the bundle is CommonJS (see source/build/bundle.ts).
void main(process.argv.slice(2)).then(finish);
