/**
 * Finds where a JSON text first goes wrong, as a line and column, because
 * V8's JSON.parse messages often omit the position. Returns undefined for
 * valid JSON.
 */
export type JsonErrorLocation = {line: number; column: number; problem: string};

export function locateJsonError(text: string): JsonErrorLocation | undefined {
	return scanJson(text);
}

/**
 * The line on which the value at `path` (e.g. ['tasks', 0, 'direction']) starts;
 * for a missing property, the line of its closest existing parent.
 */
export function lineOfJsonPath(text: string, path: readonly PropertyKey[]): number | undefined {
	const wanted = path.map(String);
	let best = -1;
	let bestOffset = 0;
	scanJson(text, (at, offset) => {
		if (at.length <= best || at.length > wanted.length) return;
		if (at.every((part, k) => part === wanted[k])) {
			best = at.length;
			bestOffset = offset;
		}
	});
	return best > 0 ? lineAt(text, bestOffset) : undefined;
}

function lineAt(text: string, offset: number): number {
	let line = 1;
	for (let k = 0; k < offset; k++) if (text.charCodeAt(k) === 10) line++;
	return line;
}

function scanJson(text: string, onValue?: (path: readonly string[], offset: number) => void): JsonErrorLocation | undefined {
	let i = 0;
	const path: string[] = [];
	const fail = (problem: string): never => {
		throw new LocatedError(i, problem);
	};
	const ws = () => {
		while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
	};
	const describe = () => (i >= text.length ? 'the file ends too early' : `unexpected ${JSON.stringify(text[i])}`);
	const literal = (word: string) => {
		if (text.startsWith(word, i)) i += word.length;
		else fail(describe());
	};
	const string = () => {
		i++; // opening quote
		while (i < text.length && text[i] !== '"') {
			const c = text.charCodeAt(i);
			if (c < 0x20) fail('a control character inside a string');
			if (text[i] === '\\') {
				i++;
				if (text[i] === 'u') {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('a bad \\u escape');
					i += 5;
					continue;
				}
				if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a bad escape in a string');
			}
			i++;
		}
		if (i >= text.length) fail('a string that is never closed');
		i++;
	};
	const number = () => {
		const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (!match) fail(describe());
		i += match![0].length;
	};
	const value = (): void => {
		ws();
		onValue?.(path, i);
		const c = text[i];
		if (c === '{') {
			i++;
			ws();
			if (text[i] === '}') {
				i++;
				return;
			}
			for (;;) {
				ws();
				if (text[i] !== '"') fail(`${describe()} where a quoted property name should be`);
				const keyStart = i;
				string();
				const key = onValue ? (JSON.parse(text.slice(keyStart, i)) as string) : '';
				ws();
				if (text[i] !== ':') fail(`${describe()} where ":" should be`);
				i++;
				path.push(key);
				value();
				path.pop();
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === '}') {
					i++;
					return;
				}
				fail(`${describe()} where "," or "}" should be`);
			}
		}
		if (c === '[') {
			i++;
			ws();
			if (text[i] === ']') {
				i++;
				return;
			}
			for (let index = 0; ; index++) {
				path.push(String(index));
				value();
				path.pop();
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === ']') {
					i++;
					return;
				}
				fail(`${describe()} where "," or "]" should be`);
			}
		}
		if (c === '"') return string();
		if (c === 't') return literal('true');
		if (c === 'f') return literal('false');
		if (c === 'n') return literal('null');
		if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
		fail(describe());
	};
	try {
		value();
		ws();
		if (i < text.length) fail(`${describe()} after the end of the data`);
		return undefined;
	} catch (error) {
		if (!(error instanceof LocatedError)) throw error;
		const line = lineAt(text, error.offset);
		const column = error.offset - text.lastIndexOf('\n', error.offset - 1);
		return {line, column, problem: error.problem};
	}
}

class LocatedError extends Error {
	constructor(
		readonly offset: number,
		readonly problem: string,
	) {
		super(problem);
	}
}
