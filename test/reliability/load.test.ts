/**
 * Load: many tasks against one s3rver, several running at once through one
 * real TaskRunner (each run in its own worker process), with the TUI open in
 * a pty on the same data directory. Every run succeeds and its files arrive,
 * the store stays valid throughout, the CLI answers, and a keypress in the
 * TUI gets a new frame; the latencies are measured and printed (the bound
 * asserted is deliberately generous: speed targets live in bench/).
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {taskSchema} from '../../source/core/schemas.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';
import {cloudsync} from '../support/cli.js';
import {appCommand, delay, TmuxPty} from '../support/pty.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {makeHome, removeScratch, s3Credential, scratch, taskInput} from './support/lab.js';
import {full, recordRow} from './support/summary.js';
import {compareDigests, hashBucket, writeTree, type Digests} from './support/trees.js';

const taskCount = full ? 200 : 50;
const concurrent = full ? 20 : 8;
const bucket = 'load';
let s3: S3rverHandle;

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
}, 60_000);
afterAll(async () => {
	await s3?.stop();
	removeScratch();
});

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? NaN;

test(`${taskCount} tasks, ${concurrent} at a time, with the TUI open`, async () => {
	const home = await makeHome([s3Credential('s3', s3.endpoint)]);
	const trees: Digests[] = [];
	const ids: number[] = [];
	for (let i = 0; i < taskCount; i++) {
		const source = path.join(scratch('load'), 'src');
		trees.push(writeTree(source, 4, 1000 + i, {maxBytes: 4096}));
		ids.push((await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: `task-${i}`, description: `load task ${i}`}))).id);
	}
	const pty = await TmuxPty.start({command: appCommand(), env: {CLOUDSYNC_HOME: home.dir, NO_COLOR: '1'}, columns: 100, rows: 30});
	const frameMs: number[] = [];
	const cliMs: number[] = [];
	let storeChecks = 0;
	const storeProblems: string[] = [];
	try {
		await pty.waitFor('load task', 60_000);
		let running = true;
		// The operator: switches screens and measures how long each keypress takes to show.
		const operator = (async () => {
			let key = '2';
			while (running) {
				const before = await pty.screen();
				const pressed = performance.now();
				await pty.tmux('send-keys', '-t', pty.name, key);
				await pty.waitFor(screen => screen !== before, 60_000);
				frameMs.push(performance.now() - pressed);
				key = key === '2' ? '1' : '2';
				await delay(300);
			}
		})();
		// An administrator's scripts: the CLI and the store are read while runs write their records.
		const observer = (async () => {
			while (running) {
				const started = performance.now();
				const listed = await cloudsync(home.dir, ['--json', 'task', 'list']);
				cliMs.push(performance.now() - started);
				if (listed.code !== 0) storeProblems.push(`task list exit ${listed.code}: ${listed.stderr}`);
				else if ((JSON.parse(listed.stdout) as unknown[]).length !== taskCount) storeProblems.push('task list lost tasks');
				try {
					const raw = JSON.parse(fs.readFileSync(path.join(home.dir, 'db.json'), 'utf8')) as {tasks: unknown[]};
					for (const task of (await (await Store.open(home.dir)).listTasks())) taskSchema.parse(task);
					if (raw.tasks.length !== taskCount) storeProblems.push(`db.json holds ${raw.tasks.length} tasks`);
					storeChecks++;
				} catch (error) {
					storeProblems.push(`store: ${String(error)}`);
				}
				await delay(500);
			}
		})();

		const runner = new TaskRunner(await Store.open(home.dir));
		const queue = [...ids];
		const states: string[] = [];
		await Promise.all(
			Array.from({length: concurrent}, async () => {
				for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
					await runner.start(id, {trigger: 'manual'});
					const record = await runner.wait(id);
					states.push(record.state === 'SUCCESS' ? 'SUCCESS' : `${id}: ${record.state} ${record.error ?? ''}`);
				}
			}),
		);
		running = false;
		await Promise.all([operator, observer]);
		expect(states.filter(state => state !== 'SUCCESS')).toEqual([]);
		let verified = 0;
		let lost = 0;
		for (let i = 0; i < taskCount; i++) {
			const compared = compareDigests(trees[i]!, await hashBucket(s3.client, bucket, `task-${i}`));
			verified += compared.verified;
			lost += compared.missing.length + compared.differ.length;
		}
		expect(lost).toBe(0);
		expect(storeProblems).toEqual([]);
		expect(storeChecks).toBeGreaterThan(0);
		expect(frameMs.length).toBeGreaterThan(0);
		console.log(
			`load: ${taskCount} tasks, ${concurrent} at once: keypress -> new frame median ${Math.round(percentile(frameMs, 0.5))} ms, p95 ${Math.round(percentile(frameMs, 0.95))} ms, max ${Math.round(Math.max(...frameMs))} ms (${frameMs.length} keys); ` +
				`\`task list --json\` median ${Math.round(percentile(cliMs, 0.5))} ms, max ${Math.round(Math.max(...cliMs))} ms (${cliMs.length} calls); ${storeChecks} store checks`,
		);
		// Generous: on a loaded 2-core machine; the point is that the TUI never stalls behind the runs.
		expect(Math.max(...frameMs)).toBeLessThan(15_000);
		recordRow({scenario: `load: ${taskCount} tasks, ${concurrent} concurrent, TUI open`, runs: taskCount, injected: 0, verified, lost});
		await pty.keys('q');
	} finally {
		await pty.close();
	}
}, full ? 7_200_000 : 600_000);
