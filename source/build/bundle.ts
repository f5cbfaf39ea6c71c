/**
 * `npm run build` step: bundles the compiled app (dist/) into dist/app/, one
 * file per entry (the command and the run worker) plus chunks that each load
 * only when used.
 *
 * Four plugins shorten the full-screen app's start and frames:
 * - Ink's string-width goes to ui/string-width.js, which measures our rows
 *   at once and passes anything else to string-width;
 * - string-width's emoji expression is built on its first use, not at load;
 * - Ink's frame-to-text step skips neighbouring characters of the same style;
 * - zod's `locales` namespace (every language's messages, 360 KB of code
 *   the app would parse at every start) is empty. English messages, the only
 *   ones used, are imported by zod's schemas directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build, type Plugin} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'app');

export const narrowStringWidth: Plugin = {
	name: 'narrow-string-width',
	setup(build) {
		const wrapper = path.join(dist, 'ui', 'string-width.js');
		build.onResolve({filter: /^string-width$/}, args => {
			// The wrapper itself, and wrap-ansi (which keeps its own older string-width), get the real one.
			if (args.importer === wrapper || args.importer.includes(`${path.sep}wrap-ansi${path.sep}`)) return undefined;
			return {path: wrapper};
		});
	},
};

/**
 * string-width builds its emoji expression (\p{RGI_Emoji}, thousands of
 * sequences) when it loads: ~25 ms of every start, for text our rows never
 * hold. Here it is built on its first use instead. Should string-width change
 * that line, the build fails rather than quietly losing this.
 */
export const lazyEmojiExpression: Plugin = {
	name: 'lazy-emoji-expression',
	setup(build) {
		const eager = 'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;';
		const lazy = 'let rgiEmojiRegexBuilt; const rgiEmojiRegex = {test: text => (rgiEmojiRegexBuilt ??= new RegExp("^\\\\p{RGI_Emoji}$", "v")).test(text)};';
		// The string-width Ink uses (wrap-ansi keeps an older one, without this expression).
		// esbuild names files by their real path (node_modules may be a link).
		const file = fs.realpathSync(path.join(root, 'node_modules', 'string-width', 'index.js'));
		build.onLoad({filter: /[\\/]string-width[\\/]index\.js$/}, args => {
			if (args.path !== file) return undefined;
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(eager)) throw new Error(`${args.path} no longer has "${eager}": update lazyEmojiExpression in source/build/bundle.ts`);
			return {contents: text.replace(eager, lazy), loader: 'js'};
		});
	},
};

/**
 * Ink turns every frame's grid of styled characters back into text with
 * @alcalzone/ansi-tokenize, which works out the colour change between each
 * pair of neighbouring characters (three Sets and several arrays a
 * character, ~2,000 characters a frame). Neighbours with the very same codes
 * (nearly all of them) change nothing; the patch skips the work for them and
 * keeps it for every other pair, so the text is the same.
 */
export const sameStyleFastPath: Plugin = {
	name: 'same-style-fast-path',
	setup(build) {
		const between = 'ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));';
		const atEnd = 'ret += ansiCodesToString(diffAnsiCodes(char.styles, []));';
		const helper = '\nfunction sameCodes(a, b) { if (a.length !== b.length) return false; for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false; return true; }\n';
		build.onLoad({filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(between) || !text.includes(atEnd)) throw new Error(`${args.path} changed: update sameStyleFastPath in source/build/bundle.ts`);
			const patched = text
				.replace(between, `if (!sameCodes(chars[i - 1].styles, char.styles)) ${between}`)
				.replace(atEnd, `if (char.styles.length > 0) ${atEnd}`);
			return {contents: patched + helper, loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

export const noZodLocales: Plugin = {
	name: 'no-zod-locales',
	setup(build) {
		build.onResolve({filter: /^\.\.\/locales\/index\.js$/}, args =>
			args.importer.includes(`${path.sep}zod${path.sep}`) ? {path: 'zod-locales', namespace: 'cloudsync-empty'} : undefined,
		);
		build.onLoad({filter: /.*/, namespace: 'cloudsync-empty'}, () => ({contents: 'export {};', loader: 'js'}));
	},
};

export async function bundleApp(): Promise<void> {
	fs.rmSync(outdir, {recursive: true, force: true});
	await build({
		entryPoints: [path.join(dist, 'cli.js'), path.join(dist, 'jobs', 'run-worker.js')],
		bundle: true,
		splitting: true,
		format: 'esm',
		platform: 'node',
		target: 'node20',
		outdir,
		entryNames: '[name]',
		chunkNames: '[name]-[hash]',
		external: ['sodium-native', 'react-devtools-core'],
		define: {'process.env.NODE_ENV': '"production"'},
		banner: {js: "import {createRequire as __cloudsyncRequire} from 'node:module'; const require = __cloudsyncRequire(import.meta.url);"},
		plugins: [narrowStringWidth, lazyEmojiExpression, sameStyleFastPath, noZodLocales],
		logLevel: 'warning',
	});
	fs.chmodSync(path.join(outdir, 'cli.js'), 0o755);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleApp();
