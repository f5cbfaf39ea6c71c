import stringWidthOriginal from 'string-width';
import {describe, expect, test} from 'vitest';
import stringWidth, {narrowSymbols} from '../../source/ui/string-width.js';
import {seededSamples} from '../support/samples.js';

/** Deterministic pseudo-random strings mixing the symbols we draw with ones that need string-width's full rules. */
function* samples(): Generator<string> {
	const pool = ['a', 'Z', ' ', '~', '›', '│', '…', '█', '░', '▾', '✓', '✗', '●', '\u001B[7m', '\u001B[39m', '\u001B[38;5;12m', '\u001B[', '\u001B[1', '\u001B[2J', '\u001B]8;;x\u0007', '\u001B', '\t', '\n', 'ü', 'é', 'e\u0301', '\u00AD', '\u200B', '\u203C', '\u2194', '\u25B6', '\u25FB', '\u2714', '👍', '한', '中', '\uFE0F', '\u0300'];
	yield '';
	yield '› 12   Photos 2              PUSH SYNC daily at 00:00    tomorrow 00:00  SUCCESS 12:01';
	yield* seededSamples(pool, 4242, 10);
}

describe("Ink's string-width, answered at once for the symbols we draw", () => {
	test('every listed symbol is one column for string-width too (neither emoji, wide nor zero-width)', () => {
		expect(narrowSymbols().length).toBeGreaterThan(95 + 100);
		for (const code of narrowSymbols()) {
			const symbol = String.fromCharCode(code);
			expect(stringWidthOriginal(symbol), `U+${code.toString(16)}`).toBe(1);
			expect(stringWidthOriginal(`a${symbol}b`), `U+${code.toString(16)} between letters`).toBe(3);
		}
	});

	test('measures every sample exactly as string-width does', () => {
		for (const text of samples()) expect(stringWidth(text), JSON.stringify(text)).toBe(stringWidthOriginal(text));
	});

	test('passes options through', () => {
		expect(stringWidth('\u001B[7mab', {countAnsiEscapeCodes: true})).toBe(stringWidthOriginal('\u001B[7mab', {countAnsiEscapeCodes: true}));
		expect(stringWidth('…', {ambiguousIsNarrow: false})).toBe(2);
	});

	test("the bundle's string-width, which builds its emoji expression on first use, measures as string-width does", async () => {
		const {build} = await import('esbuild');
		const {lazyEmojiExpression} = await import('../../source/build/library-patches.js');
		const {tempDir} = await import('../support/home.js');
		const out = `${await tempDir('cloudsync-string-width-')}/string-width.mjs`;
		await build({stdin: {contents: "export {default} from 'string-width';", resolveDir: process.cwd()}, bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: out, plugins: [lazyEmojiExpression], logLevel: 'silent'});
		expect((await import('node:fs')).readFileSync(out, 'utf8')).toContain('rgiEmojiRegexBuilt');
		const bundled = ((await import(out)) as {default: typeof stringWidthOriginal}).default;
		for (const text of samples()) expect(bundled(text), JSON.stringify(text)).toBe(stringWidthOriginal(text));
		expect(bundled('👍🇩🇪')).toBe(4);
	});

	test('the bundled app measures with it', async () => {
		const fs = await import('node:fs');
		const app = fs.readdirSync('dist/app').filter(name => name.endsWith('.js'));
		const withWrapper = app.filter(name => fs.readFileSync(`dist/app/${name}`, 'utf8').includes('function colourEscapeEnd('));
		expect(withWrapper.length).toBe(1);
	});
});
