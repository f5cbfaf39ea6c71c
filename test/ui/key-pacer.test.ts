import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {KeyPacer, splitKeys} from '../../source/ui/key-pacer.js';

describe('key pacer', () => {
	it('splits input into keys, keeping escape sequences and astral characters whole', () => {
		expect(splitKeys('ab\tc')).toEqual(['a', 'b', '\t', 'c']);
		expect(splitKeys('x\u001B[Ay\u001B[1;5Cz')).toEqual(['x', '\u001B[A', 'y', '\u001B[1;5C', 'z']);
		expect(splitKeys('\u001BOP\u001Bq\u001B')).toEqual(['\u001BOP', '\u001Bq', '\u001B']);
		expect(splitKeys('😀é\r')).toEqual(['😀', 'é', '\r']);
		expect(splitKeys('\u001B\u001B[B')).toEqual(['\u001B', '\u001B[B']);
	});

	it('hands keys that arrived together to the reader one at a time, each after the app says it is done', async () => {
		const real = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => undefined, ref: () => undefined, unref: () => undefined}) as unknown as NodeJS.ReadStream;
		const pacer = new KeyPacer(real);
		const reads: string[][] = [];
		pacer.input.on('readable', () => {
			const batch: string[] = [];
			let chunk: string | null;
			while ((chunk = pacer.input.read() as string | null) !== null) batch.push(chunk);
			if (batch.length > 0) reads.push(batch);
		});
		(real as unknown as PassThrough).write('ab\u001B[Bc');
		const tick = () => new Promise(resolve => setTimeout(resolve, 10));
		await tick();
		expect(reads).toEqual([['a']]);
		pacer.keyDone();
		await tick();
		expect(reads).toEqual([['a'], ['b']]);
		pacer.keyDone();
		await tick();
		pacer.keyDone();
		await tick();
		expect(reads).toEqual([['a'], ['b'], ['\u001B[B'], ['c']]);
		pacer.input.destroy();
	});

	it('sends the next key anyway when the app never reports', async () => {
		const real = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => undefined, ref: () => undefined, unref: () => undefined}) as unknown as NodeJS.ReadStream;
		const pacer = new KeyPacer(real);
		const reads: string[] = [];
		pacer.input.on('readable', () => {
			let chunk: string | null;
			while ((chunk = pacer.input.read() as string | null) !== null) reads.push(chunk);
		});
		(real as unknown as PassThrough).write('xy');
		await new Promise(resolve => setTimeout(resolve, 1200));
		expect(reads).toEqual(['x', 'y']);
		pacer.input.destroy();
	});
});
