/**
 * rclone's include/exclude rules turned into a matcher. Pure: no I/O.
 *
 * Semantics (as rclone documents and does):
 * - A rule is a glob: `*` any run of non-'/' characters, `**` anything,
 *   `?` one non-'/' character, `[...]` a character class, `{a,b}` alternatives,
 *   `\x` a literal x. A leading '/' anchors at the root, otherwise the glob
 *   matches a whole trailing part of the path (after a '/').
 * - A trailing '/' makes a directory rule; excluding `dir/` is excluding `dir/**`.
 * - Rules are tried in order (includes first, then excludes); the first match
 *   wins. When any include is given, everything else is excluded.
 * - A file is included only if every directory above it is included too
 *   (rclone does not descend into excluded directories).
 */
import {CloudSyncError} from './errors.js';

export type FilterOptions = {include?: string[]; exclude?: string[]};

type Rule = {include: boolean; pattern: RegExp};

export type PathFilter = {
	/** True when nothing is filtered (the fast path). */
	readonly empty: boolean;
	includesFile(path: string): boolean;
	includesDirectory(path: string): boolean;
};

export function globToRegExp(glob: string): RegExp {
	let out = '';
	let anchored = false;
	let rest = glob;
	if (rest.startsWith('/')) {
		anchored = true;
		rest = rest.slice(1);
	}
	out += anchored ? '^' : '(^|/)';
	let inBraces = false;
	for (let i = 0; i < rest.length; i++) {
		const c = rest[i]!;
		if (c === '\\') {
			if (i + 1 >= rest.length) throw bad(glob, 'it ends with a lone backslash');
			out += escapeRegExp(rest[++i]!);
		} else if (c === '*') {
			if (rest[i + 1] === '*') {
				out += '.*';
				i++;
			} else {
				out += '[^/]*';
			}
		} else if (c === '?') {
			out += '[^/]';
		} else if (c === '[') {
			const end = findClassEnd(rest, i);
			if (end < 0) throw bad(glob, 'a "[" is not closed');
			let body = rest.slice(i + 1, end);
			let negate = false;
			// As in rclone (Go regexp classes), only '^' negates; '!' is literal.
			if (body.startsWith('^')) {
				negate = true;
				body = body.slice(1);
			}
			out += `[${negate ? '^' : ''}${classBody(body)}]`;
			i = end;
		} else if (c === '{') {
			if (inBraces) throw bad(glob, 'braces cannot be nested');
			inBraces = true;
			out += '(?:';
		} else if (c === ',' && inBraces) {
			out += '|';
		} else if (c === '}' && inBraces) {
			inBraces = false;
			out += ')';
		} else {
			out += escapeRegExp(c);
		}
	}
	if (inBraces) throw bad(glob, 'a "{" is not closed');
	out += '$';
	return new RegExp(out, 'u');
}

function findClassEnd(text: string, start: number): number {
	let i = start + 1;
	if (text[i] === '^') i++;
	if (text[i] === ']') i++;
	for (; i < text.length; i++) {
		if (text[i] === '\\') {
			i++;
			continue;
		}
		if (text[i] === ']') return i;
	}
	return -1;
}

function classBody(body: string): string {
	let out = '';
	for (let i = 0; i < body.length; i++) {
		let c = body[i]!;
		if (c === '\\' && i + 1 < body.length) c = body[++i]!;
		else if (c === '-') {
			out += c;
			continue;
		}
		out += /[\][^\\-]/.test(c) ? `\\${c}` : c;
	}
	return out;
}

function escapeRegExp(c: string): string {
	return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function bad(glob: string, why: string): CloudSyncError {
	return new CloudSyncError('usage', `The filter rule "${glob}" is not valid: ${why}; fix the rule and try again.`);
}

/**
 * The directory globs an anchored include needs so that the directories that
 * could hold its matches are walked: `/a/b/*.txt` needs `/a/` and `/a/b/`.
 * Returns undefined when any directory could hold a match.
 */
function directoryGlobsFor(glob: string): string[] | undefined {
	if (!glob.startsWith('/')) return undefined;
	const out: string[] = [];
	const parts = glob.slice(1).split('/');
	parts.pop();
	let prefix = '/';
	for (const part of parts) {
		if (part.includes('**')) {
			out.push(`${prefix}**`);
			return out;
		}
		prefix += `${part}/`;
		out.push(prefix);
	}
	return out;
}

export function compileFilter(options: FilterOptions = {}): PathFilter {
	const include = options.include ?? [];
	const exclude = options.exclude ?? [];
	const fileRules: Rule[] = [];
	const dirRules: Rule[] = [];
	const add = (isInclude: boolean, original: string) => {
		let glob = original.trim();
		if (glob.length === 0) throw bad(original, 'it is empty');
		let isDirRule = glob.endsWith('/');
		let isFileRule = !isDirRule;
		if (isDirRule && !isInclude) glob += '**';
		if (glob.includes('**')) {
			isDirRule = true;
			isFileRule = true;
		}
		const pattern = globToRegExp(glob);
		if (isFileRule) {
			fileRules.push({include: isInclude, pattern});
			if (isInclude) {
				const dirs = directoryGlobsFor(glob);
				if (dirs === undefined) dirRules.push({include: true, pattern: /^/});
				else for (const dir of dirs) dirRules.push({include: true, pattern: globToRegExp(dir)});
			}
		}
		if (isDirRule) dirRules.push({include: isInclude, pattern});
	};
	for (const rule of include) add(true, rule);
	for (const rule of exclude) add(false, rule);
	if (include.length > 0) add(false, '/**');
	const empty = fileRules.length === 0 && dirRules.length === 0;
	const firstMatch = (rules: Rule[], text: string) => {
		for (const rule of rules) if (rule.pattern.test(text)) return rule.include;
		return true;
	};
	const dirCache = new Map<string, boolean>();
	const includesDirectory = (path: string): boolean => {
		if (path === '') return true;
		const cached = dirCache.get(path);
		if (cached !== undefined) return cached;
		const slash = path.lastIndexOf('/');
		const parentOk = slash < 0 ? true : includesDirectory(path.slice(0, slash));
		const ok = parentOk && firstMatch(dirRules, `${path}/`);
		// One walk visits directories in order; a small cache of recent ones is enough.
		if (dirCache.size > 4096) dirCache.clear();
		dirCache.set(path, ok);
		return ok;
	};
	return {
		empty,
		includesDirectory: empty ? () => true : includesDirectory,
		includesFile: empty
			? () => true
			: (path: string) => {
					const slash = path.lastIndexOf('/');
					if (slash >= 0 && !includesDirectory(path.slice(0, slash))) return false;
					return firstMatch(fileRules, path);
				},
	};
}
