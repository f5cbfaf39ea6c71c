/**
 * A list of paths kept for later (SYNC's deletions, which wait for every
 * transfer). Beyond a few thousand entries it spills to a temporary file so
 * memory stays flat however many files are to be deleted.
 */
import {createReadStream} from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';

const IN_MEMORY = 5_000;

export class DeferredPaths {
	private memory: string[] = [];
	private file: string | undefined;
	count = 0;

	async push(item: string): Promise<void> {
		this.count++;
		this.memory.push(item);
		if (this.memory.length >= IN_MEMORY) await this.spill();
	}

	private async spill(): Promise<void> {
		if (!this.file) {
			const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cloudsync-deferred-'));
			this.file = path.join(dir, 'paths.jsonl');
		}
		const lines = this.memory.map(p => `${JSON.stringify(p)}\n`).join('');
		this.memory = [];
		await fs.appendFile(this.file, lines);
	}

	async *items(): AsyncGenerator<string> {
		if (this.file) {
			await this.spill();
			const lines = createInterface({input: createReadStream(this.file), crlfDelay: Infinity});
			for await (const line of lines) if (line) yield JSON.parse(line) as string;
		} else {
			yield* this.memory;
		}
	}

	async dispose(): Promise<void> {
		this.memory = [];
		if (this.file) await fs.rm(path.dirname(this.file), {recursive: true, force: true});
		this.file = undefined;
	}
}
