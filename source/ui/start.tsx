import {render} from 'ink';
import {KeyPacer} from './key-pacer.js';
import {KeyRouter} from './router.js';
import {Shell} from './shell.js';
import {guardTerminal} from './terminal.js';
import {yogaReady} from './yoga-ready.js';

import type {TuiOptions} from './app.js';

/**
 * Ink draws at most this many frames a second. A key that comes within one
 * frame interval after another frame (a run's progress redraws ten times a
 * second) waits for the interval to end: at 30 that was up to 33 ms of a key's
 * latency. Frames take a few milliseconds, and the app already batches its
 * own redraws (progress and log lines at 100 ms), so a shorter interval costs
 * little.
 */
const maxFps = 100;

/** Draws the app on a terminal until the user quits (the checks are done by runTui). */
export async function startTui(options: TuiOptions & {stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream}): Promise<number> {
	const {stdin, stdout, stderr} = options;
	const services = options.services ?? (await import('./services-live.js')).createServices(options.store);
	// The first frame shows the tasks rather than "loading…" and then the tasks a moment later (two frames' work).
	await Promise.all([services.preloadTasks?.().catch(() => undefined), yogaReady()]);
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
		{stdin: pacer.input, stdout, stderr, exitOnCtrlC: false, patchConsole: true, maxFps},
	);
	guard.onAbort(() => instance.unmount());
	const code = await Promise.race([done, instance.waitUntilExit().then(() => 0)]);
	instance.unmount();
	await services.close().catch(() => undefined);
	guard.restore();
	guard.dispose();
	return code;
}
