/** Mounts the whole app with ink-testing-library on a real store, and drives it by keys. */
import {render} from 'ink-testing-library';
import {KeyRouter} from '../../source/ui/router.js';
import type {Services} from '../../source/ui/services.js';
import {Shell} from '../../source/ui/shell.js';

export const keys = {enter: '\r', escape: '\u001B', tab: '\t', shiftTab: '\u001B[Z', up: '\u001B[A', down: '\u001B[B', left: '\u001B[D', right: '\u001B[C', backspace: '\u007F', ctrlL: '\u000C', ctrlC: '\u0003', f1: '\u001BOP', home: '\u001B[H', end: '\u001B[F'};

export function delay(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

export function mountApp(services: Services) {
	const quits: number[] = [];
	// Like the app's KeyPacer: each key waits until the previous one is drawn and its effects ran.
	let waiting: (() => void)[] = [];
	const pacer = {
		keyDone() {
			const done = waiting;
			waiting = [];
			for (const resolve of done) resolve();
		},
	};
	const send = async (key: string) => {
		const done = new Promise<void>(resolve => waiting.push(resolve));
		app.stdin.write(key);
		await Promise.race([done, delay(1000)]);
		await delay(1);
	};
	const app = render(
		<KeyRouter pacer={pacer}>
			<Shell services={services} onQuit={code => quits.push(code)} />
		</KeyRouter>,
	);
	const frame = () => app.lastFrame() ?? '';
	return {
		app,
		quits,
		frame,
		/** Presses keys one at a time, giving React a moment after each. */
		async press(...sequence: string[]) {
			for (const key of sequence) await send(key);
		},
		async type(text: string) {
			for (const char of text) await send(char);
		},
		async waitFor(match: string | RegExp | ((frame: string) => boolean), timeoutMs = 20_000): Promise<string> {
			const test = typeof match === 'function' ? match : typeof match === 'string' ? (f: string) => f.includes(match) : (f: string) => match.test(f);
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const current = frame();
				if (test(current)) return current;
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; the frame was:\n${current}`);
				await delay(10);
			}
		},
		/** Presses Tab until the focus marker (›) is on `label`. */
		async focus(label: string, key = keys.tab, limit = 60) {
			for (let i = 0; i < limit; i++) {
				if (focusedLine(frame()).startsWith(label)) return;
				await this.press(key);
			}
			throw new Error(`could not focus "${label}"; the frame was:\n${frame()}`);
		},
	};
}

/** What follows the focus marker (›): the focused field, button or row. */
export function focusedLine(frame: string): string {
	const line = frame.split('\n').find(l => /(^|\s)›/.test(l)) ?? '';
	return line.slice(line.indexOf('›') + 1).trim();
}
