/**
 * A tmux control-mode client (`tmux -C`) on a TmuxPty's server. Commands and
 * their replies go over one pipe, and the pane's output is announced as it
 * arrives (%output), so a measurement pays no process start per key press or
 * screen read: with `tmux send-keys` and `tmux capture-pane` run as commands,
 * each is a new tmux process (~10 ms on this machine), which was most of what
 * the key-to-frame figures measured.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import readline from 'node:readline';
import type {TmuxPty} from '../test/support/pty.js';

type Pending = {resolve: (lines: string[]) => void; reject: (error: Error) => void};

function quote(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export class TmuxControl {
	readonly #client: ChildProcessWithoutNullStreams;
	readonly #pending: Pending[] = [];
	#reply: string[] | undefined;
	#outputs = 0;
	#outputWaiters: (() => void)[] = [];

	private constructor(
		client: ChildProcessWithoutNullStreams,
		readonly target: string,
	) {
		this.#client = client;
		readline.createInterface({input: client.stdout}).on('line', line => this.#line(line));
		client.on('exit', () => {
			for (const waiter of this.#pending.splice(0)) waiter.reject(new Error('the tmux control client ended'));
		});
	}

	/** Attaches to the session of `pty` without changing its size. */
	static async attach(pty: TmuxPty): Promise<TmuxControl> {
		const client = spawn('tmux', ['-S', pty.socket, '-C', 'attach-session', '-f', 'ignore-size', '-t', pty.name], {stdio: 'pipe'});
		const control = new TmuxControl(client, pty.name);
		// The attach itself is answered like a command.
		await new Promise<string[]>((resolve, reject) => control.#pending.push({resolve, reject}));
		return control;
	}

	#line(line: string): void {
		if (this.#reply !== undefined) {
			if (line.startsWith('%end ') || line.startsWith('%error ')) {
				const lines = this.#reply;
				this.#reply = undefined;
				const waiter = this.#pending.shift();
				if (line.startsWith('%error ')) waiter?.reject(new Error(`tmux: ${lines.join('\n')}`));
				else waiter?.resolve(lines);
			} else {
				this.#reply.push(line);
			}
			return;
		}
		if (line.startsWith('%begin ')) this.#reply = [];
		else if (line.startsWith('%output ')) {
			this.#outputs++;
			for (const wake of this.#outputWaiters.splice(0)) wake();
		}
	}

	command(...words: string[]): Promise<string[]> {
		return new Promise((resolve, reject) => {
			this.#pending.push({resolve, reject});
			this.#client.stdin.write(`${words.map(quote).join(' ')}\n`);
		});
	}

	/** Presses a key in the pane (tmux key names, as for send-keys). */
	async key(key: string): Promise<void> {
		await this.command('send-keys', '-t', this.target, key);
	}

	/** The screen as plain text, one line per row. */
	async screen(): Promise<string> {
		return (await this.command('capture-pane', '-p', '-t', this.target)).join('\n');
	}

	/** How many times the pane has written so far. */
	get outputs(): number {
		return this.#outputs;
	}

	/** Resolves at the pane's next output after `seen` outputs (at once if it already came). */
	outputAfter(seen: number): Promise<void> {
		if (this.#outputs > seen) return Promise.resolve();
		return new Promise(resolve => this.#outputWaiters.push(resolve));
	}

	close(): void {
		this.#client.stdin.end();
		this.#client.kill();
	}
}
