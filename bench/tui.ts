/**
 * TUI speed, measured in a real pseudo-terminal (tmux, 80x24) on the built
 * app with 1,000 tasks: cold start to the first full frame, key press to the
 * updated frame while a run is in progress, and CPU use while idle.
 * Run: `npm run build && node --import tsx bench/tui.ts`.
 *
 * Times include tmux's own work (send-keys, capture-pane polls of ~2-5 ms),
 * so they are upper bounds of what a person sees.
 */
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough, Writable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {Store} from '../source/store/store.js';
import {tempDir} from '../test/support/home.js';
import {appCommand, delay, TmuxPty} from '../test/support/pty.js';
import {seedTasks} from '../test/support/tui-fixtures.js';

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
		// 1. Cold start to the first full frame.
		const starts: number[] = [];
		for (let i = 0; i < (options.starts ?? 5); i++) {
			const began = performance.now();
			const pty = await TmuxPty.start({command, env: {CLOUDSYNC_HOME: home}, columns, rows});
			try {
				await pty.waitFor(fullFrame(total), 15_000);
				starts.push(performance.now() - began);
				await pty.keys('q');
				await pty.waitForExit();
			} finally {
				await pty.close();
			}
		}
		log(`cold start: ${starts.map(ms => ms.toFixed(0)).join(', ')} ms`);
		rowsOut.push({measure: 'cold start to first full frame (median)', value: Math.round(median(starts)), unit: 'ms', target: '<= 300', ok: median(starts) <= 300});

		// 2. Key press to updated frame, 1,000 tasks, a run in progress.
		const pty = await TmuxPty.start({command, env: {CLOUDSYNC_HOME: home}, columns, rows});
		try {
			await pty.waitFor(fullFrame(total), 15_000);
			await pty.keys('r');
			await pty.waitFor(/█|░/, 15_000);
			const latencies: number[] = [];
			const marker = (screen: string) => screen.split('\n').findIndex(line => line.startsWith('›'));
			for (let i = 0; i < (options.keys ?? 40); i++) {
				const before = marker(await pty.screen());
				const key = i % 20 < 10 ? 'j' : 'k';
				const began = performance.now();
				await pty.tmux('send-keys', '-t', pty.name, key);
				for (;;) {
					const now = marker(await pty.screen());
					if (now !== before) break;
					if (performance.now() - began > 2000) throw new Error(`no frame after pressing ${key}`);
				}
				latencies.push(performance.now() - began);
				await delay(20);
			}
			log(`key to frame: median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms`);
			rowsOut.push({measure: 'key to updated frame, 1,000 tasks + a run (median)', value: Number(median(latencies).toFixed(1)), unit: 'ms', target: '<= 50', ok: median(latencies) <= 50});
			rowsOut.push({measure: 'key to updated frame, 1,000 tasks + a run (p95)', value: Number(percentile(latencies, 95).toFixed(1)), unit: 'ms', target: '<= 50', ok: percentile(latencies, 95) <= 50});
			await pty.keys('x');
			await pty.waitFor(s => !/█|░/.test(s), 15_000).catch(() => undefined);

			// 3. The logs screen of a run writing ~5,000 lines a second: keys still answer.
			await pty.keys('j');
			await pty.waitFor(screen => marker(screen) === 4, 5000);
			await pty.keys('r');
			await pty.waitFor('1 running', 15_000);
			await pty.keys('L');
			await pty.waitFor('flood line', 20_000);
			await pty.keys('f');
			await pty.waitFor('follow off');
			const topLine = (screen: string) => screen.split('\n')[3] ?? '';
			const logLatencies: number[] = [];
			const floodStarted = performance.now();
			for (let i = 0; i < 30 && performance.now() - floodStarted < 5000; i++) {
				const before = topLine(await pty.screen());
				const began = performance.now();
				await pty.tmux('send-keys', '-t', pty.name, i % 2 === 0 ? 'k' : 'j');
				for (;;) {
					if (topLine(await pty.screen()) !== before) break;
					if (performance.now() - began > 2000) throw new Error('no frame after a scroll key in the logs screen');
				}
				logLatencies.push(performance.now() - began);
				await delay(20);
			}
			const logScreen = await pty.screen();
			const shown = /of (\d+)/.exec(logScreen)?.[1];
			log(`logs under ~5,000 lines/s: key to frame median ${median(logLatencies).toFixed(1)} ms, p95 ${percentile(logLatencies, 95).toFixed(1)} ms (${shown ?? '?'} lines received so far)`);
			rowsOut.push({measure: 'key to frame in the logs of a run writing ~5,000 lines/s (median)', value: Number(median(logLatencies).toFixed(1)), unit: 'ms', target: '<= 50', ok: median(logLatencies) <= 50});
			rowsOut.push({measure: 'key to frame in the logs of a run writing ~5,000 lines/s (p95)', value: Number(percentile(logLatencies, 95).toFixed(1)), unit: 'ms', target: '<= 50', ok: percentile(logLatencies, 95) <= 50});
			await pty.keys('Escape', 'x');
			await pty.waitFor(s => s.includes('no runs'), 20_000).catch(() => undefined);

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
			await pty.keys('q');
		} finally {
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
