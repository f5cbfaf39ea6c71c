#!/usr/bin/env node
import fs from 'node:fs';
import {userMessage} from './core/errors.js';
import {processIo} from './cli/io.js';
import {runCli} from './cli/program.js';
import {Store} from './store/store.js';

function packageVersion(): string {
	const text = fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8');
	return (JSON.parse(text) as {version: string}).version;
}

async function main(argv: string[]): Promise<number> {
	if (argv.length === 0) {
		let store: Store;
		try {
			store = await Store.open(process.env.CLOUDSYNC_HOME || undefined);
		} catch (error) {
			process.stderr.write(`cloudsync: ${userMessage(error)}\n`);
			return 1;
		}
		const {runTui} = await import('./ui/app.js');
		return runTui({store});
	}
	return runCli(argv, processIo, packageVersion());
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Idle keep-alive sockets (S3, Dropbox) must not hold a finished command open.
setTimeout(() => process.exit(code), 100).unref();
