/**
 * Patches of library code for the full-screen app's start and frames,
 * applied as esbuild plugins by the bundle step (bundle.ts):
 * - Ink's string-width goes to ui/string-width.js, which measures our rows
 *   at once and passes anything else to string-width;
 * - string-width's emoji expression is built on its first use, not at load;
 * - Ink's frame-to-text step skips neighbouring characters of the same style,
 *   and characters between two style codes share one style list;
 * - Ink's blank cells are one shared object, not 1,920 new ones a frame;
 * - zod's `locales` namespace (every language's messages, 360 KB of code
 *   the app would parse at every start) is empty. English messages, the only
 *   ones used, are imported by zod's schemas directly;
 * - yoga's WebAssembly is decoded from base64 by Node, not in JavaScript;
 * - yoga's and Ink's top-level awaits, which CommonJS cannot have, are taken
 *   out.
 * Each matches exact library text and fails the build when an update changes
 * it; tests hold the patched code to the original.
 */
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Plugin} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');

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
			if (!text.includes(eager)) throw new Error(`${args.path} no longer has "${eager}": update lazyEmojiExpression in source/build/library-patches.ts`);
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
 * keeps it for every other pair, so the text is the same. Turning text into
 * styled characters also gave each character its own copy of the style
 * list; characters between two codes now share the list (a new one is made
 * at each code, and none is ever changed in place).
 */
export const sameStyleFastPath: Plugin = {
	name: 'same-style-fast-path',
	setup(build) {
		const between = 'ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));';
		const atEnd = 'ret += ansiCodesToString(diffAnsiCodes(char.styles, []));';
		// Each character got its own copy of the style list and of its token; the list is replaced, never changed, when a code comes.
		const copies = `            ret.push({
                ...token,
                styles: [...codes],
            });`;
		const shared = '            ret.push({ type: token.type, value: token.value, fullWidth: token.fullWidth, styles: codes });';
		const helper = '\nfunction sameCodes(a, b) { if (a === b) return true; if (a.length !== b.length) return false; for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false; return true; }\n';
		build.onLoad({filter: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(between) || !text.includes(atEnd) || !text.includes(copies)) throw new Error(`${args.path} changed: update sameStyleFastPath in source/build/library-patches.ts`);
			const patched = text
				.replace(between, `if (!sameCodes(chars[i - 1].styles, char.styles)) ${between}`)
				.replace(atEnd, `if (char.styles.length > 0) ${atEnd}`)
				.replace(copies, shared);
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

/**
 * Ink draws each frame on a grid of cells that starts blank: it made a new
 * blank cell object (and an empty style array) for each of the 1,920 cells
 * of an 80x24 screen, every frame. A cell is only ever replaced, never
 * changed, so here every blank cell is one shared, frozen object.
 */
export const inkSharedBlankCell: Plugin = {
	name: 'ink-shared-blank-cell',
	setup(build) {
		const perCell = `            for (let x = 0; x < this.width; x++) {
                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });
            }`;
		const shared = `            for (let x = 0; x < this.width; x++) {
                row.push(blankCell);
            }`;
		const blank = "\nconst blankCell = Object.freeze({type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([])});\n";
		build.onLoad({filter: /[\\/]ink[\\/]build[\\/]output\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(perCell)) throw new Error(`${args.path} changed: update inkSharedBlankCell in source/build/library-patches.ts`);
			return {contents: text.replace(perCell, shared) + blank, loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

/**
 * yoga (Ink's layout engine) sets itself up with a top-level await, which
 * CommonJS cannot have. Here its module starts the same set-up and exports
 * the promise (as `yogaReady`, which ui/yoga-ready.js becomes below); Ink
 * reads yoga only when it draws, which the app does after awaiting it.
 */
export const yogaWithoutTopLevelAwait: Plugin = {
	name: 'yoga-without-top-level-await',
	setup(build) {
		const eager = 'const Yoga = wrapAssembly(await loadYoga());\nexport default Yoga;';
		const later = 'let Yoga;\nexport const yogaReady = () => ready;\nconst ready = loadYoga().then(loaded => {\n\tYoga = wrapAssembly(loaded);\n});\nexport {Yoga as default};';
		build.onLoad({filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(eager)) throw new Error(`${args.path} changed: update yogaWithoutTopLevelAwait in source/build/library-patches.ts`);
			return {contents: text.replace(eager, later), loader: 'js', resolveDir: path.dirname(args.path)};
		});
		const readyModule = path.join(dist, 'ui', 'yoga-ready.js');
		build.onLoad({filter: /[\\/]ui[\\/]yoga-ready\.js$/}, args =>
			args.path === readyModule ? {contents: "export {yogaReady} from 'yoga-layout';", loader: 'js', resolveDir: root} : undefined,
		);
	},
};

/**
 * yoga's WebAssembly is a base64 string in its module, which its loader
 * decodes in JavaScript one character at a time (~5 ms of every start). Node
 * decodes it natively; the bytes are the same.
 */
export const yogaNativeBase64: Plugin = {
	name: 'yoga-native-base64',
	setup(build) {
		const slow = 'var b=xa(a.slice(37)),c=new Uint8Array(b.length);for(a=0;a<b.length;++a)c[a]=b.charCodeAt(a);var d=c';
		const fast = 'var d=new Uint8Array(Buffer.from(a.slice(37),"base64"))';
		build.onLoad({filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(slow)) throw new Error(`${args.path} changed: update yogaNativeBase64 in source/build/library-patches.ts`);
			return {contents: text.replace(slow, fast), loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

/**
 * Ink's reconciler has two top-level awaits, both only when `DEV=true`: it
 * connects React's devtools (not part of this program: `react-devtools-core`
 * is not installed) and reads Ink's package.json for them. In the bundle the
 * first says the devtools are missing, as Ink does when they are not
 * installed, and the second is not needed.
 */
export const inkWithoutTopLevelAwait: Plugin = {
	name: 'ink-without-top-level-await',
	setup(build) {
		const devtools = "await import('./devtools.js');";
		const missing = "throw Object.assign(new Error('react-devtools-core is not part of cloudsync'), {code: 'ERR_MODULE_NOT_FOUND'});";
		const manifest = '? await loadPackageJson()';
		build.onLoad({filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/}, args => {
			const text = fs.readFileSync(args.path, 'utf8');
			if (!text.includes(devtools) || !text.includes(manifest)) throw new Error(`${args.path} changed: update inkWithoutTopLevelAwait in source/build/library-patches.ts`);
			return {contents: text.replace(devtools, missing).replace(manifest, '? {name: undefined, version: undefined}'), loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

/** All of them, in the order the bundle step applies them. */
export const libraryPatches: Plugin[] = [
	narrowStringWidth,
	lazyEmojiExpression,
	sameStyleFastPath,
	inkSharedBlankCell,
	noZodLocales,
	yogaWithoutTopLevelAwait,
	yogaNativeBase64,
	inkWithoutTopLevelAwait,
];
