import {render} from 'ink';
import type {Store} from '../store/store.js';
import {KeyPacer} from './key-pacer.js';
import {KeyRouter} from './router.js';
import type {Services} from './services.js';
import {Shell} from './shell.js';
import {guardTerminal} from './terminal.js';

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
	const services = options.services ?? (await import('./services-live.js')).createServices(options.store);
	const guard = guardTerminal(stdin, stdout, message => stderr.write(`cloudsync: the interface stopped on an unexpected error: ${message}\n`));
	let finish: (code: number) => void = () => undefined;
	const done = new Promise<number>(resolve => {
		finish = resolve;
	});
	const pacer = new KeyPacer(stdin);
	const instance = render(
		<KeyRouter pacer={pacer}>
			<Shell services={services} onQuit={code => finish(code)} />
		</KeyRouter>,
		{stdin: pacer.input, stdout, stderr, exitOnCtrlC: false, patchConsole: true, maxFps: 30},
	);
	guard.onAbort(() => instance.unmount());
	const code = await Promise.race([done, instance.waitUntilExit().then(() => 0)]);
	instance.unmount();
	await services.close().catch(() => undefined);
	guard.restore();
	guard.dispose();
	return code;
}
