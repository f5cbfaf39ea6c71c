import type {Store} from '../store/store.js';
import {withFastGraphemes} from './graphemes.js';
import type {Services} from './services.js';

export type TuiOptions = {
	store: Store;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/** For tests and benchmarks; by default built from `store`. */
	services?: Services;
};

export const notATerminalMessage =
	'cloudsync: the full-screen interface needs an interactive terminal, and this input is not one. Use the command line instead: `cloudsync task list`, `cloudsync task run ID`, `cloudsync --help`.';

/**
 * Runs the full-screen interface until the user quits. Returns the exit code:
 * 0 after a normal quit, 2 when stdin or stdout is not a terminal.
 */
export async function runTui(options: TuiOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	if (!stdin.isTTY || !stdout.isTTY) {
		stderr.write(`${notATerminalMessage}\n`);
		return 2;
	}
	// React's development build checks every element and costs most of a key
	// press; it is chosen when React is first loaded, which happens just below.
	// (The bundle in dist/app has it fixed at build time; this covers running from dist/ or sources.)
	const env = process.env;
	env['NODE_ENV'] ??= 'production';
	// Ink and the libraries it draws with are loaded here, and set themselves up as they load.
	const {startTui} = await withFastGraphemes(() => withoutFetch(() => import('./start.js')));
	return startTui({...options, stdin, stdout, stderr});
}

/**
 * Runs `load` with no global `fetch`. Ink's layout engine (yoga) is WebAssembly
 * embedded in its module; when `fetch` exists it fetches it from a data: URL,
 * and the first call of Node's `fetch` loads its whole HTTP client (undici):
 * about 70 ms of the start. Without `fetch` yoga decodes the same bytes itself.
 * Nothing else runs while the modules load, and `fetch` is put back after.
 */
export async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
	const original = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	if (!original?.configurable) return load();
	Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true, enumerable: original.enumerable});
	try {
		return await load();
	} finally {
		Object.defineProperty(globalThis, 'fetch', original);
	}
}
