/**
 * Peak memory of one streamed 1 GiB upload through S3Remote to a real s3rver
 * (which runs in its own process, so its memory is not counted). The target
 * is under 200 MB RSS for the whole cloudsync process.
 *
 *   node --import tsx bench/s3-upload-memory.ts [GiB=1] [chunk MiB=5] [parts in parallel=4]
 */
import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import {Readable} from 'node:stream';
import {S3Remote} from '../source/providers/s3.js';
import {startS3rver} from '../test/support/s3rver.js';

const gib = Number(process.argv[2] ?? 1);
const chunkMiB = Number(process.argv[3] ?? 5);
const concurrency = Number(process.argv[4] ?? 4);
const size = Math.round(gib * 1024 ** 3);

/** Peak resident set size of this process so far (the kernel's high-water mark), in MB. */
function peakRssMb(): number {
	const status = fs.readFileSync('/proc/self/status', 'utf8');
	const match = /VmHWM:\s+(\d+) kB/.exec(status);
	return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 1024 / 1024;
}

/** `total` bytes of varied content made on the fly, never held in memory at once. */
function source(total: number, sentHash: ReturnType<typeof createHash>): Readable {
	const block = randomBytes(1024 * 1024);
	let sent = 0;
	let counter = 0;
	return new Readable({
		read() {
			if (sent >= total) {
				this.push(null);
				return;
			}
			const length = Math.min(block.length, total - sent);
			const chunk = Buffer.from(block.subarray(0, length));
			chunk.writeUInt32LE(counter++, 0);
			sentHash.update(chunk);
			sent += length;
			this.push(chunk);
		},
	});
}

const s3 = await startS3rver();
try {
	await s3.createBucket('memory-bench');
	const remote = new S3Remote(
		{preset: 'other', endpoint: s3.endpoint, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, chunk_size: chunkMiB, upload_concurrency: concurrency},
		{bucket: 'memory-bench'},
	);
	const before = peakRssMb();
	let sampledMax = 0;
	const sampler = setInterval(() => {
		sampledMax = Math.max(sampledMax, process.memoryUsage().rss / 1024 / 1024);
	}, 50);
	const started = performance.now();
	const sentHash = createHash('md5');
	await remote.write('one-gib.bin', source(size, sentHash), {size, mtime: Date.now()});
	const seconds = (performance.now() - started) / 1000;
	clearInterval(sampler);
	const check = createHash('md5');
	const download = await remote.read('one-gib.bin');
	let downloaded = 0;
	for await (const chunk of download) {
		check.update(chunk as Buffer);
		downloaded += (chunk as Buffer).length;
	}
	await remote.close();
	const peak = peakRssMb();
	// What came back is what was sent, byte for byte.
	const ok = downloaded === size && check.digest('hex') === sentHash.digest('hex');
	process.stdout.write(
		[
			`upload: ${(size / 1024 ** 3).toFixed(2)} GiB in ${seconds.toFixed(1)} s (${(size / 1024 ** 2 / seconds).toFixed(0)} MiB/s), chunk ${chunkMiB} MiB x ${concurrency} in parallel`,
			`RSS before the upload: ${before.toFixed(0)} MB; sampled peak during the upload: ${sampledMax.toFixed(0)} MB; process peak (VmHWM, incl. the verifying download): ${peak.toFixed(0)} MB`,
			`round trip: ${ok ? 'same size and MD5' : 'MISMATCH'}; target: peak under 200 MB -> ${peak < 200 ? 'met' : 'NOT met'}`,
		].join('\n') + '\n',
	);
	if (!ok) process.exitCode = 1;
} finally {
	await s3.stop();
}
