/**
 * Crypt throughput: encrypt + write a 1 GiB file to a local folder through
 * CryptRemote, against `rclone copy` of the same file to a crypt remote over a
 * local folder, in the same run. Median of 3 each, alternating, fresh target
 * folders; times are whole processes (start-up, key derivation, fsync
 * included), peak RSS from GNU time. Run: `node --import tsx bench/crypt.ts [sizeMiB]`.
 */
import {randomFillSync} from 'node:crypto';
import {createWriteStream} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {cacheDir as defaultCacheDir, measure, median, rcloneEnv} from './measure.js';
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

/** The timed child as one ESM file, so a run pays Node's start-up only, like the built CLI. */
async function bundleChild(): Promise<string> {
	const root = fileURLToPath(new URL('..', import.meta.url));
	const outfile = path.join(root, 'node_modules', '.cache', 'cloudsync-bench', 'crypt-child.mjs');
	await build({
		entryPoints: [path.join(root, 'bench', 'crypt-child.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile,
		packages: 'external',
		logLevel: 'error',
	});
	return outfile;
}

async function obscure(secret: string, env: NodeJS.ProcessEnv): Promise<string> {
	return (await measure('rclone', ['obscure', '-'], {env, stdin: `${secret}\n`})).stdout.trim();
}

async function cryptEnv(target: string): Promise<NodeJS.ProcessEnv> {
	const env = rcloneEnv();
	env.RCLONE_CONFIG_BENCHCRYPT_TYPE = 'crypt';
	env.RCLONE_CONFIG_BENCHCRYPT_REMOTE = target;
	env.RCLONE_CONFIG_BENCHCRYPT_PASSWORD = await obscure(password, env);
	env.RCLONE_CONFIG_BENCHCRYPT_PASSWORD2 = await obscure(salt, env);
	return env;
}

export async function benchCrypt(options: BenchCryptOptions = {}): Promise<BenchRow[]> {
	const sizeMiB = options.sizeMiB ?? 1024;
	const runs = options.runs ?? 3;
	const log = options.log ?? (() => undefined);
	const cacheDir = options.cacheDir ?? defaultCacheDir();
	const sourceDir = await ensureData(cacheDir, sizeMiB);
	const sourceFile = path.join(sourceDir, 'data.bin');
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-bench-crypt-'));
	try {
		const env = await cryptEnv(path.join(work, 'rclone'));
		const child = await bundleChild();
		const ours: Run[] = [];
		const theirs: Run[] = [];
		for (let i = 0; i < runs; i++) {
			await fs.rm(path.join(work, 'cloudsync'), {recursive: true, force: true});
			const mine = await measure(process.execPath, [child, sourceFile, path.join(work, 'cloudsync')], {stdin: JSON.stringify({password, salt})});
			ours.push(mine);
			await fs.rm(path.join(work, 'rclone'), {recursive: true, force: true});
			theirs.push(await measure('rclone', ['copy', sourceDir, 'benchcrypt:'], {env}));
			const cipher = (JSON.parse(mine.stdout) as {cipher: string}).cipher;
			log(`crypt run ${i + 1}: cloudsync ${mine.seconds.toFixed(2)} s (${cipher}), rclone ${theirs[i].seconds.toFixed(2)} s`);
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
