/**
 * One cloudsync run for the benchmarks, in its own process: reads a JSON
 * config on stdin (keys never in argv), runs the engine in-process and prints
 * {seconds, rssMb, counts, ok} as JSON.
 *
 * config: {mode, transfers?, checkers?, source: Side, destination: Side}
 * Side: {type: 'local', root} | {type: 's3', endpoint, bucket, folder, accessKeyId, secretAccessKey, mtimeIndexFile?}
 */
import type {Remote} from '../source/providers/remote.js';
import {LocalRemote} from '../source/providers/local.js';
import {runSync} from '../source/sync/engine.js';
import type {SyncMode} from '../source/sync/types.js';

type Side =
	| {type: 'local'; root: string}
	| {type: 's3'; endpoint: string; bucket: string; folder: string; accessKeyId: string; secretAccessKey: string; mtimeIndexFile?: string};
type Config = {mode: SyncMode; transfers?: number; checkers?: number; source: Side; destination: Side};

async function open(side: Side): Promise<Remote> {
	if (side.type === 'local') return new LocalRemote(side.root);
	const {openS3ForBench} = await import('./s3-open.js');
	return openS3ForBench(side);
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const config = JSON.parse(input) as Config;
const started = performance.now();
const source = await open(config.source);
const destination = await open(config.destination);
const result = await runSync({source, destination, mode: config.mode, transfers: config.transfers, checkers: config.checkers});
await source.close?.();
await destination.close?.();
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
	JSON.stringify({seconds, rssMb: process.resourceUsage().maxRSS / 1024, ok: result.ok, counts: result.counts, errors: result.errors.slice(0, 3)}),
);
if (!result.ok) process.exitCode = 1;
