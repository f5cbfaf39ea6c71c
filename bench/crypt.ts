/**
 * Crypt throughput: encrypt + write a 1 GiB file to a local folder through
 * CryptRemote, against `rclone copy` of the same file to a crypt remote over a
 * local folder, in the same run. Median of 3 each, alternating, fresh target
 * folders. Run: `node --import tsx bench/crypt.ts [sizeMiB]`.
 */
import {spawn} from 'node:child_process';
import {randomFillSync} from 'node:crypto';
import {createWriteStream} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {BenchRow} from './types.js';

export type BenchCryptOptions = {
	/** Size of the test file in MiB (default 1024). */
	sizeMiB?: number;
	/** Timed runs per side; the median is reported (default 3). */
	runs?: number;
	/** Where the generated data is kept between runs (default $CLOUDSYNC_BENCH_CACHE or /tmp/cloudsync-bench-cache). */
	cacheDir?: string;
	log?: (line: string) => void;
};

const password = 'bench password';
const salt = 'bench salt';

async function ensureData(cacheDir: string, sizeMiB: number): Promise<string> {
	const dir = path.join(cacheDir, `crypt-${sizeMiB}m`);
	const file = path.join(dir, 'data.bin');
	const stats = await fs.stat(file).catch(() => undefined);
	if (stats?.size === sizeMiB * 1024 * 1024) return dir;
	await fs.mkdir(dir, {recursive: true});
	const partial = `${file}.partial`;
	const out = createWriteStream(partial);
	const block = Buffer.alloc(1024 * 1024);
	for (let i = 0; i < sizeMiB; i++) {
		randomFillSync(block);
		if (!out.write(block)) await new Promise<void>(resolve => out.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
	await fs.rename(partial, file);
	return dir;
}

type Run = {seconds: number; rssMb: number};

function run(command: string, args: string[], options: {env?: NodeJS.ProcessEnv; stdin?: string}): Promise<{stdout: string; stderr: string; code: number; hwmMb: number}> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		let hwmMb = 0;
		// Peak RSS of a child we cannot instrument: VmHWM is the high-water mark, so late samples are exact.
		const sample = setInterval(() => {
			fs.readFile(`/proc/${child.pid}/status`, 'utf8')
				.then(status => {
					const match = /VmHWM:\s+(\d+) kB/.exec(status);
					if (match) hwmMb = Math.max(hwmMb, Number(match[1]) / 1024);
				})
				.catch(() => undefined);
		}, 50);
		child.stdout.on('data', chunk => (stdout += chunk));
		child.stderr.on('data', chunk => (stderr += chunk));
		child.on('error', reject);
		child.on('close', code => {
			clearInterval(sample);
			resolve({stdout, stderr, code: code ?? 1, hwmMb});
		});
		child.stdin.end(options.stdin ?? '');
	});
}

async function obscure(secret: string, env: NodeJS.ProcessEnv): Promise<string> {
	const result = await run('rclone', ['obscure', '-'], {env, stdin: `${secret}\n`});
	if (result.code !== 0) throw new Error(`rclone obscure failed: ${result.stderr}`);
	return result.stdout.trim();
}

async function rcloneEnv(target: string): Promise<NodeJS.ProcessEnv> {
	const env: NodeJS.ProcessEnv = {...process.env, RCLONE_CONFIG: path.join(os.tmpdir(), 'cloudsync-bench-no-rclone.conf')};
	delete env.AWS_CA_BUNDLE;
	env.RCLONE_CONFIG_BENCHCRYPT_TYPE = 'crypt';
	env.RCLONE_CONFIG_BENCHCRYPT_REMOTE = target;
	env.RCLONE_CONFIG_BENCHCRYPT_PASSWORD = await obscure(password, env);
	env.RCLONE_CONFIG_BENCHCRYPT_PASSWORD2 = await obscure(salt, env);
	return env;
}

async function timeCloudsync(sourceFile: string, target: string): Promise<Run & {cipher: string}> {
	const child = fileURLToPath(new URL('./crypt-child.ts', import.meta.url));
	const result = await run(process.execPath, ['--import', 'tsx', child, sourceFile, target], {stdin: JSON.stringify({password, salt})});
	if (result.code !== 0) throw new Error(`cloudsync crypt run failed: ${result.stderr.trim()}`);
	const parsed = JSON.parse(result.stdout) as {seconds: number; rssMb: number; cipher: string};
	return parsed;
}

async function timeRclone(sourceDir: string, env: NodeJS.ProcessEnv): Promise<Run> {
	const started = performance.now();
	const result = await run('rclone', ['copy', sourceDir, 'benchcrypt:'], {env});
	const seconds = (performance.now() - started) / 1000;
	if (result.code !== 0) throw new Error(`rclone copy failed: ${result.stderr.trim()}`);
	return {seconds, rssMb: result.hwmMb};
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function benchCrypt(options: BenchCryptOptions = {}): Promise<BenchRow[]> {
	const sizeMiB = options.sizeMiB ?? 1024;
	const runs = options.runs ?? 3;
	const log = options.log ?? (() => undefined);
	const cacheDir = options.cacheDir ?? process.env.CLOUDSYNC_BENCH_CACHE ?? path.join(os.tmpdir(), 'cloudsync-bench-cache');
	const sourceDir = await ensureData(cacheDir, sizeMiB);
	const sourceFile = path.join(sourceDir, 'data.bin');
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-bench-crypt-'));
	try {
		const env = await rcloneEnv(path.join(work, 'rclone'));
		const ours: Run[] = [];
		const theirs: Run[] = [];
		for (let i = 0; i < runs; i++) {
			await fs.rm(path.join(work, 'cloudsync'), {recursive: true, force: true});
			const mine = await timeCloudsync(sourceFile, path.join(work, 'cloudsync'));
			ours.push(mine);
			await fs.rm(path.join(work, 'rclone'), {recursive: true, force: true});
			theirs.push(await timeRclone(sourceDir, env));
			log(`run ${i + 1}: cloudsync ${mine.seconds.toFixed(2)} s (${mine.cipher}), rclone ${theirs[i].seconds.toFixed(2)} s`);
		}
		const cloudsync = median(ours.map(r => r.seconds));
		const rclone = median(theirs.map(r => r.seconds));
		return [
			{
				workload: `crypt: encrypt + write ${sizeMiB} MiB to a local folder`,
				cloudsync: Number(cloudsync.toFixed(3)),
				rclone: Number(rclone.toFixed(3)),
				unit: 's',
				ratio: Number((cloudsync / rclone).toFixed(3)),
				cloudsyncRssMb: Math.round(Math.max(...ours.map(r => r.rssMb))),
				rcloneRssMb: Math.round(Math.max(...theirs.map(r => r.rssMb))),
			},
		];
	} finally {
		await fs.rm(work, {recursive: true, force: true});
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const sizeMiB = Number(process.argv[2] ?? 1024);
	const rows = await benchCrypt({sizeMiB, log: line => console.log(line)});
	for (const row of rows) {
		const mbps = (seconds: number) => ((sizeMiB * 1024 * 1024) / 1e6 / seconds).toFixed(0);
		console.log(row.workload);
		console.log(`  cloudsync ${row.cloudsync} s (${mbps(row.cloudsync)} MB/s, peak RSS ${row.cloudsyncRssMb} MB)`);
		console.log(`  rclone    ${row.rclone} s (${mbps(row.rclone)} MB/s, peak RSS ${row.rcloneRssMb} MB)`);
		console.log(`  ratio cloudsync/rclone ${row.ratio} (target <= 1.0)`);
	}
}
