/** The shell in a real pseudo-terminal: no-TTY message, resize, NO_COLOR, redraw, signals, quitting with a run. */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {listRuns} from '../../source/jobs/history.js';
import {Store} from '../../source/store/store.js';
import {tempDir, tempHome} from '../support/home.js';
import {appCommand, delay, TmuxPty} from '../support/pty.js';

let home: {dir: string; cleanup: () => Promise<void>};
let data: string;

beforeAll(async () => {
	home = await tempHome();
	data = await tempDir();
	const source = path.join(data, 'source');
	fs.mkdirSync(source, {recursive: true});
	fs.mkdirSync(path.join(data, 'backup'));
	for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(source, `big-${i}.bin`), Buffer.alloc(512 * 1024, i));
	const store = await Store.open(home.dir);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: path.join(data, 'backup')}});
	// Slow on purpose (256 KiB/s for 4 MiB): still running while the test quits.
	await store.addTask({description: 'Slow backup', credential: 'disk', direction: 'PUSH', transferMode: 'SYNC', path: source, folder: 'slow', schedule: {preset: 'daily', minute: '0', hour: '3', dom: '*', month: '*', dow: '*'}, enabled: true, bwlimit: '256k'});
});

afterAll(async () => {
	await home.cleanup();
	fs.rmSync(data, {recursive: true, force: true});
});

async function withPty<T>(options: {columns?: number; rows?: number; env?: Record<string, string | undefined>}, body: (pty: TmuxPty) => Promise<T>): Promise<T> {
	const pty = await TmuxPty.start({command: appCommand(), env: {CLOUDSYNC_HOME: home.dir, ...options.env}, columns: options.columns ?? 80, rows: options.rows ?? 24});
	try {
		// The first frame can take long on a loaded machine; later waits are shorter.
		await pty.waitFor('? help', 60_000);
		return await body(pty);
	} finally {
		await pty.close();
	}
}

const lines = (screen: string) => screen.replace(/\n$/, '').split('\n');

describe('TUI shell in a pseudo-terminal', () => {
	it('without a terminal on stdin, says so and points to the CLI (exit 2)', async () => {
		const [command, ...args] = appCommand();
		const child = spawn(command!, args, {env: {...process.env, CLOUDSYNC_HOME: home.dir}, stdio: ['pipe', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', chunk => (stderr += chunk));
		child.stdin.end();
		const code = await new Promise<number | null>(resolve => child.on('close', resolve));
		expect(code).toBe(2);
		expect(stderr).toContain('needs an interactive terminal');
		expect(stderr).toContain('cloudsync task list');
		expect(stderr).not.toMatch(/\n\s+at /);
	});

	it('fills 80x24 exactly and redraws cleanly when resized bigger and smaller', async () => {
		await withPty({}, async pty => {
			const first = await pty.waitFor('? help');
			expect(lines(first)).toHaveLength(24);
			expect(lines(first)[0]).toContain('cloudsync │ Tasks');
			expect(lines(first)[23]).toContain('? help');
			await pty.resize(110, 32);
			const big = await pty.waitFor(screen => (lines(screen)[31]?.includes('? help') ?? false) && lines(screen)[0]!.includes('cloudsync'));
			expect(lines(big)[0]).toContain('cloudsync │ Tasks');
			expect(lines(big)[2]).toContain('Credential');
			await pty.resize(60, 18);
			const small = await pty.waitFor(screen => (lines(screen)[17]?.includes('? help') ?? false) && lines(screen)[0]!.includes('cloudsync'));
			expect(lines(small)[0]).toContain('cloudsync');
			expect(lines(small).every(line => line.length <= 60)).toBe(true);
			expect(small.match(/cloudsync │/g)).toHaveLength(1);
		});
	});

	it('uses colour, and none at all under NO_COLOR (selection still shown by inverse)', async () => {
		const colourCodes = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38|48)(?:[;m])/;
		const coloured = await withPty({}, async pty => {
			await pty.waitFor('Slow backup');
			return pty.screenAnsi();
		});
		expect(coloured).toMatch(colourCodes);
		const plain = await withPty({env: {NO_COLOR: '1'}}, async pty => {
			await pty.waitFor('Slow backup');
			return pty.screenAnsi();
		});
		expect(plain).not.toMatch(colourCodes);
		expect(plain).toMatch(/\u001B\[[0-9;]*7m/);
	});

	it('Ctrl+L repaints over anything written to the terminal behind its back', async () => {
		await withPty({}, async pty => {
			// Settled first: the scheduler starts just after the first frame and the header then says so (a frame
			// that would paint over the garbage before the test sees it).
			await pty.waitFor(screen => screen.includes('Slow backup') && screen.includes('scheduler: on'));
			await delay(300);
			const tty = (await pty.tmux('display-message', '-p', '-t', pty.name, '#{pane_tty}')).trim();
			fs.writeFileSync(tty, '\u001B[5;1HGARBAGE GARBAGE GARBAGE');
			await pty.waitFor('GARBAGE');
			await pty.keys('C-l');
			const clean = await pty.waitFor(screen => !screen.includes('GARBAGE') && screen.includes('Slow backup'));
			expect(lines(clean)[0]).toContain('cloudsync │ Tasks');
		});
	});

	it('SIGTERM ends it with the terminal restored (main screen, cursor shown)', async () => {
		await withPty({}, async pty => {
			await pty.record();
			await pty.waitFor('Slow backup');
			expect((await pty.tmux('display-message', '-p', '-t', pty.name, '#{alternate_on} #{cursor_flag}')).trim()).toBe('1 0');
			process.kill(await pty.pid(), 'SIGTERM');
			// 143 = 128 + SIGTERM, whether the app exits with it or dies of the signal.
			expect(await pty.waitForExit()).toBe(143);
			expect((await pty.tmux('display-message', '-p', '-t', pty.name, '#{alternate_on}')).trim()).toBe('0');
			// The last things written: leave the alternate screen, then show the cursor; no frame after that.
			const output = pty.recorded();
			const left = output.lastIndexOf('\u001B[?1049l');
			expect(left).toBeGreaterThan(output.lastIndexOf('\u001B[?1049h'));
			expect(output.slice(left)).toMatch(/^\u001B\[\?1049l(\u001B\[\?25h)+$/);
		});
	});

	it('q asks while a run is in progress; Cancel keeps it, the second answer stops the run and quits', async () => {
		await withPty({}, async pty => {
			await pty.waitFor('Slow backup');
			await pty.keys('r');
			await pty.waitFor('1 running');
			await pty.keys('q');
			const question = await pty.waitFor('Quit cloudsync?');
			expect(question).toContain('1 run is in progress');
			await pty.keys('Enter');
			await pty.waitFor(screen => !screen.includes('Quit cloudsync?'));
			expect(await pty.exitStatus()).toBeUndefined();
			await pty.keys('C-c');
			await pty.waitFor('press Ctrl+C again');
			await pty.keys('q', 'Tab', 'Enter');
			expect(await pty.waitForExit(15_000)).toBe(0);
		});
		const [run] = listRuns(home.dir, 1);
		expect(run?.state).toBe('ABORTED');
	});
});
