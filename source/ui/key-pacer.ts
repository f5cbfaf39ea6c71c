/**
 * Hands keys to Ink one at a time, each on its own turn of the event loop.
 *
 * Over SSH several keys often arrive in one read ("abc<Tab>def"). Ink emits
 * them back to back, before React has run the effects of the first one (in
 * legacy mode passive effects wait for the next turn), so a text field that
 * just lost the focus would still receive "def". Pacing the keys lets every
 * key see the screen the previous key produced. A paste becomes a quick run
 * of single keys.
 */
import {Readable} from 'node:stream';

/** Splits terminal input into keys: escape sequences stay whole, text splits per character. */
export function splitKeys(text: string): string[] {
	const keys: string[] = [];
	let i = 0;
	while (i < text.length) {
		const ch = text[i]!;
		if (ch === '\u001B') {
			const next = text[i + 1];
			if (next === '[') {
				// CSI: parameters, then one final byte in @-~.
				let end = i + 2;
				while (end < text.length && !/[@-~]/.test(text[end]!)) end++;
				keys.push(text.slice(i, end + 1));
				i = end + 1;
				continue;
			}
			if (next === 'O' && i + 2 < text.length) {
				keys.push(text.slice(i, i + 3));
				i += 3;
				continue;
			}
			if (next !== undefined && next !== '\u001B') {
				// Alt+key.
				const code = text.codePointAt(i + 1)!;
				const width = code > 0xffff ? 2 : 1;
				keys.push(text.slice(i, i + 1 + width));
				i += 1 + width;
				continue;
			}
			keys.push(ch);
			i++;
			continue;
		}
		const code = text.codePointAt(i)!;
		const width = code > 0xffff ? 2 : 1;
		keys.push(text.slice(i, i + width));
		i += width;
	}
	return keys;
}

type TtyInput = NodeJS.ReadStream & {setRawMode?: (mode: boolean) => unknown};

/** If the screen never says it has caught up (nothing rendered), the next key goes anyway. */
const maxWaitMs = 1000;

/**
 * A stdin for Ink that forwards the real terminal's keys one at a time: the
 * next key waits until the app reports (`keyDone`, from an effect that runs
 * after React has committed the previous key and run its effects).
 */
export class KeyPacer {
	readonly input: NodeJS.ReadStream;
	readonly #real: TtyInput;
	readonly #queue: string[] = [];
	#waiting = false;
	#timer: NodeJS.Timeout | undefined;
	#listening = false;

	constructor(real: TtyInput) {
		this.#real = real;
		const paced = new Readable({
			encoding: 'utf8',
			read: () => {
				if (!this.#listening) {
					this.#listening = true;
					real.on('data', this.#onData);
				}
			},
			destroy: (error, callback) => {
				clearTimeout(this.#timer);
				real.off('data', this.#onData);
				callback(error);
			},
		}) as Readable & Record<string, unknown>;
		Object.assign(paced, {
			isTTY: real.isTTY,
			setRawMode(mode: boolean) {
				real.setRawMode?.(mode);
				if (mode) real.resume();
				else real.pause();
				return paced;
			},
			ref() {
				real.ref();
				return paced;
			},
			unref() {
				real.unref();
				return paced;
			},
		});
		this.input = paced as unknown as NodeJS.ReadStream;
	}

	/** The app has drawn the last key and run its effects: the next key may go. */
	keyDone(): void {
		if (!this.#waiting) return;
		this.#waiting = false;
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (this.#queue.length > 0) setImmediate(() => this.#pump());
	}

	readonly #onData = (chunk: Buffer | string) => {
		this.#queue.push(...splitKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
		if (!this.#waiting) this.#pump();
	};

	#pump(): void {
		if (this.#waiting) return;
		const key = this.#queue.shift();
		if (key === undefined) return;
		this.#waiting = true;
		this.#timer = setTimeout(() => {
			this.#waiting = false;
			this.#pump();
		}, maxWaitMs);
		(this.input as unknown as Readable).push(key);
	}
}
