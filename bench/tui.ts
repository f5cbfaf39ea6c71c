/**
 * TUI speed, measured in a real pseudo-terminal (tmux, 80x24) on the built
 * app with 1,000 tasks: cold start to the first full frame, key press to the
 * updated frame while a run is in progress, and CPU use while idle.
 * Run: `npm run build && node --import tsx bench/tui.ts`.
 *
 * Keys are pressed and the screen read through one tmux control-mode client
 * (bench/tmux-control.ts), at each output of the app: no tmux process is
 * started per key or per read. Times still include tmux's own relaying, so
 * they are upper bounds of what a person sees.
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough, Writable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {Store} from '../source/store/store.js';
import {tempDir} from '../test/support/home.js';
import {appCommand, delay, TmuxPty} from '../test/support/pty.js';
import {seedTasks} from '../test/support/tui-fixtures.js';
import {TmuxControl} from './tmux-control.js';

export type TuiBenchRow = {measure: string; value: number; unit: string; target: string; ok: boolean};

export type BenchTuiOptions = {
	tasks?: number;
	starts?: number;
	keys?: number;
	idleSeconds?: number;
	log?: (line: string) => void;
	/** The app to start (default: the built dist/app/cli.js), e.g. another build to compare with. */
	command?: string[];
	/** Also measure inside this checkout's app, without tmux (default true). */
	inProcess?: boolean;
};

const columns = 80;
const rows = 24;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Clock ticks of CPU (user + system) a process has used. */
function cpuTicks(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

const fullFrame = (count: number) => (screen: string) => {
	const lines = screen.split('\n');
	return screen.includes(`Tasks (${count})`) && lines.some(line => line.includes('? help'));
};

/** Reads the screen at each output of the pane until it matches. */
async function waitForScreen(control: TmuxControl, match: (screen: string) => boolean, timeoutMs: number): Promise<string> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const seen = control.outputs;
		const screen = await control.screen();
		if (match(screen)) return screen;
		const left = deadline - performance.now();
		if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; the screen was:\n${screen}`);
		await Promise.race([control.outputAfter(seen), delay(Math.min(left, 250))]);
	}
}

/** Milliseconds from pressing `key` until the screen shows `changed`. */
async function keyToFrame(control: TmuxControl, key: string, changed: (screen: string) => boolean): Promise<number> {
	const began = performance.now();
	await control.key(key);
	await waitForScreen(control, changed, 2000).catch(error => {
		throw new Error(`no frame after pressing ${key}: ${(error as Error).message}`);
	});
	return performance.now() - began;
}

async function setup(taskCount: number): Promise<{home: string; data: string; total: number}> {
	const home = await tempDir('cloudsync-bench-tui-home-');
	const data = await tempDir('cloudsync-bench-tui-data-');
	const source = path.join(data, 'source');
	fs.mkdirSync(source, {recursive: true});
	fs.mkdirSync(path.join(data, 'backup'), {recursive: true});
	for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(source, `file-${i}.bin`), Buffer.alloc(512 * 1024, i));
	const store = await Store.open(home);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: path.join(data, 'backup')}});
	// Task 1 runs slowly (bandwidth-limited) so the latency is measured while a run reports progress.
	await store.addTask({description: 'Slow run', credential: 'disk', direction: 'PUSH', transferMode: 'SYNC', path: source, folder: 'slow', schedule: {preset: 'daily', minute: '0', hour: '3', dom: '*', month: '*', dow: '*'}, enabled: true, bwlimit: '256k'});
	// Task 2 floods its log: a pre-script writes about 5,000 lines a second for 6 seconds.
	await store.addTask({
		description: 'Chatty run',
		credential: 'disk',
		direction: 'PUSH',
		transferMode: 'COPY',
		path: source,
		folder: 'chatty',
		schedule: {preset: 'daily', minute: '0', hour: '4', dom: '*', month: '*', dow: '*'},
		enabled: true,
		preScript: 'i=0; while [ $i -lt 30000 ]; do seq $i $((i + 499)) | sed "s/^/flood line /"; i=$((i + 500)); sleep 0.1; done',
	});
	await seedTasks(store, taskCount - 2, 'disk', {path: data});
	return {home, data, total: taskCount};
}

/**
 * A frame's work inside the app, without a terminal: the real shell on the
 * same store, drawn into an 80x24 stream that discards it, 60 j/k presses.
 * Steadier than the tmux figures on a busy machine (no tmux, no polling), so
 * it shows what a change to the app itself did.
 */
async function inProcessFrames(home: string, keys = 60): Promise<{frameMs: number; keyMs: number; keyP95Ms: number}> {
	process.env['NODE_ENV'] ??= 'production';
	// Loaded the way the app loads them (ui/app.tsx), so Ink's libraries get the same segmenter.
	const {withFastGraphemes} = await import('../source/ui/graphemes.js');
	const [React, {render}, {KeyRouter}, {Shell}, {createServices}] = await withFastGraphemes(() =>
		Promise.all([import('react'), import('ink'), import('../source/ui/router.js'), import('../source/ui/shell.js'), import('../source/ui/services-live.js')]),
	);
	const store = await Store.open(home);
	const services = createServices(store, {scheduler: false});
	await services.preloadTasks?.();
	const stdout = Object.assign(new Writable({write: (_chunk, _encoding, done) => done()}), {isTTY: true, columns, rows});
	const stdin = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin});
	const frames: number[] = [];
	const app = render(React.createElement(KeyRouter, null, React.createElement(Shell, {services, onQuit: () => undefined})), {
		stdin: stdin as unknown as NodeJS.ReadStream,
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stdout as unknown as NodeJS.WriteStream,
		exitOnCtrlC: false,
		patchConsole: false,
		maxFps: 1000,
		onRender: ({renderTime}) => frames.push(renderTime),
	});
	try {
		await delay(1000);
		frames.length = 0;
		const latencies: number[] = [];
		for (let i = 0; i < keys; i++) {
			const before = frames.length;
			const began = performance.now();
			stdin.write(i % 20 < 10 ? 'j' : 'k');
			while (frames.length === before) {
				if (performance.now() - began > 2000) throw new Error('no frame after a key, in process');
				await new Promise(resolve => setImmediate(resolve));
			}
			latencies.push(performance.now() - began);
			await delay(10);
		}
		return {frameMs: median(frames), keyMs: median(latencies), keyP95Ms: percentile(latencies, 95)};
	} finally {
		app.unmount();
		await services.close();
	}
}

export async function benchTui(options: BenchTuiOptions = {}): Promise<TuiBenchRow[]> {
	const log = options.log ?? (() => undefined);
	const {home, data, total} = await setup(options.tasks ?? 1000);
	const command = options.command ?? appCommand();
	const rowsOut: TuiBenchRow[] = [];
	try {
		// 1. Cold start to the first full frame. The pane's shell waits on a FIFO, so the clock
		// starts when the app is started, not when tmux is; the screen is read at each output.
		const starts: number[] = [];
		for (let i = 0; i < (options.starts ?? 12); i++) {
			const fifo = path.join(home, `start-${i}.fifo`);
			execFileSync('mkfifo', [fifo]);
			const pty = await TmuxPty.start({command: ['sh', '-c', 'read go < "$0"; exec "$@"', fifo, ...command], env: {CLOUDSYNC_HOME: home}, columns, rows});
			const control = await TmuxControl.attach(pty);
			try {
				const began = performance.now();
				fs.writeFileSync(fifo, 'go\n');
				await waitForScreen(control, fullFrame(total), 15_000);
				starts.push(performance.now() - began);
				await control.key('q');
				await pty.waitForExit();
			} finally {
				control.close();
				await pty.close();
			}
		}
		// The first start in a fresh data directory validates db.json (later ones read its validated
		// copy, store/validated-db.ts) and compiles the app (later ones use its code cache, launch/code-cache.ts).
		const [first, ...later] = starts;
		log(`cold start: ${starts.map(ms => ms.toFixed(0)).join(', ')} ms (the first validates db.json and has no code cache yet)`);
		rowsOut.push({measure: 'cold start to first full frame (median of later starts)', value: Math.round(median(later)), unit: 'ms', target: '<= 300', ok: median(later) <= 300});
		rowsOut.push({measure: 'cold start, the very first (validates db.json, no code cache yet)', value: Math.round(first!), unit: 'ms', target: '—', ok: true});

		// 2. Key press to updated frame, 1,000 tasks, a run in progress.
		const pty = await TmuxPty.start({command, env: {CLOUDSYNC_HOME: home}, columns, rows});
		const control = await TmuxControl.attach(pty);
		try {
			await waitForScreen(control, fullFrame(total), 15_000);
			await control.key('r');
			await waitForScreen(control, screen => /█|░/.test(screen), 15_000);
			const marker = (screen: string) => screen.split('\n').findIndex(line => line.startsWith('›'));
			const latencies: number[] = [];
			for (let i = 0; i < (options.keys ?? 40); i++) {
				const before = marker(await control.screen());
				const key = i % 20 < 10 ? 'j' : 'k';
				latencies.push(await keyToFrame(control, key, screen => marker(screen) !== before));
				await delay(20);
			}
			log(`key to frame: median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms`);
			rowsOut.push({measure: 'key to updated frame, 1,000 tasks + a run (median)', value: Number(median(latencies).toFixed(1)), unit: 'ms', target: '<= 50', ok: median(latencies) <= 50});
			rowsOut.push({measure: 'key to updated frame, 1,000 tasks + a run (p95)', value: Number(percentile(latencies, 95).toFixed(1)), unit: 'ms', target: '<= 50', ok: percentile(latencies, 95) <= 50});
			await control.key('x');
			await waitForScreen(control, s => !/█|░/.test(s), 15_000).catch(() => undefined);

			// 3. The logs screen of a run writing ~5,000 lines a second: keys still answer.
			await control.key('j');
			await waitForScreen(control, screen => marker(screen) === 4, 5000);
			await control.key('r');
			await waitForScreen(control, s => s.includes('1 running'), 15_000);
			await control.key('L');
			await waitForScreen(control, s => s.includes('flood line'), 20_000);
			await control.key('f');
			await waitForScreen(control, s => s.includes('follow off'), 5000);
			const topLine = (screen: string) => screen.split('\n')[3] ?? '';
			const logLatencies: number[] = [];
			const floodStarted = performance.now();
			for (let i = 0; i < 30 && performance.now() - floodStarted < 5000; i++) {
				const before = topLine(await control.screen());
				logLatencies.push(await keyToFrame(control, i % 2 === 0 ? 'k' : 'j', screen => topLine(screen) !== before));
				await delay(20);
			}
			const logScreen = await control.screen();
			const shown = /of (\d+)/.exec(logScreen)?.[1];
			log(`logs under ~5,000 lines/s: key to frame median ${median(logLatencies).toFixed(1)} ms, p95 ${percentile(logLatencies, 95).toFixed(1)} ms (${shown ?? '?'} lines received so far)`);
			rowsOut.push({measure: 'key to frame in the logs of a run writing ~5,000 lines/s (median)', value: Number(median(logLatencies).toFixed(1)), unit: 'ms', target: '<= 50', ok: median(logLatencies) <= 50});
			rowsOut.push({measure: 'key to frame in the logs of a run writing ~5,000 lines/s (p95)', value: Number(percentile(logLatencies, 95).toFixed(1)), unit: 'ms', target: '<= 50', ok: percentile(logLatencies, 95) <= 50});
			await control.key('Escape');
			await delay(30);
			await control.key('x');
			await waitForScreen(control, s => s.includes('no runs'), 20_000).catch(() => undefined);

			// 4. Idle CPU: nothing running, nothing pressed.
			await delay(1500);
			const pid = await pty.pid();
			const seconds = options.idleSeconds ?? 10;
			const before = cpuTicks(pid);
			await delay(seconds * 1000);
			const used = (cpuTicks(pid) - before) / 100;
			const percent = (used / seconds) * 100;
			log(`idle CPU: ${used.toFixed(2)} s of CPU in ${seconds} s = ${percent.toFixed(2)}%`);
			rowsOut.push({measure: `idle CPU over ${seconds} s`, value: Number(percent.toFixed(2)), unit: '%', target: '~0', ok: percent < 1});
			await control.key('q');
		} finally {
			control.close();
			await pty.close();
		}

		// 5. The same keys inside the app, without tmux.
		if (options.inProcess ?? true) {
			const inside = await inProcessFrames(home);
			log(`in process (no terminal): a frame's drawing ${inside.frameMs.toFixed(1)} ms, key to frame median ${inside.keyMs.toFixed(1)} ms, p95 ${inside.keyP95Ms.toFixed(1)} ms`);
			rowsOut.push({measure: "a frame's drawing by Ink, in process, 1,000 tasks (median)", value: Number(inside.frameMs.toFixed(1)), unit: 'ms', target: '—', ok: true});
			rowsOut.push({measure: 'key to frame, in process without a terminal (median)', value: Number(inside.keyMs.toFixed(1)), unit: 'ms', target: '—', ok: true});
		}
	} finally {
		fs.rmSync(home, {recursive: true, force: true});
		fs.rmSync(data, {recursive: true, force: true});
	}
	return rowsOut;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const results = await benchTui({log: line => console.log(line)});
	console.table(results);
}
