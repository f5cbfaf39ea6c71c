/**
 * Time for the scheduler: the real one, or a fake that tests move by hand.
 *
 * Timers take an absolute wall-clock time. The real clock never hands
 * setTimeout more than it can hold (2^31-1 ms, about 24.8 days; beyond that
 * Node fires after 1 ms) and checks the wall clock when a timer fires: if the
 * clock was set back, it waits again. Callers still re-read `now()` when
 * woken, since a timer can also fire late (a suspended machine, a busy loop).
 */

export type CancelTimer = () => void;

export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
	/** Calls `fn` once, at or after the wall-clock time `at`; the returned function cancels it. */
	setTimer(at: number, fn: () => void): CancelTimer;
}

export const maxTimeoutMs = 2 ** 31 - 1;

export function realClock(options: {maxDelayMs?: number} = {}): Clock {
	const maxDelay = Math.min(options.maxDelayMs ?? maxTimeoutMs, maxTimeoutMs);
	return {
		now: () => Date.now(),
		setTimer(at, fn) {
			let handle: NodeJS.Timeout | undefined;
			let cancelled = false;
			const arm = () => {
				const delay = at - Date.now();
				handle = setTimeout(
					() => {
						if (cancelled) return;
						if (Date.now() < at) arm();
						else fn();
					},
					Math.max(0, Math.min(delay, maxDelay)),
				);
			};
			arm();
			return () => {
				cancelled = true;
				if (handle) clearTimeout(handle);
			};
		},
	};
}

type FakeTimer = {id: number; dueMono: number; fn: () => void};

/**
 * A clock that moves only when told. Like the real one it keeps two times: a
 * wall clock that `now()` shows and `jump()` can set, and the monotonic time
 * timers count in, so a jump does not fire or delay timers by itself, just as
 * setTimeout ignores a change of the system clock.
 */
export class FakeClock implements Clock {
	#wall: number;
	#mono = 0;
	#timers: FakeTimer[] = [];
	#nextId = 1;

	constructor(start: number | Date) {
		this.#wall = typeof start === 'number' ? start : start.getTime();
	}

	now(): number {
		return this.#wall;
	}

	setTimer(at: number, fn: () => void): CancelTimer {
		const timer = {id: this.#nextId++, dueMono: this.#mono + Math.max(0, at - this.#wall), fn};
		this.#timers.push(timer);
		return () => {
			this.#timers = this.#timers.filter(other => other !== timer);
		};
	}

	get pendingTimers(): number {
		return this.#timers.length;
	}

	/** Sets the wall clock without moving timers (the system clock was changed). */
	jump(to: number | Date): void {
		this.#wall = typeof to === 'number' ? to : to.getTime();
	}

	/** Lets time pass: fires due timers in order and lets the work they start settle. */
	async advance(ms: number): Promise<void> {
		const endMono = this.#mono + ms;
		await settle();
		for (;;) {
			const due = this.#timers.filter(timer => timer.dueMono <= endMono).sort((a, b) => a.dueMono - b.dueMono || a.id - b.id)[0];
			if (!due) break;
			this.#timers = this.#timers.filter(timer => timer !== due);
			this.#wall += due.dueMono - this.#mono;
			this.#mono = due.dueMono;
			due.fn();
			await settle();
		}
		this.#wall += endMono - this.#mono;
		this.#mono = endMono;
		await settle();
	}

	async advanceTo(to: number | Date): Promise<void> {
		const target = typeof to === 'number' ? to : to.getTime();
		await this.advance(Math.max(0, target - this.#wall));
	}
}

/** Lets promise chains started by a timer run to their end (they only wait on each other, not on real I/O). */
async function settle(): Promise<void> {
	for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve));
}
