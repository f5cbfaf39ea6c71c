/**
 * Counters for a run and a throttled progress reporter (at most one event per
 * `intervalMs`, plus a final one).
 */
import type {CurrentFile, SyncProgress} from './types.js';

const SPEED_WINDOW_MS = 5_000;

export class ProgressTracker {
	filesDone = 0;
	filesTotal = 0;
	bytesDone = 0;
	bytesTotal = 0;
	checked = 0;
	listing = true;
	private readonly current = new Map<number, CurrentFile>();
	private nextId = 0;
	private readonly samples: Array<{at: number; bytes: number}> = [];
	private readonly started = performance.now();
	private timer: NodeJS.Timeout | undefined;
	private dirty = false;

	constructor(
		private readonly listener?: (progress: SyncProgress) => void,
		private readonly intervalMs = 100,
	) {
		if (listener) {
			this.timer = setInterval(() => this.tick(), intervalMs);
			this.timer.unref();
		}
	}

	addPlanned(bytes: number): void {
		this.filesTotal++;
		this.bytesTotal += bytes;
		this.dirty = true;
	}

	addChecked(): void {
		this.checked++;
		this.dirty = true;
	}

	/** Registers a file in flight; returns a handle for `advance` and `finish`. */
	start(path: string, size: number): number {
		const id = this.nextId++;
		this.current.set(id, {path, size, bytes: 0});
		this.dirty = true;
		return id;
	}

	advance(id: number, bytes: number): void {
		const file = this.current.get(id);
		if (file) file.bytes += bytes;
		this.bytesDone += bytes;
		this.dirty = true;
	}

	/** A failed attempt's bytes do not count as done. */
	rewind(id: number): void {
		const file = this.current.get(id);
		if (!file) return;
		this.bytesDone -= file.bytes;
		file.bytes = 0;
	}

	finish(id: number, ok: boolean): void {
		const file = this.current.get(id);
		this.current.delete(id);
		if (ok) this.filesDone++;
		else if (file) {
			this.bytesTotal -= file.size;
			this.filesTotal--;
		}
		this.dirty = true;
	}

	snapshot(): SyncProgress {
		const now = performance.now();
		this.samples.push({at: now, bytes: this.bytesDone});
		while (this.samples.length > 2 && now - this.samples[0]!.at > SPEED_WINDOW_MS) this.samples.shift();
		const first = this.samples[0]!;
		const span = (now - first.at) / 1000;
		const elapsed = (now - this.started) / 1000;
		const speed =
			span > 0.2
				? Math.max(0, (this.bytesDone - first.bytes) / span)
				: elapsed > 0
					? this.bytesDone / elapsed
					: 0;
		const left = Math.max(0, this.bytesTotal - this.bytesDone);
		return {
			filesDone: this.filesDone,
			filesTotal: this.filesTotal,
			bytesDone: this.bytesDone,
			bytesTotal: this.bytesTotal,
			checked: this.checked,
			current: [...this.current.values()].map(f => ({...f})),
			speed,
			etaSeconds: left === 0 ? 0 : speed > 0 ? left / speed : undefined,
			listing: this.listing,
			elapsedMs: now - this.started,
		};
	}

	private tick(): void {
		if (!this.dirty) return;
		this.dirty = false;
		this.listener?.(this.snapshot());
	}

	/** Stops the timer and sends the last event. */
	close(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		this.listing = false;
		this.listener?.(this.snapshot());
	}
}
