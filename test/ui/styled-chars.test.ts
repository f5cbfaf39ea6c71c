import fs from 'node:fs';
import {styledCharsFromTokens, styledCharsToString, tokenize} from '@alcalzone/ansi-tokenize';
import {expect, test} from 'vitest';
import {tempDir} from '../support/home.js';
import {seededSamples} from '../support/samples.js';

type Module = {styledCharsFromTokens: typeof styledCharsFromTokens; styledCharsToString: typeof styledCharsToString; tokenize: typeof tokenize};

/** Lines as Ink's rows hold them: text with colour, bold, inverse and resets, nested and repeated. */
function* lines(): Generator<string> {
	const pool = ['a', 'b', ' ', '›', '█', '\u001B[31m', '\u001B[39m', '\u001B[1m', '\u001B[22m', '\u001B[7m', '\u001B[27m', '\u001B[0m', '\u001B[38;5;12m', '\u001B[46m', '\u001B[49m', '\u001B[2m', 'never run', 'SUCCESS'];
	yield '';
	yield 'plain text';
	yield* seededSamples(pool, 77, 14);
}

test("the bundle's ansi-tokenize, which skips neighbours of the same style, writes the same text as the original", async () => {
	const {build} = await import('esbuild');
	const {sameStyleFastPath} = await import('../../source/build/library-patches.js');
	const out = `${await tempDir('cloudsync-styled-chars-')}/ansi-tokenize.mjs`;
	await build({stdin: {contents: "export * from '@alcalzone/ansi-tokenize';", resolveDir: process.cwd()}, bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: out, plugins: [sameStyleFastPath], logLevel: 'silent'});
	expect(fs.readFileSync(out, 'utf8')).toContain('function sameCodes(');
	const patched = (await import(out)) as Module;
	for (const line of lines()) {
		const expected = styledCharsToString(styledCharsFromTokens(tokenize(line)));
		expect(patched.styledCharsToString(patched.styledCharsFromTokens(patched.tokenize(line))), JSON.stringify(line)).toBe(expected);
		// Ink's frame grid: blank cells each with their own empty style list, between styled characters.
		const cells = [...styledCharsFromTokens(tokenize(line)), {type: 'char' as const, value: ' ', fullWidth: false, styles: []}, ...styledCharsFromTokens(tokenize(line))];
		expect(patched.styledCharsToString(cells), `${JSON.stringify(line)} in a grid`).toBe(styledCharsToString(cells));
	}
});

test("the bundle's Ink output grid, with one shared blank cell, draws the same frames as the original", async () => {
	const {build} = await import('esbuild');
	const {inkSharedBlankCell, sameStyleFastPath} = await import('../../source/build/library-patches.js');
	const dir = await tempDir('cloudsync-ink-output-');
	const outputFile = fs.realpathSync('node_modules/ink/build/output.js');
	const bundle = async (plugins: Array<typeof inkSharedBlankCell>, name: string) => {
		await build({stdin: {contents: `export {default} from ${JSON.stringify(outputFile)};`, resolveDir: process.cwd()}, bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: `${dir}/${name}.mjs`, plugins, logLevel: 'silent'});
		return ((await import(`${dir}/${name}.mjs`)) as {default: new (options: {width: number; height: number}) => InkOutput}).default;
	};
	type InkOutput = {write(x: number, y: number, text: string, options: {transformers: Array<(line: string, index: number) => string>}): void; clip(clip: {x1?: number; x2?: number; y1?: number; y2?: number}): void; unclip(): void; get(): {output: string; height: number}};
	const Original = await bundle([], 'original');
	const Patched = await bundle([inkSharedBlankCell, sameStyleFastPath], 'patched');
	expect(fs.readFileSync(`${dir}/patched.mjs`, 'utf8')).toContain('row.push(blankCell)');
	const all = [...lines()];
	let seed = 5;
	const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
	for (let frame = 0; frame < 200; frame++) {
		const [original, patched] = [new Original({width: 40, height: 12}), new Patched({width: 40, height: 12})];
		for (let op = 0; op < 12; op++) {
			const kind = next(6);
			const text = `${all[next(all.length)]}\n${all[next(all.length)]}`;
			const [x, y] = [next(44) - 2, next(14) - 1];
			const clip = {x1: next(20), x2: 20 + next(20), y1: next(6), y2: 6 + next(6)};
			for (const output of [original, patched]) {
				if (kind === 0) output.clip(clip);
				else if (kind === 1) output.unclip();
				else output.write(x, y, text, {transformers: kind === 2 ? [(line, index) => `${index}:${line}`] : []});
			}
		}
		expect(patched.get(), `frame ${frame}`).toEqual(original.get());
	}
});
