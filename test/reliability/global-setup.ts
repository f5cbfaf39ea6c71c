/**
 * vitest globalSetup: creates the summary file the reliability scenarios
 * append to, and prints the table once every test file has finished.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {TestProject} from 'vitest/node';
import {formatSummary, type SummaryRow} from './support/summary.js';

export default function setup(project: TestProject) {
	const file = path.join(os.tmpdir(), `cloudsync-reliability-${process.pid}-${Date.now()}.jsonl`);
	fs.writeFileSync(file, '');
	project.provide('reliabilitySummaryFile', file);
	return () => {
		const text = fs.readFileSync(file, 'utf8');
		fs.rmSync(file, {force: true});
		const rows = text
			.split('\n')
			.filter(Boolean)
			.map(line => JSON.parse(line) as SummaryRow)
			.sort((a, b) => a.scenario.localeCompare(b.scenario));
		if (rows.length === 0) return;
		const mode = process.env.RELIABILITY_FULL === '1' ? 'full' : 'reduced';
		process.stdout.write(`\nReliability summary (${mode} mode):\n${formatSummary(rows)}\n`);
		const lost = rows.reduce((n, r) => n + r.lost, 0);
		if (lost > 0) process.stdout.write(`FILES LOST: ${lost} (must be 0)\n`);
	};
}
