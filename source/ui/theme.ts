/**
 * Colours in one place. With NO_COLOR set (any non-empty value, per no-color.org)
 * every colour is dropped; emphasis that is not colour (bold, inverse) stays, so
 * the selected row and the focused field are still visible.
 */
export type Theme = {
	accent?: string;
	muted?: string;
	good?: string;
	bad?: string;
	warn?: string;
	border?: string;
	selection: {inverse: boolean; color?: string; backgroundColor?: string};
};

const colour: Theme = {
	accent: 'cyan',
	muted: 'gray',
	good: 'green',
	bad: 'red',
	warn: 'yellow',
	border: 'gray',
	selection: {inverse: false, color: 'black', backgroundColor: 'cyan'},
};

const plain: Theme = {selection: {inverse: true}};

export function themeFor(env: NodeJS.ProcessEnv = process.env): Theme {
	return env['NO_COLOR'] ? plain : colour;
}
