import fs from 'node:fs';
import {styledCharsFromTokens, styledCharsToString, tokenize} from '@alcalzone/ansi-tokenize';
import {expect, test} from 'vitest';
import {tempDir} from '../support/home.js';

type Module = {styledCharsFromTokens: typeof styledCharsFromTokens; styledCharsToString: typeof styledCharsToString; tokenize: typeof tokenize};

/** Lines as Ink's rows hold them: text with colour, bold, inverse and resets, nested and repeated. */
function* lines(): Generator<string> {
	const pool = ['a', 'b', ' ', '›', '█', '\u001B[31m', '\u001B[39m', '\u001B[1m', '\u001B[22m', '\u001B[7m', '\u001B[27m', '\u001B[0m', '\u001B[38;5;12m', '\u001B[46m', '\u001B[49m', '\u001B[2m', 'never run', 'SUCCESS'];
	let seed = 77;
	const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
	yield '';
	yield 'plain text';
	for (let i = 0; i < 3000; i++) {
		let line = '';
		for (let j = next() % 14; j > 0; j--) line += pool[next() % pool.length];
		yield line;
	}
}

test("the bundle's ansi-tokenize, which skips neighbours of the same style, writes the same text as the original", async () => {
	const {build} = await import('esbuild');
	const {sameStyleFastPath} = await import('../../source/build/bundle.js');
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
