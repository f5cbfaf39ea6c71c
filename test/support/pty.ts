/**
 * A pseudo-terminal driver on tmux: starts a command in a detached tmux
 * session of a given size (on a private server socket, with no user config),
 * types keys, and reads the screen back as text or with colours (ANSI).
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export type PtyOptions = {
	command: string[];
	env?: Record<string, string | undefined>;
	cwd?: string;
	columns?: number;
	rows?: number;
};

let sessions = 0;

function shellQuote(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export class TmuxPty {
	private constructor(
		readonly socket: string,
		readonly name: string,
		private readonly dir: string,
	) {}

	static async start(options: PtyOptions): Promise<TmuxPty> {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-pty-'));
		const socket = path.join(dir, 'tmux.sock');
		const name = `t${process.pid}-${++sessions}`;
		// The app must not think it runs in CI (Ink then prints only the last frame).
		const env: Record<string, string | undefined> = {TERM: 'xterm-256color', CI: undefined, CONTINUOUS_INTEGRATION: undefined, GITHUB_ACTIONS: undefined, ...options.env};
		const unset = Object.entries(env)
			.filter(([, value]) => value === undefined)
			.map(([key]) => `-u ${key}`);
		const set = Object.entries(env)
			.filter(([, value]) => value !== undefined)
			.map(([key, value]) => shellQuote(`${key}=${value}`));
		// A shell waits for the program and writes its exit status down: tmux sometimes
		// leaves the finished program a zombie for many seconds and knows no status.
		const statusFile = path.join(dir, 'exit-status');
		const line = [...['env', ...unset, ...set, ...options.command.map(shellQuote)], ';', 'echo', '$?', '>', shellQuote(statusFile)].join(' ');
		const pty = new TmuxPty(socket, name, dir);
		await pty.tmux('-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24), '-c', options.cwd ?? process.cwd(), line);
		await pty.tmux('set-option', '-t', name, 'remain-on-exit', 'on');
		await pty.tmux('set-option', '-t', name, 'status', 'off');
		return pty;
	}

	async tmux(...args: string[]): Promise<string> {
		const {stdout} = await run('tmux', ['-S', this.socket, ...args], {encoding: 'utf8'});
		return stdout;
	}

	/** tmux key names: Enter, Escape, Tab, BTab, Up, Down, Left, Right, Space, BSpace, C-l, NPage, PPage, or a single character. */
	async keys(...keys: string[]): Promise<void> {
		for (const key of keys) {
			await this.tmux('send-keys', '-t', this.name, key);
			// Separate presses, so Escape followed by a letter is not read as Alt+letter.
			await delay(30);
		}
	}

	/** Starts copying everything the program writes to the terminal; read it with `recorded()`. */
	async record(): Promise<void> {
		await this.tmux('pipe-pane', '-t', this.name, `cat > ${shellQuote(path.join(this.dir, 'output.raw'))}`);
	}

	recorded(): string {
		const file = path.join(this.dir, 'output.raw');
		return fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
	}

	/** Types text literally. */
	async type(text: string): Promise<void> {
		await this.tmux('send-keys', '-t', this.name, '-l', text);
		await delay(30);
	}

	/** The screen as plain text, one line per row. */
	async screen(): Promise<string> {
		return this.tmux('capture-pane', '-p', '-t', this.name);
	}

	/** The screen with SGR colour escapes (for screenshots). */
	async screenAnsi(): Promise<string> {
		return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
	}

	/** Waits until the screen matches; throws with the screen when it does not in time. */
	async waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
		const test = typeof match === 'function' ? match : typeof match === 'string' ? (s: string) => s.includes(match) : (s: string) => match.test(s);
		const deadline = Date.now() + timeoutMs;
		let screen = '';
		for (;;) {
			screen = await this.screen();
			if (test(screen)) return screen;
			if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(match)}; the screen was:\n${screen}`);
			await delay(40);
		}
	}

	/**
	 * Presses `key` until the focus marker (›) is on `label`. After each press it
	 * waits for the focus to move, so no press is queued behind a slow frame.
	 */
	async focus(label: string, key = 'Tab', limit = 40): Promise<void> {
		for (let i = 0; i < limit; i++) {
			const before = focusedTexts(await this.screen());
			if (before.some(text => text.startsWith(label))) return;
			await this.keys(key);
			await this.waitFor(screen => focusedTexts(screen).join('\n') !== before.join('\n'), 20_000);
		}
		throw new Error(`could not focus "${label}"; the screen was:\n${await this.screen()}`);
	}

	/** Types text and waits until it shows (for fields that show what is typed). */
	async typeVisible(text: string): Promise<void> {
		await this.type(text);
		await this.waitFor(text);
	}

	async resize(columns: number, rows: number): Promise<void> {
		await this.tmux('resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows));
	}

	/** The exit status once the program has ended (128 + n when signal n ended it), else undefined. */
	async exitStatus(): Promise<number | undefined> {
		const file = path.join(this.dir, 'exit-status');
		const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		return text.endsWith('\n') ? Number(text.trim()) : undefined;
	}

	async waitForExit(timeoutMs = 20_000): Promise<number> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const status = await this.exitStatus();
			if (status !== undefined) return status;
			if (Date.now() > deadline) {
				throw new Error(`the program did not exit within ${timeoutMs} ms; the screen was:\n${await this.screen()}`);
			}
			await delay(50);
		}
	}

	/** The program's pid (the pane runs a shell that waits for it). */
	async pid(): Promise<number> {
		const shell = (await this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}')).trim();
		const {stdout} = await run('ps', ['-o', 'pid=', '--ppid', shell], {encoding: 'utf8'});
		return Number(stdout.trim().split(/\s+/)[0]);
	}

	/**
	 * Ends the session and waits until the program has exited: it still writes to
	 * its data directory on the way out (the code cache), which a test's cleanup
	 * right after would race with.
	 */
	async close(): Promise<void> {
		const pane = Number((await this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}').catch(() => '')).trim());
		const processes = pane > 0 ? [pane, ...descendants(pane)] : [];
		await this.tmux('kill-server').catch(() => undefined);
		const deadline = Date.now() + 10_000;
		while (processes.some(isAlive) && Date.now() < deadline) await delay(50);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

/** What follows each focus marker (›): the focused field, button, action or row. */
export function focusedTexts(screen: string): string[] {
	return screen
		.split('\n')
		.filter(line => /(^|\s)›/.test(line))
		.map(line => line.slice(line.indexOf('›') + 1).trim());
}

/** The processes below `pid` (children, their children, ...), from /proc. */
function descendants(pid: number): number[] {
	const parents = new Map<number, number[]>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// The command name (in parentheses) may hold spaces: the fields after it are fixed.
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
		} catch {
			// The process ended while we looked.
		}
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length > 0) for (const child of parents.get(queue.shift()!) ?? []) found.push(child), queue.push(child);
	return found;
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
	} catch {
		return false;
	}
}

export function delay(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/** The command that starts the built app, or the test entry on the sources before the CLI is wired. */
export function appCommand(): string[] {
	const root = path.resolve(import.meta.dirname, '../..');
	const cli = path.join(root, 'dist/app/cli.js');
	if (process.env['CLOUDSYNC_TUI_ENTRY'] !== 'source' && fs.existsSync(cli)) return [process.execPath, cli];
	return [process.execPath, '--import', 'tsx', path.join(root, 'test/support/tui-entry.ts')];
}
