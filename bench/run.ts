/**
 * `npm run bench`: every workload, cloudsync and rclone in the same run,
 * median of BENCH_RUNS (default 3) each, printed as a table with ratios
 * (cloudsync / rclone; below 1.0 is better for times).
 *
 * Environment: BENCH_RUNS, BENCH_ONLY (comma list of W1..W5, CRYPT, TUI), CLOUDSYNC_BENCH_CACHE.
 */
import fs from 'node:fs';
import {bundleSyncOnce} from './bundle.js';
import {benchW4, benchW5, sideRunner} from './local.js';
import type {BenchRow} from './types.js';

const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.toUpperCase().split(',')) : undefined;
const wanted = (name: string) => !only || only.has(name);
const log = (line: string) => process.stderr.write(`${line}\n`);

function table(rows: BenchRow[]): string {
	const header = ['workload', 'cloudsync', 'rclone', 'ratio', 'cloudsync RSS MB', 'rclone RSS MB', 'cloudsync CPU s', 'rclone CPU s'];
	const lines = rows.map(r => [
		r.workload,
		`${r.cloudsync} ${r.unit}`,
		`${r.rclone} ${r.unit}`,
		r.ratio.toFixed(3),
		r.cloudsyncRssMb?.toFixed(0) ?? '',
		r.rcloneRssMb?.toFixed(0) ?? '',
		r.cloudsyncCpuS?.toFixed(2) ?? '',
		r.rcloneCpuS?.toFixed(2) ?? '',
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)));
	const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
	return [fmt(header), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

const rows: BenchRow[] = [];
const syncOnce = await bundleSyncOnce();
const runner = sideRunner(syncOnce);

if (['W1', 'W2', 'W3'].some(wanted)) {
	const {benchS3} = await import('./s3.js');
	rows.push(...(await benchS3(runner, runs, log, {w1: wanted('W1'), w2: wanted('W2'), w3: wanted('W3')})));
}
if (wanted('W4')) rows.push(...(await benchW4(runner, runs, log)));
if (wanted('W5')) rows.push(...(await benchW5(runner, runs, log)));
if (wanted('CRYPT') && fs.existsSync(new URL('./crypt.ts', import.meta.url))) {
	const crypt = (await import('./crypt.js')) as {benchCrypt?: (o: {runs?: number; log?: (s: string) => void}) => Promise<BenchRow[]>};
	if (crypt.benchCrypt) rows.push(...(await crypt.benchCrypt({runs, log})));
}
process.stdout.write(`\n${table(rows)}\n\nmedian of ${runs} run(s) per side; ratio = cloudsync / rclone\n`);

// The full-screen app has no rclone counterpart: its figures are against targets.
if (wanted('TUI')) {
	const {benchTui} = await import('./tui.js');
	const measured = await benchTui({log});
	const lines = measured.map(row => `| ${row.measure} | ${row.value} ${row.unit} | ${row.target} ${row.unit} | ${row.ok ? 'yes' : 'no'} |`);
	process.stdout.write(`\n| TUI measure | value | target | met |\n|---|---|---|---|\n${lines.join('\n')}\n`);
}
