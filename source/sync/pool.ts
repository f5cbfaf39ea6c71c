/**
 * A bounded set of concurrent tasks. `submit` waits for a free slot, so a
 * producer that submits in a loop is held back (the bounded queue between
 * stages); `drain` waits for everything in flight.
 */
export class TaskPool {
	private running = 0;
	private readonly waiting: Array<() => void> = [];
	private readonly idle: Array<() => void> = [];

	constructor(readonly size: number) {
		if (!(size >= 1)) throw new Error('a task pool needs at least one slot');
	}

	/** Starts `task` once a slot is free. `task` must not throw. */
	async submit(task: () => Promise<void>): Promise<void> {
		while (this.running >= this.size) await new Promise<void>(resolve => this.waiting.push(resolve));
		this.running++;
		void task().finally(() => {
			this.running--;
			this.waiting.shift()?.();
			if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
		});
	}

	async drain(): Promise<void> {
		if (this.running === 0) return;
		await new Promise<void>(resolve => this.idle.push(resolve));
	}
}
