/**
 * The reliability summary: every scenario appends one JSON line per check to
 * a file the global setup created for this vitest invocation (its path comes
 * through `inject`, so parallel workers share it); the global teardown prints
 * the table. Appends of one short line are atomic on Linux, so workers need
 * no lock.
 */
import fs from 'node:fs';
import {inject} from 'vitest';

export type SummaryRow = {
	scenario: string;
	runs: number;
	/** Faults, kills or hostile inputs this scenario put in the way. */
	injected: number;
	/** Files (or refusals, or store checks) verified afterwards. */
	verified: number;
	/** Must be 0. */
	lost: number;
};

declare module 'vitest' {
	export interface ProvidedContext {
		reliabilitySummaryFile: string;
	}
}

/** Whether this is `npm run test:reliability` (more seeds, bigger trees). */
export const full = process.env.RELIABILITY_FULL === '1';

export function recordRow(row: SummaryRow): void {
	let file: string | undefined;
	try {
		file = inject('reliabilitySummaryFile');
	} catch {
		file = undefined;
	}
	if (!file) return;
	fs.appendFileSync(file, JSON.stringify(row) + '\n');
}

export function formatSummary(rows: SummaryRow[]): string {
	const header = ['SCENARIO', 'RUNS', 'FAILURES INJECTED', 'FILES VERIFIED', 'FILES LOST'];
	const body = rows.map(r => [r.scenario, String(r.runs), String(r.injected), String(r.verified), String(r.lost)]);
	const widths = header.map((h, i) => Math.max(h.length, ...body.map(row => row[i]!.length)));
	const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
	const total = rows.reduce((t, r) => ({runs: t.runs + r.runs, injected: t.injected + r.injected, verified: t.verified + r.verified, lost: t.lost + r.lost}), {runs: 0, injected: 0, verified: 0, lost: 0});
	return [line(header), ...body.map(line), line(['TOTAL', String(total.runs), String(total.injected), String(total.verified), String(total.lost)])].join('\n');
}
