/**
 * Kill tests: `kill -9` of the process that runs the task (`cloudsync task
 * run` itself, which runs it in its own process) at seeded random points
 * during PUSH SYNC, PULL SYNC and MOVE against s3rver; then the run again.
 * Afterwards: the end state equals the source, no file under a final name is
 * partial, no MOVE source is lost, no multipart upload is left, db.json is
 * untouched and the history holds the killed run as FAILED.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {localTempPrefix} from '../../source/providers/local.js';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {Store} from '../../source/store/store.js';
import {seededRandom} from '../support/fault-proxy.js';
import {danglingUploads, makeHome, removeScratch, runTask, s3Credential, scratch, sleep, startCli, startS3Lab, taskInput, waitForRun, type Home, type S3Lab} from './support/lab.js';
import {full, recordRow} from './support/summary.js';
import {compareDigests, hashBucket, hashLocal, type Digests} from './support/trees.js';
import {writeTree} from './support/trees.js';

const bucket = 'kill';
const seeds = full ? 20 : 4;
const smallFiles = full ? 300 : 40;
const bigFiles = full ? 2 : 1;
/** Slow enough that a kill lands in the middle of transfers, multipart ones included. */
const bwlimit = '4M';
/** About how long the transfers of one run take at that limit. */
const killWindowMs = full ? 3_500 : 2_000;

let lab: S3Lab;
let home: Home;
let source: string;
let digests: Digests;

beforeAll(async () => {
	lab = await startS3Lab(bucket);
	home = await makeHome([s3Credential('s3', lab.gateway.endpoint)]);
	source = scratch('kill-source');
	digests = writeTree(source, smallFiles, 9001, {big: bigFiles, bigBytes: 6 * 1024 * 1024});
}, 120_000);
afterAll(async () => {
	await lab?.stop();
	removeScratch();
});

type Outcome = {finishedFirst: boolean; afterKill: {verified: number; partial: string[]; lost: string[]; temps: string[]; dangling: string[]}; lost: number; verified: number};

/** Starts the task, kills the command after a seeded delay, checks the wreck, runs it again, checks the end. */
async function killAndRerun(taskId: number, seed: number, inspect: () => Promise<Omit<Outcome['afterKill'], 'dangling'>>, final: () => Promise<{verified: number; lost: number; problems: string[]}>): Promise<Outcome> {
	const dbBefore = fs.readFileSync(path.join(home.dir, 'db.json'));
	const delay = Math.floor(seededRandom(seed)() * killWindowMs);
	const run = startCli(home.dir, ['task', 'run', String(taskId)]);
	const running = await waitForRun(home.dir, taskId);
	expect(running.pid).toBe(run.child.pid);
	// The clock starts when the run begins comparing the two sides.
	const deadline = Date.now() + 30_000;
	while (!/ INFO {2}(SYNC|MOVE) \S+ -> /.test(readRunLog(home.dir, taskId, running.runId)) && Date.now() < deadline && run.child.exitCode === null) await sleep(10);
	await sleep(delay);
	run.child.kill('SIGKILL');
	const killed = await run.done;
	// Read once the process is gone: the RUNNING record it left is settled as FAILED.
	const record = listRuns(home.dir, taskId).find(r => r.id === running.runId)!;
	const finishedFirst = record.state === 'SUCCESS';
	if (!finishedFirst) {
		expect(killed.code, killed.stdout + killed.stderr).toBe(-1);
		expect(record.state).toBe('FAILED');
		expect(record.error).toBe("the run's process ended unexpectedly");
	}
	const afterKill = {...(await inspect()), dangling: await danglingUploads(lab, bucket)};

	const again = await runTask(home.dir, taskId);
	expect(again.code, again.stdout + again.stderr).toBe(0);
	const end = await final();
	expect(end.problems).toEqual([]);
	expect(await danglingUploads(lab, bucket)).toEqual([]);
	// The store is byte-identical and still opens; the history has both runs.
	expect(fs.readFileSync(path.join(home.dir, 'db.json')).equals(dbBefore)).toBe(true);
	await expect((await Store.open(home.dir)).requireTask(taskId)).resolves.toMatchObject({id: taskId});
	const states = listRuns(home.dir, taskId).map(r => r.state);
	expect(states[0]).toBe('SUCCESS');
	expect(states).toContain(finishedFirst ? 'SUCCESS' : 'FAILED');
	return {finishedFirst, afterKill, lost: end.lost, verified: end.verified};
}

function summarise(scenario: string, outcomes: Outcome[]): void {
	const kills = outcomes.filter(o => !o.finishedFirst).length;
	const midway = outcomes.filter(o => !o.finishedFirst && o.afterKill.verified > 0 && o.afterKill.verified < digests.size).length;
	recordRow({
		scenario,
		runs: outcomes.length * 2,
		injected: kills,
		verified: outcomes.reduce((n, o) => n + o.verified, 0),
		lost: outcomes.reduce((n, o) => n + o.lost + o.afterKill.lost.length + o.afterKill.partial.length, 0),
	});
	const dangling = outcomes.reduce((n, o) => n + o.afterKill.dangling.length, 0);
	const temps = outcomes.reduce((n, o) => n + o.afterKill.temps.length, 0);
	console.log(`${scenario}: ${kills} kills (${midway} with part of the files done, ${outcomes.length - kills} after the run had ended); right after the kills: ${dangling} unfinished multipart upload(s), ${temps} temp file(s); all gone after the rerun`);
}

describe(`kill -9 of the running command at ${seeds} random points per mode`, () => {
	test('PUSH SYNC', async () => {
		const outcomes: Outcome[] = [];
		for (let seed = 1; seed <= seeds; seed++) {
			const folder = `push-${seed}`;
			const task = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder, bwlimit}));
			outcomes.push(
				await killAndRerun(
					task.id,
					seed,
					async () => {
						const uploaded = compareDigests(digests, await hashBucket(lab.s3.client, bucket, folder));
						return {verified: uploaded.verified, partial: [...uploaded.differ, ...uploaded.extra], lost: [], temps: []};
					},
					async () => {
						const end = compareDigests(digests, await hashBucket(lab.s3.client, bucket, folder));
						const local = compareDigests(digests, hashLocal(source));
						return {verified: end.verified, lost: local.missing.length + local.differ.length, problems: [...end.missing, ...end.differ, ...end.extra, ...local.missing, ...local.differ]};
					},
				),
			);
			expect(outcomes.at(-1)!.afterKill.partial).toEqual([]);
		}
		summarise('kill -9: PUSH SYNC', outcomes);
	}, full ? 7_200_000 : 600_000);

	test('PULL SYNC', async () => {
		const pushed = await home.addTask(taskInput({credential: 's3', path: source, bucket, folder: 'pull-source'}));
		expect((await runTask(home.dir, pushed.id)).code).toBe(0);
		const outcomes: Outcome[] = [];
		for (let seed = 1; seed <= seeds; seed++) {
			const target = path.join(scratch('kill-pull'), 'restore');
			const task = await home.addTask(taskInput({credential: 's3', path: target, bucket, folder: 'pull-source', direction: 'PULL', bwlimit}));
			const local = () => {
				const all = hashLocal(target);
				const temps = [...all.keys()].filter(name => path.basename(name).startsWith(localTempPrefix));
				for (const name of temps) all.delete(name);
				return {all, temps};
			};
			outcomes.push(
				await killAndRerun(
					task.id,
					seed + 100,
					async () => {
						const {all, temps} = local();
						const written = compareDigests(digests, all);
						return {verified: written.verified, partial: [...written.differ, ...written.extra], lost: [], temps};
					},
					async () => {
						const {all, temps} = local();
						const end = compareDigests(digests, all);
						const cloud = compareDigests(digests, await hashBucket(lab.s3.client, bucket, 'pull-source'));
						return {verified: end.verified, lost: cloud.missing.length + cloud.differ.length, problems: [...end.missing, ...end.differ, ...end.extra, ...temps.map(t => `left over: ${t}`)]};
					},
				),
			);
			expect(outcomes.at(-1)!.afterKill.partial).toEqual([]);
		}
		summarise('kill -9: PULL SYNC', outcomes);
	}, full ? 7_200_000 : 600_000);

	test('MOVE (push)', async () => {
		const outcomes: Outcome[] = [];
		for (let seed = 1; seed <= seeds; seed++) {
			const folder = `move-${seed}`;
			const moving = path.join(scratch('kill-move'), 'out');
			fs.cpSync(source, moving, {recursive: true, preserveTimestamps: true});
			const task = await home.addTask(taskInput({credential: 's3', path: moving, bucket, folder, transferMode: 'MOVE', bwlimit}));
			// Every file is at the source or, with the same content, at the destination; never neither.
			const whereabouts = async () => {
				const atSource = hashLocal(moving);
				const atDestination = await hashBucket(lab.s3.client, bucket, folder);
				const lost: string[] = [];
				const partial: string[] = [];
				let verified = 0;
				for (const [name, digest] of digests) {
					const here = atSource.get(name);
					const there = atDestination.get(name);
					if (here && (here.md5 !== digest.md5 || here.size !== digest.size)) partial.push(`source ${name}`);
					if (there && (there.md5 !== digest.md5 || there.size !== digest.size)) partial.push(`destination ${name}`);
					if (!here && !there) lost.push(name);
					else verified++;
				}
				return {verified, arrived: digests.size - [...digests.keys()].filter(n => !atDestination.has(n)).length, lost, partial, destinationMissing: [...digests.keys()].filter(n => !atDestination.has(n)), sourceLeft: [...atSource.keys()]};
			};
			outcomes.push(
				await killAndRerun(
					task.id,
					seed + 200,
					async () => {
						const w = await whereabouts();
						// "verified" here counts what had arrived, to tell kills in the middle from the rest.
						return {verified: w.arrived, lost: w.lost, partial: w.partial, temps: []};
					},
					async () => {
						const w = await whereabouts();
						return {verified: w.verified, lost: w.lost.length, problems: [...w.lost, ...w.partial, ...w.destinationMissing.map(n => `not moved: ${n}`), ...w.sourceLeft.map(n => `still at the source: ${n}`)]};
					},
				),
			);
			expect(outcomes.at(-1)!.afterKill.lost).toEqual([]);
			expect(outcomes.at(-1)!.afterKill.partial).toEqual([]);
		}
		summarise('kill -9: MOVE', outcomes);
	}, full ? 7_200_000 : 600_000);
});
