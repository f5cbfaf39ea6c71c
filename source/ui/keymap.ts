import type {Key} from 'ink';

/**
 * One table per screen drives three things: which command a key runs, the
 * bottom hint bar, and the `?` help overlay. Keys are written the way the help
 * shows them: "j", "down", "enter", "esc", "ctrl+l", "shift+tab", "space".
 */
export type Binding<C extends string = string> = {
	keys: readonly string[];
	command: C;
	/** The help overlay's description. */
	help: string;
	/** The hint bar's short label; bindings without one are only in the help. */
	hint?: string;
};

export type Keymap<C extends string = string> = readonly Binding<C>[];

/** The name of a key press, in the notation the tables use. */
export function keyName(input: string, key: Key): string {
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pgup';
	if (key.pageDown) return 'pgdn';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'enter';
	if (key.escape) return 'esc';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	if (key.backspace || key.delete) return 'backspace';
	if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
	if (input === ' ') return 'space';
	return input;
}

/** The keys that open and close the help: `?`, and F1, which also works where `?` is text. */
export function isHelpKey(name: string): boolean {
	return commandFor(globalKeymap, name) === 'help';
}

/** Keys Ink reads as nothing (its input is empty and no flag is set), by the bytes the terminal sent. */
const unnamedKeys: Record<string, string> = {'\u001BOP': 'f1', '\u001B[11~': 'f1', '\u001B[[A': 'f1'};

export function unnamedKey(raw: string): string {
	return unnamedKeys[raw] ?? '';
}

export function commandFor<C extends string>(table: Keymap<C>, name: string): C | undefined {
	for (const binding of table) if (binding.keys.includes(name)) return binding.command;
	return undefined;
}

/** "j/k move · enter open · / filter" for the hint bar, cut to `width` at a whole hint. */
export function hintLine(table: Keymap, width: number): string {
	let line = '';
	for (const binding of table) {
		if (!binding.hint) continue;
		const item = `${binding.keys[0]} ${binding.hint}`;
		const next = line ? `${line}  ${item}` : item;
		if (next.length > width) break;
		line = next;
	}
	return line;
}

export function keysLabel(binding: Binding): string {
	return binding.keys.join('/');
}

// The tables. Screens import their own; the help overlay shows the screen's table then the global one.

export const globalKeymap = [
	{keys: ['?', 'f1'], command: 'help', help: 'show or hide this help; f1 also in text fields', hint: 'help'},
	{keys: ['1'], command: 'go-tasks', help: 'tasks screen'},
	{keys: ['2'], command: 'go-credentials', help: 'credentials screen'},
	{keys: ['3'], command: 'go-logs', help: 'logs screen'},
	{keys: ['ctrl+l'], command: 'redraw', help: 'redraw the screen'},
	{keys: ['q'], command: 'quit', help: 'quit (asks first while a run is in progress)', hint: 'quit'},
	{keys: ['ctrl+c'], command: 'interrupt', help: 'quit; press twice while a run is in progress'},
] as const satisfies Keymap;
export type GlobalCommand = (typeof globalKeymap)[number]['command'];

export const tasksKeymap = [
	{keys: ['j', 'down'], command: 'down', help: 'next task'},
	{keys: ['k', 'up'], command: 'up', help: 'previous task'},
	{keys: ['pgdn'], command: 'page-down', help: 'next page'},
	{keys: ['pgup'], command: 'page-up', help: 'previous page'},
	{keys: ['g', 'home'], command: 'first', help: 'first task'},
	{keys: ['G', 'end'], command: 'last', help: 'last task'},
	{keys: ['enter', 'l', 'right'], command: 'open', help: 'show the task\'s details and actions', hint: 'open'},
	{keys: ['esc'], command: 'back', help: 'clear the filter'},
	{keys: ['a'], command: 'add', help: 'add a task', hint: 'add'},
	{keys: ['r'], command: 'run', help: 'run the task now', hint: 'run'},
	{keys: ['d'], command: 'dry-run', help: 'dry run: show what would change'},
	{keys: ['e'], command: 'edit', help: 'edit the task'},
	{keys: ['x'], command: 'cancel-run', help: 'stop the running task'},
	{keys: ['space'], command: 'toggle', help: 'enable or disable the task'},
	{keys: ['L'], command: 'logs', help: 'logs of the task', hint: 'logs'},
	{keys: ['D'], command: 'delete', help: 'delete the task'},
	{keys: ['/'], command: 'filter', help: 'filter tasks by text', hint: 'filter'},
	{keys: ['R'], command: 'refresh', help: 'reload tasks from disk'},
	{keys: ['2'], command: 'credentials', help: 'credentials screen', hint: 'credentials'},
] as const satisfies Keymap;
export type TasksCommand = (typeof tasksKeymap)[number]['command'];

/** While a task is expanded: its action row has the keys. */
export const taskActionsKeymap = [
	{keys: ['tab', 'l', 'right'], command: 'next-action', help: 'next action', hint: 'next'},
	{keys: ['shift+tab', 'h', 'left'], command: 'prev-action', help: 'previous action'},
	{keys: ['enter'], command: 'do-action', help: 'do the highlighted action', hint: 'do it'},
	{keys: ['esc'], command: 'collapse', help: 'close the details', hint: 'close'},
	{keys: ['j', 'down'], command: 'down', help: 'next task'},
	{keys: ['k', 'up'], command: 'up', help: 'previous task'},
	{keys: ['r'], command: 'run', help: 'run the task now', hint: 'run'},
	{keys: ['d'], command: 'dry-run', help: 'dry run'},
	{keys: ['e'], command: 'edit', help: 'edit the task'},
	{keys: ['x'], command: 'cancel-run', help: 'stop the running task'},
	{keys: ['L'], command: 'logs', help: 'logs of the task'},
	{keys: ['D'], command: 'delete', help: 'delete the task'},
] as const satisfies Keymap;
export type TaskActionsCommand = (typeof taskActionsKeymap)[number]['command'];

/** Keys of every text field (the filter, the search, a form's fields), beside the ones ink-text-input knows. */
export const textFieldKeymap = [
	{keys: ['home', 'ctrl+a'], command: 'text-start', help: 'cursor to the start of the text'},
	{keys: ['end', 'ctrl+e'], command: 'text-end', help: 'cursor to the end of the text'},
	{keys: ['ctrl+u'], command: 'clear-text', help: 'clear the text field (in a list: the line)'},
] as const satisfies Keymap;
export type TextFieldCommand = (typeof textFieldKeymap)[number]['command'];

/** Whether `command` is a text field's own (the field handles it; the screen's table only lists it). */
export function isTextFieldCommand(command: string | undefined): command is TextFieldCommand {
	return textFieldKeymap.some(binding => binding.command === command);
}

export const filterKeymap = [
	{keys: ['enter'], command: 'accept', help: 'keep the filter and go back to the list', hint: 'keep'},
	{keys: ['esc'], command: 'clear', help: 'clear the filter', hint: 'clear'},
	{keys: ['down'], command: 'down', help: 'next match'},
	{keys: ['up'], command: 'up', help: 'previous match'},
	...textFieldKeymap,
] as const satisfies Keymap;
export type FilterCommand = (typeof filterKeymap)[number]['command'];

export const credentialsKeymap = [
	{keys: ['j', 'down'], command: 'down', help: 'next credential'},
	{keys: ['k', 'up'], command: 'up', help: 'previous credential'},
	{keys: ['a'], command: 'add', help: 'add a credential', hint: 'add'},
	{keys: ['enter', 'e', 'l'], command: 'edit', help: 'edit the credential', hint: 'edit'},
	{keys: ['v'], command: 'verify', help: 'verify the credential works', hint: 'verify'},
	{keys: ['D'], command: 'delete', help: 'delete the credential', hint: 'delete'},
	{keys: ['R'], command: 'refresh', help: 'reload from disk'},
	{keys: ['h', 'esc', '1'], command: 'back', help: 'back to tasks', hint: 'tasks'},
] as const satisfies Keymap;
export type CredentialsCommand = (typeof credentialsKeymap)[number]['command'];

export const formKeymap = [
	{keys: ['tab', 'down'], command: 'next', help: 'next field', hint: 'next'},
	{keys: ['shift+tab', 'up'], command: 'prev', help: 'previous field'},
	{keys: ['enter'], command: 'activate', help: 'open a choice / press a button / browse', hint: 'choose'},
	{keys: ['space'], command: 'toggle', help: 'switch a yes/no field'},
	{keys: ['left', 'right'], command: 'cycle', help: 'previous / next ▾ choice or button (letters pick)'},
	{keys: ['esc'], command: 'cancel', help: 'close (asks before dropping changes)', hint: 'cancel'},
	...textFieldKeymap,
] as const satisfies Keymap;
export type FormCommand = (typeof formKeymap)[number]['command'];

export const logsKeymap = [
	{keys: ['j', 'down'], command: 'down', help: 'scroll down one line'},
	{keys: ['k', 'up'], command: 'up', help: 'scroll up one line'},
	{keys: ['pgdn', 'space'], command: 'page-down', help: 'scroll down a page'},
	{keys: ['pgup', 'b'], command: 'page-up', help: 'scroll up a page'},
	{keys: ['g', 'home'], command: 'top', help: 'oldest line'},
	{keys: ['G', 'end'], command: 'bottom', help: 'newest line, follow'},
	{keys: ['left', 'right'], command: 'pan', help: 'scroll sideways, for lines longer than the screen'},
	{keys: ['f'], command: 'follow', help: 'follow on/off', hint: 'follow'},
	{keys: ['/'], command: 'search', help: 'search', hint: 'search'},
	{keys: ['n'], command: 'next-match', help: 'next match', hint: 'next'},
	{keys: ['N'], command: 'prev-match', help: 'previous match'},
	{keys: ['o'], command: 'older', help: 'choose an older run', hint: 'runs'},
	{keys: ['h', 'esc'], command: 'back', help: 'back to tasks', hint: 'back'},
] as const satisfies Keymap;
export type LogsCommand = (typeof logsKeymap)[number]['command'];

export const dryRunKeymap = [
	{keys: ['j', 'down'], command: 'down', help: 'scroll down one line'},
	{keys: ['k', 'up'], command: 'up', help: 'scroll up one line'},
	{keys: ['pgdn', 'space'], command: 'page-down', help: 'scroll down a page'},
	{keys: ['pgup', 'b'], command: 'page-up', help: 'scroll up a page'},
	{keys: ['left', 'right'], command: 'pan', help: 'scroll sideways, for lines longer than the box', hint: 'sideways'},
	{keys: ['esc', 'enter'], command: 'close', help: 'close the dry run (the form keeps your changes)', hint: 'close'},
] as const satisfies Keymap;

export const dialogKeymap = [
	{keys: ['tab', 'left', 'right', 'h', 'l'], command: 'switch', help: 'move between the buttons', hint: 'switch'},
	{keys: ['enter'], command: 'press', help: 'press the focused button', hint: 'press'},
	{keys: ['esc'], command: 'cancel', help: 'cancel', hint: 'cancel'},
] as const satisfies Keymap;
export type DialogCommand = (typeof dialogKeymap)[number]['command'];
