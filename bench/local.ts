/**
 * W4: no-op SYNC of 20,000 files local -> local, cloudsync vs rclone.
 * W5: peak RSS of a no-op SYNC of 100,000 vs 1,000,000 files local -> local.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {BenchRow} from './types.js';
import {cacheDir, measure, median, rcloneEnv, type Measured} from './measure.js';

/** The built CLI, as `npm run bench` builds it. */
const cliEntry = fileURLToPath(new URL('../dist/app/cli.js', import.meta.url));
import {mirrorTree, sourceTree} from './trees.js';

export type SideRunner = {
	cloudsync(config: object): Promise<Measured>;
	rclone(args: string[], s3?: Parameters<typeof rcloneEnv>[0]): Promise<Measured>;
};

export function sideRunner(syncOnce: string): SideRunner {
	return {
		async cloudsync(config) {
			const result = await measure(process.execPath, [syncOnce], {stdin: JSON.stringify(config)});
			const report = JSON.parse(result.stdout) as {ok: boolean; errors: unknown};
			if (!report.ok) throw new Error(`cloudsync run failed: ${JSON.stringify(report.errors)}`);
			return result;
		},
		rclone(args, s3) {
			return measure('rclone', args, {env: rcloneEnv(s3)});
		},
	};
}

/**
 * Runs both sides `runs` times, alternating, and returns every measurement.
 * `warmups` untimed rounds come first (each side once per round), so neither
 * tool pays alone for a cold server, page cache or JIT.
 */
export async function compare(
	runs: number,
	cloudsync: () => Promise<Measured>,
	rclone: () => Promise<Measured>,
	before?: () => Promise<void>,
	warmups = 0,
): Promise<{ours: Measured[]; theirs: Measured[]}> {
	for (let i = 0; i < warmups; i++) {
		await before?.();
		await cloudsync();
		await before?.();
		await rclone();
	}
	const ours: Measured[] = [];
	const theirs: Measured[] = [];
	for (let i = 0; i < runs; i++) {
		await before?.();
		ours.push(await cloudsync());
		await before?.();
		theirs.push(await rclone());
	}
	return {ours, theirs};
}

export function timeRow(workload: string, ours: Measured[], theirs: Measured[]): BenchRow {
	const a = median(ours.map(m => m.seconds));
	const b = median(theirs.map(m => m.seconds));
	return {
		workload,
		cloudsync: round(a),
		rclone: round(b),
		unit: 's',
		ratio: round(a / b),
		cloudsyncRssMb: round(median(ours.map(m => m.rssMb))),
		rcloneRssMb: round(median(theirs.map(m => m.rssMb))),
		cloudsyncCpuS: round(median(ours.map(m => m.cpuSeconds))),
		rcloneCpuS: round(median(theirs.map(m => m.cpuSeconds))),
	};
}

export function round(n: number): number {
	return Math.round(n * 1000) / 1000;
}

export async function benchW4(runner: SideRunner, runs: number, log: (s: string) => void): Promise<BenchRow[]> {
	const cache = cacheDir();
	const src = await sourceTree(cache, 'local-20k', 20_000, 1024, log);
	const dst = await mirrorTree(cache, 'local-20k', log);
	const config = {mode: 'SYNC', source: {type: 'local', root: src}, destination: {type: 'local', root: dst}};
	const {ours, theirs} = await compare(
		runs,
		() => runner.cloudsync(config),
		() => runner.rclone(['sync', src, dst]),
	);
	const rows = [timeRow('W4 no-op SYNC 20,000 files local->local', ours, theirs)];
	// The same work as a user starts it: `cloudsync task run` (the CLI, which runs the task in its own process, with its lock and records).
	const home = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-bench-home-'));
	try {
		const env = {...process.env, CLOUDSYNC_HOME: home};
		const cli = (args: string[]) => measure(process.execPath, [cliEntry, ...args], {env});
		await cli(['credential', 'add', 'bench', '--provider', 'local', '--field', `root=${path.dirname(dst)}`]);
		await cli(['task', 'add', '--description', 'W4', '--credential', 'bench', '--direction', 'push', '--mode', 'sync', '--path', src, '--folder', path.basename(dst)]);
		const viaCli = await compare(runs, () => cli(['task', 'run', '1']), () => runner.rclone(['sync', src, dst]));
		rows.push(timeRow('W4 the same, as `cloudsync task run`', viaCli.ours, viaCli.theirs));
	} finally {
		await fs.rm(home, {recursive: true, force: true});
	}
	return rows;
}

export async function benchW5(runner: SideRunner, runs: number, log: (s: string) => void, sizes = [100_000, 1_000_000]): Promise<BenchRow[]> {
	const cache = cacheDir();
	const rows: BenchRow[] = [];
	const peaks: Array<{n: number; ours: number; theirs: number}> = [];
	for (const n of sizes) {
		const name = `local-${n / 1000}k`;
		const src = await sourceTree(cache, name, n, 16, log);
		const dst = await mirrorTree(cache, name, log);
		const config = {mode: 'SYNC', source: {type: 'local', root: src}, destination: {type: 'local', root: dst}};
		log(`W5: no-op SYNC of ${n} files ...`);
		const {ours, theirs} = await compare(
			runs,
			() => runner.cloudsync(config),
			() => runner.rclone(['sync', src, dst]),
		);
		const row = timeRow(`W5 no-op SYNC ${n.toLocaleString('en')} files local->local (time)`, ours, theirs);
		rows.push(row);
		peaks.push({n, ours: row.cloudsyncRssMb!, theirs: row.rcloneRssMb!});
	}
	if (peaks.length === 2) {
		const [small, large] = peaks as [(typeof peaks)[0], (typeof peaks)[0]];
		rows.push({
			workload: `W5 peak RSS ${large.n / 1e6}M / ${small.n / 1e3}k files (growth factor)`,
			cloudsync: round(large.ours / small.ours),
			rclone: round(large.theirs / small.theirs),
			unit: 'x',
			ratio: round(large.ours / small.ours / (large.theirs / small.theirs)),
			cloudsyncRssMb: large.ours,
			rcloneRssMb: large.theirs,
		});
	}
	return rows;
}
