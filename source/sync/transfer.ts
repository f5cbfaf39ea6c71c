/**
 * One file copy: read from the source, pace it through the bandwidth bucket,
 * count it for progress, write it atomically to the destination, and verify
 * what was stored: the size always; the MD5 the destination reports against
 * the one the source listed, where both exist. (Remotes that hash what they
 * send, like S3 against its ETag, check their own bytes; hashing the stream a
 * second time here cost W2 a full extra MD5 pass for nothing.)
 */
import {Transform, type Duplex, type TransformCallback} from 'node:stream';
import {CloudSyncError} from '../core/errors.js';
import type {Entry, Remote, WriteOptions} from '../providers/remote.js';
import type {TokenBucket} from './bwlimit-runtime.js';
import type {ProgressTracker} from './progress.js';

export type TransferContext = {
	source: Remote;
	destination: Remote;
	bucket?: TokenBucket;
	progress: ProgressTracker;
	preserveMetadata: boolean;
	signal?: AbortSignal;
};

class Meter extends Transform {
	bytes = 0;
	constructor(private readonly onBytes: (n: number) => void) {
		super();
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.bytes += chunk.length;
		this.onBytes(chunk.length);
		callback(null, chunk);
	}
}

/**
 * Pipes each stream into the next and returns the last. An error in one
 * destroys the next with it (so it reaches the writer, which reads the last);
 * a stream that closes early (the writer gave up) destroys the one before.
 * What stream.pipeline does, without the AbortController it makes and aborts
 * per call: about 0.15 ms of CPU for every small file copied.
 */
function connect(streams: Duplex[]): Duplex {
	for (let i = 0; i + 1 < streams.length; i++) {
		const from = streams[i]!;
		const to = streams[i + 1]!;
		from.pipe(to);
		from.on('error', error => to.destroy(error));
		to.once('close', () => {
			if (!from.destroyed) from.destroy();
		});
	}
	const last = streams[streams.length - 1]!;
	// The writer may not be reading yet (it makes folders and opens files first);
	// a destroyed stream keeps its error, and the writer meets it when it reads.
	last.on('error', () => undefined);
	return last;
}

/** One attempt at copying `entry`; throws on failure, leaving nothing under the final name. */
export async function transferFile(context: TransferContext, entry: Entry, handle: number): Promise<Entry> {
	const {source, destination, progress, signal} = context;
	// On local disks, a read bounded to the listed size plus one byte makes the
	// stream allocate buffers of that size instead of its 1 MiB default (most
	// of the CPU of pushing many small files went to collecting those), and the
	// extra byte still shows a file that grew since it was listed.
	const range = source.features.slowHash && entry.size > 0 ? {start: 0, end: entry.size} : undefined;
	const body = await source.read(entry.path, range, {signal});
	const meter = new Meter(n => progress.advance(handle, n));
	const stages: NodeJS.ReadWriteStream[] = context.bucket?.limited ? [context.bucket.throttle(signal)] : [];
	const stream = connect([body, ...stages, meter] as unknown as Duplex[]) as Meter;
	const options: WriteOptions = {size: entry.size, mtime: entry.mtime, mtimeNs: entry.mtimeNs, signal};
	if (entry.hashes) options.hashes = entry.hashes;
	if (context.preserveMetadata && source.features.posixMetadata && destination.features.posixMetadata) {
		if (entry.mode !== undefined) options.mode = entry.mode;
		if (entry.uid !== undefined) options.uid = entry.uid;
		if (entry.gid !== undefined) options.gid = entry.gid;
	}
	let written: Entry;
	try {
		written = await destination.write(entry.path, stream, options);
	} finally {
		if (!body.destroyed) body.destroy();
	}
	if (meter.bytes !== entry.size) {
		throw new CloudSyncError(
			'transient',
			`"${entry.path}" changed while it was copied (listed ${entry.size} bytes, read ${meter.bytes}); it will be copied again.`,
		);
	}
	if (written.size !== entry.size) {
		throw new CloudSyncError(
			'transient',
			`The copy of "${entry.path}" has ${written.size} bytes instead of ${entry.size}; it will be copied again.`,
		);
	}
	const expected = entry.hashes?.md5;
	const stored = written.hashes?.md5;
	if (expected && stored && expected.toLowerCase() !== stored.toLowerCase()) {
		throw new CloudSyncError(
			'transient',
			`The copy of "${entry.path}" does not match its source (MD5 ${stored} instead of ${expected}); it will be copied again.`,
		);
	}
	return written;
}
