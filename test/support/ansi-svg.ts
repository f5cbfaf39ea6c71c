/**
 * Turns a terminal capture with SGR colour escapes (tmux capture-pane -e)
 * into an SVG: one cell per character, backgrounds as rectangles, text runs
 * with their colour, bold and underline. Pure.
 */
export type Cell = {char: string; fg?: string; bg?: string; bold: boolean; dim: boolean; underline: boolean; inverse: boolean};

type Style = Omit<Cell, 'char'>;

const palette16 = ['#1e1e1e', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];
export const defaultForeground = '#d4d4d4';
export const defaultBackground = '#1e1e1e';

function color256(n: number): string {
	if (n < 16) return palette16[n]!;
	if (n >= 232) {
		const level = 8 + (n - 232) * 10;
		return `rgb(${level},${level},${level})`;
	}
	const index = n - 16;
	const steps = [0, 95, 135, 175, 215, 255];
	return `rgb(${steps[Math.floor(index / 36)]},${steps[Math.floor(index / 6) % 6]},${steps[index % 6]})`;
}

function applySgr(style: Style, params: number[]): Style {
	const next = {...style};
	if (params.length === 0) params = [0];
	for (let i = 0; i < params.length; i++) {
		const p = params[i]!;
		if (p === 0) Object.assign(next, {fg: undefined, bg: undefined, bold: false, dim: false, underline: false, inverse: false});
		else if (p === 1) next.bold = true;
		else if (p === 2) next.dim = true;
		else if (p === 4) next.underline = true;
		else if (p === 7) next.inverse = true;
		else if (p === 22) next.bold = next.dim = false;
		else if (p === 24) next.underline = false;
		else if (p === 27) next.inverse = false;
		else if (p >= 30 && p <= 37) next.fg = palette16[p - 30];
		else if (p >= 90 && p <= 97) next.fg = palette16[p - 90 + 8];
		else if (p === 39) next.fg = undefined;
		else if (p >= 40 && p <= 47) next.bg = palette16[p - 40];
		else if (p >= 100 && p <= 107) next.bg = palette16[p - 100 + 8];
		else if (p === 49) next.bg = undefined;
		else if ((p === 38 || p === 48) && params[i + 1] === 5) {
			const value = color256(params[i + 2] ?? 0);
			if (p === 38) next.fg = value;
			else next.bg = value;
			i += 2;
		} else if ((p === 38 || p === 48) && params[i + 1] === 2) {
			const value = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
			if (p === 38) next.fg = value;
			else next.bg = value;
			i += 4;
		}
	}
	return next;
}

/** Rows of cells, `columns` wide, from captured lines. */
export function parseAnsi(text: string, columns: number, rows: number): Cell[][] {
	const blank = (): Cell => ({char: ' ', bold: false, dim: false, underline: false, inverse: false});
	const grid: Cell[][] = [];
	const lines = text.replace(/\n$/, '').split('\n');
	for (let y = 0; y < rows; y++) {
		const row: Cell[] = [];
		let style: Style = {bold: false, dim: false, underline: false, inverse: false};
		const line = lines[y] ?? '';
		for (let i = 0; i < line.length; i++) {
			const ch = line[i]!;
			if (ch === '\u001B' && line[i + 1] === '[') {
				const end = line.slice(i + 2).search(/[A-Za-z]/);
				if (end < 0) break;
				const body = line.slice(i + 2, i + 2 + end);
				if (line[i + 2 + end] === 'm') style = applySgr(style, body === '' ? [] : body.split(/[;:]/).map(Number));
				i += 2 + end;
				continue;
			}
			const code = line.codePointAt(i)!;
			const char = String.fromCodePoint(code);
			if (code > 0xffff) i++;
			if (row.length < columns) row.push({char, ...style});
		}
		while (row.length < columns) row.push(blank());
		grid.push(row);
	}
	return grid;
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function gridToSvg(grid: Cell[][], title: string): string {
	const cellWidth = 8.4;
	const cellHeight = 17;
	const pad = 10;
	const columns = grid[0]?.length ?? 0;
	const width = Math.ceil(columns * cellWidth + pad * 2);
	const height = Math.ceil(grid.length * cellHeight + pad * 2);
	const parts: string[] = [];
	parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`);
	parts.push(`<title>${escapeXml(title)}</title>`);
	parts.push(`<rect width="100%" height="100%" fill="${defaultBackground}" rx="6"/>`);
	parts.push(`<g font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="14" xml:space="preserve">`);
	grid.forEach((row, y) => {
		const top = pad + y * cellHeight;
		// Backgrounds, merged into runs.
		for (let x = 0; x < row.length; ) {
			const cell = row[x]!;
			const bg = cell.inverse ? (cell.fg ?? defaultForeground) : cell.bg;
			let end = x + 1;
			while (end < row.length) {
				const other = row[end]!;
				if ((other.inverse ? (other.fg ?? defaultForeground) : other.bg) !== bg) break;
				end++;
			}
			if (bg) parts.push(`<rect x="${(pad + x * cellWidth).toFixed(1)}" y="${top}" width="${((end - x) * cellWidth).toFixed(1)}" height="${cellHeight}" fill="${bg}"/>`);
			x = end;
		}
		// Text, in runs of one style; each run is pinned to its cells.
		for (let x = 0; x < row.length; ) {
			const cell = row[x]!;
			const key = (c: Cell) => `${c.inverse ? (c.bg ?? defaultBackground) : (c.fg ?? defaultForeground)}|${c.bold}|${c.dim}|${c.underline}`;
			let end = x + 1;
			while (end < row.length && key(row[end]!) === key(cell)) end++;
			const text = row.slice(x, end).map(c => c.char).join('');
			if (text.trim() !== '') {
				const fill = cell.inverse ? (cell.bg ?? defaultBackground) : (cell.fg ?? defaultForeground);
				const attrs = [`x="${(pad + x * cellWidth).toFixed(1)}"`, `y="${top + 13}"`, `fill="${fill}"`, `textLength="${((end - x) * cellWidth).toFixed(1)}"`, 'lengthAdjust="spacingAndGlyphs"'];
				if (cell.bold) attrs.push('font-weight="bold"');
				if (cell.dim) attrs.push('opacity="0.6"');
				if (cell.underline) attrs.push('text-decoration="underline"');
				parts.push(`<text ${attrs.join(' ')}>${escapeXml(text)}</text>`);
			}
			x = end;
		}
	});
	parts.push('</g></svg>');
	return `${parts.join('\n')}\n`;
}
