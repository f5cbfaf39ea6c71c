/**
 * A token bucket shared by all transfers of a run. The rate comes from the
 * bandwidth timetable and is looked up again on every chunk, so a timetable
 * boundary crossed during a run changes the rate at once.
 */
import {Transform, type TransformCallback} from 'node:stream';
import {parseBwLimit, rateAt, type BwTimetable} from '../core/bwlimit.js';
import {realSleep, type Sleep} from './retry.js';

export type BucketClock = {
	/** Timetable time (wall clock, possibly fake). */
	clock: () => number;
	/** Monotonic time used to refill the bucket. */
	now: () => number;
	sleep: Sleep;
};

const SLICE = 64 * 1024;

/** Longest single wait, so a rate change is noticed quickly. */
const MAX_WAIT_MS = 200;

export class TokenBucket {
	private tokens = 0;
	private last: number;
	private lastRate: number | undefined;
	readonly table: BwTimetable;

	constructor(
		bwlimit: string | BwTimetable | undefined,
		private readonly time: BucketClock = {clock: Date.now, now: () => performance.now(), sleep: realSleep},
		private readonly direction: 'upload' | 'download' = 'upload',
	) {
		this.table = typeof bwlimit === 'object' ? bwlimit : parseBwLimit(bwlimit);
		this.last = time.now();
	}

	get limited(): boolean {
		return this.table.slots.length > 0;
	}

	rate(): number | undefined {
		return rateAt(this.table, this.time.clock(), this.direction);
	}

	private refill(rate: number): void {
		const now = this.time.now();
		const burst = Math.max(rate / 4, 16 * 1024);
		if (this.lastRate !== rate) this.tokens = Math.min(this.tokens, burst);
		this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * rate);
		this.last = now;
		this.lastRate = rate;
	}

	/** Waits until `bytes` may pass at the rate in force. */
	async take(bytes: number, signal?: AbortSignal): Promise<void> {
		let rate = this.rate();
		if (rate === undefined) {
			this.lastRate = undefined;
			this.tokens = 0;
			this.last = this.time.now();
			return;
		}
		this.refill(rate);
		this.tokens -= bytes;
		while (this.tokens < 0) {
			const wait = Math.min(MAX_WAIT_MS, (-this.tokens / rate) * 1000);
			await this.time.sleep(Math.max(1, wait), signal);
			const next = this.rate();
			if (next === undefined) {
				this.tokens = 0;
				return;
			}
			rate = next;
			this.refill(rate);
		}
	}

	/** A pass-through stream that paces the bytes flowing through it. */
	throttle(signal?: AbortSignal): Transform {
		const bucket = this;
		return new Transform({
			transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
				// Large reads are paced in slices so the flow (and progress) stays smooth.
				const pace = async () => {
					for (let at = 0; at < chunk.length; at += SLICE) {
						const slice = chunk.subarray(at, Math.min(chunk.length, at + SLICE));
						await bucket.take(slice.length, signal);
						this.push(slice);
					}
				};
				pace().then(() => callback(), callback);
			},
		});
	}
}
