import {describe, expect, it} from 'vitest';
import type {RunRecord, Task} from '../../source/core/model.js';
import {browserReducer, browserRows, canPick, initialBrowser} from '../../source/ui/components/browser-state.js';
import {formReducer, initialForm, isDirty, type FormField} from '../../source/ui/components/form/form-state.js';
import {commandFor, hintLine, keyName, tasksKeymap} from '../../source/ui/keymap.js';
import {credentialsReducer, initialCredentialsState} from '../../source/ui/screens/credentials/credentials-state.js';
import {firstShown, initialLogsState, logsReducer, scrollEvent, type LogsState} from '../../source/ui/screens/logs/logs-state.js';
import {filteredTasks, initialTasksState, taskActions, tasksReducer, type TasksState} from '../../source/ui/screens/tasks/tasks-state.js';

function task(id: number, description = `task ${id}`): Task {
	return {
		id,
		description,
		credential: 'local',
		direction: 'PUSH',
		transferMode: 'SYNC',
		path: `/srv/${id}`,
		bucket: '',
		folder: `backup/${id}`,
		schedule: {preset: 'daily', minute: '0', hour: '0', dom: '*', month: '*', dow: '*'},
		enabled: true,
		preScript: '',
		postScript: '',
		scriptTimeoutSec: 3600,
		encryption: false,
		filenameEncryption: true,
		filenameEncoding: 'base32',
		directoryNameEncryption: true,
		encryptionPassword: '',
		encryptionSalt: '',
		snapshot: false,
		exclude: [],
		include: [],
		transfers: 4,
		bwlimit: '',
		followSymlinks: false,
		createEmptySrcDirs: false,
		attributes: {},
	};
}

const many = (n: number) => Array.from({length: n}, (_, i) => task(i + 1, i % 10 === 0 ? `photos ${i + 1}` : `docs ${i + 1}`));

function loaded(count: number, viewport = 10): TasksState {
	return tasksReducer(tasksReducer(initialTasksState, {type: 'viewport', rows: viewport}), {type: 'loaded', tasks: many(count)});
}

describe('keymap', () => {
	it('names keys the way the tables write them and finds their command', () => {
		const none = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false};
		expect(keyName('', {...none, downArrow: true})).toBe('down');
		expect(keyName('l', {...none, ctrl: true})).toBe('ctrl+l');
		expect(keyName('', {...none, tab: true, shift: true})).toBe('shift+tab');
		expect(keyName(' ', none)).toBe('space');
		expect(commandFor(tasksKeymap, 'j')).toBe('down');
		expect(commandFor(tasksKeymap, 'down')).toBe('down');
		expect(commandFor(tasksKeymap, 'z')).toBeUndefined();
	});

	it('builds the hint bar from the table and cuts it at a whole hint', () => {
		const line = hintLine(tasksKeymap, 200);
		expect(line).toContain('enter open');
		expect(line).toContain('a add');
		expect(line).toContain('/ filter');
		const short = hintLine(tasksKeymap, 20);
		expect(short.length).toBeLessThanOrEqual(20);
		expect(line.startsWith(short)).toBe(true);
	});
});

describe('tasks reducer', () => {
	it('moves within bounds and keeps the window around the selection (1,000 tasks)', () => {
		let state = loaded(1000);
		expect(state.selected).toBe(0);
		state = tasksReducer(state, {type: 'move', by: -1});
		expect(state.selected).toBe(0);
		for (let i = 0; i < 15; i++) state = tasksReducer(state, {type: 'move', by: 1});
		expect(state.selected).toBe(15);
		expect(state.top).toBe(6);
		state = tasksReducer(state, {type: 'last'});
		expect(state.selected).toBe(999);
		expect(state.top).toBe(990);
		state = tasksReducer(state, {type: 'page', by: -1});
		expect(state.selected).toBe(990);
		expect(state.top).toBe(990);
		state = tasksReducer(state, {type: 'first'});
		expect([state.selected, state.top]).toEqual([0, 0]);
	});

	it('filters by text, resets the selection, and clears with esc', () => {
		let state = loaded(100);
		state = tasksReducer(state, {type: 'filter-start'});
		state = tasksReducer(state, {type: 'filter-set', text: 'PHOTOS'});
		expect(filteredTasks(state).map(t => t.id)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91]);
		state = tasksReducer(state, {type: 'last'});
		expect(filteredTasks(state)[state.selected]!.id).toBe(91);
		state = tasksReducer(state, {type: 'filter-done'});
		expect(state.filtering).toBe(false);
		expect(state.filter).toBe('PHOTOS');
		state = tasksReducer(state, {type: 'filter-clear'});
		expect(filteredTasks(state)).toHaveLength(100);
	});

	it('expands a row, cycles its actions both ways, and collapses when the selection moves', () => {
		let state = loaded(5);
		state = tasksReducer(state, {type: 'move', by: 2});
		state = tasksReducer(state, {type: 'expand'});
		expect(state.expanded).toBe(3);
		state = tasksReducer(state, {type: 'action', by: -1});
		expect(taskActions[state.action]).toBe('Enable/Disable');
		state = tasksReducer(state, {type: 'action', by: 2});
		expect(taskActions[state.action]).toBe('Dry Run');
		state = tasksReducer(state, {type: 'move', by: 1});
		expect(state.expanded).toBeUndefined();
	});

	it('keeps the selected task across a reload and survives its deletion', () => {
		let state = loaded(10);
		state = tasksReducer(state, {type: 'move', by: 4});
		state = tasksReducer(state, {type: 'expand'});
		const reordered = many(10).reverse();
		state = tasksReducer(state, {type: 'loaded', tasks: reordered});
		expect(filteredTasks(state)[state.selected]!.id).toBe(5);
		state = tasksReducer(state, {type: 'loaded', tasks: reordered.filter(t => t.id !== 5)});
		expect(state.expanded).toBeUndefined();
		expect(state.selected).toBeLessThan(9);
		state = tasksReducer(state, {type: 'loaded', tasks: []});
		expect(state.selected).toBe(0);
		expect(tasksReducer(state, {type: 'expand'})).toBe(state);
	});

	it('opens and closes dialogs', () => {
		let state = loaded(3);
		state = tasksReducer(state, {type: 'dialog', kind: 'delete', taskId: 2});
		expect(state.dialog).toEqual({kind: 'delete', taskId: 2});
		expect(tasksReducer(state, {type: 'dialog-close'}).dialog).toBeUndefined();
	});
});

describe('form reducer', () => {
	const fields: FormField[] = [
		{id: 'name', label: 'Name', kind: 'text'},
		{id: 'h', label: 'Section', kind: 'heading'},
		{id: 'script', label: 'Script', kind: 'multiline'},
		{id: 'on', label: 'On', kind: 'boolean'},
		{id: 'save', label: 'Save', kind: 'button'},
	];

	it('moves left and right along a row of buttons, and never out of it', () => {
		const row: FormField[] = [...fields, {id: 'verify', label: 'Verify', kind: 'button'}, {id: 'cancel', label: 'Cancel', kind: 'button'}];
		let state = initialForm({name: '', script: '', on: false}, 'save');
		state = formReducer(state, {type: 'beside', fields: row, by: 1});
		expect(state.focus).toBe('verify');
		state = formReducer(state, {type: 'beside', fields: row, by: 1});
		expect(state.focus).toBe('cancel');
		expect(formReducer(state, {type: 'beside', fields: row, by: 1})).toBe(state);
		state = formReducer(state, {type: 'beside', fields: row, by: -1});
		state = formReducer(state, {type: 'beside', fields: row, by: -1});
		expect(state.focus).toBe('save');
		// The field before the first button is not a button: the focus stays.
		expect(formReducer(state, {type: 'beside', fields: row, by: -1})).toBe(state);
		const onText = initialForm({name: ''}, 'name');
		expect(formReducer(onText, {type: 'beside', fields: row, by: 1})).toBe(onText);
	});

	it('moves focus over headings and wraps around both ways', () => {
		let state = initialForm({name: '', script: 'a\nb', on: false}, 'name');
		state = formReducer(state, {type: 'next', fields});
		expect(state.focus).toBe('script');
		expect(state.line).toBe(0);
		state = formReducer(state, {type: 'prev', fields});
		expect(state.focus).toBe('name');
		state = formReducer(state, {type: 'prev', fields});
		expect(state.focus).toBe('save');
		state = formReducer(state, {type: 'prev', fields});
		state = formReducer(state, {type: 'prev', fields});
		expect(state.focus).toBe('script');
		// Coming from below lands on the last line of a multi-line field.
		expect(state.line).toBe(1);
	});

	it('edits multi-line values: new line, move, join an empty line', () => {
		let state = initialForm({script: 'echo one'}, 'script');
		state = formReducer(state, {type: 'new-line'});
		expect(state.values.script).toBe('echo one\n');
		expect(state.line).toBe(1);
		state = formReducer(state, {type: 'line', by: 5});
		expect(state.line).toBe(1);
		state = formReducer(state, {type: 'join-line'});
		expect(state.values.script).toBe('echo one');
		expect(state.line).toBe(0);
		// A line with text is not joined.
		expect(formReducer(state, {type: 'join-line'})).toBe(state);
	});

	it('tracks changes, clears a field\'s error when it changes, and forgets changes once saved', () => {
		let state = initialForm({name: 'a'}, 'name');
		expect(isDirty(state)).toBe(false);
		state = formReducer(state, {type: 'errors', errors: {name: 'bad', other: 'also bad'}});
		state = formReducer(state, {type: 'set', id: 'name', value: 'b'});
		expect(state.errors).toEqual({other: 'also bad'});
		expect(isDirty(state)).toBe(true);
		state = formReducer(state, {type: 'ask-drop', open: true});
		expect(state.confirmDrop).toBe(true);
		state = formReducer(state, {type: 'saved'});
		expect(isDirty(state)).toBe(false);
		expect(state.confirmDrop).toBe(false);
	});
});

describe('logs reducer', () => {
	it('maps the scrolling commands of a log view to events; sideways by half its width, at least 8 columns', () => {
		expect(scrollEvent('down', 'j', 80)).toEqual({type: 'scroll', by: 1});
		expect(scrollEvent('page-up', 'pgup', 80)).toEqual({type: 'page', by: -1});
		expect(scrollEvent('bottom', 'G', 80)).toEqual({type: 'bottom'});
		expect(scrollEvent('pan', 'right', 76)).toEqual({type: 'pan', by: 38});
		expect(scrollEvent('pan', 'left', 10)).toEqual({type: 'pan', by: -8});
		expect(scrollEvent('follow', 'f', 80)).toBeUndefined();
		expect(scrollEvent(undefined, 'z', 80)).toBeUndefined();
	});

	const lines = (from: number, count: number) => Array.from({length: count}, (_, i) => `line ${from + i}`);

	it('keeps at most `capacity` lines and counts what it dropped', () => {
		let state = {...initialLogsState(100), viewport: 10};
		state = logsReducer(state, {type: 'append', lines: lines(0, 80)});
		state = logsReducer(state, {type: 'append', lines: lines(80, 70)});
		expect(state.lines).toHaveLength(100);
		expect(state.dropped).toBe(50);
		expect(state.lines[0]).toBe('line 50');
		expect(firstShown(state)).toBe(90);
	});

	it('scrolls sideways, never before the first column, and starts a new run at the first column', () => {
		let state: LogsState = {...initialLogsState(1000), viewport: 10};
		state = logsReducer(state, {type: 'append', lines: lines(0, 5)});
		expect(logsReducer(state, {type: 'pan', by: -40})).toBe(state);
		state = logsReducer(state, {type: 'pan', by: 40});
		state = logsReducer(state, {type: 'pan', by: 40});
		expect(state.column).toBe(80);
		// Sideways does not touch the lines or the follow mode.
		expect(state.follow).toBe(true);
		expect(logsReducer(state, {type: 'pan', by: -200}).column).toBe(0);
		expect(logsReducer(state, {type: 'open-run', runId: 'other'}).column).toBe(0);
	});

	it('stops following when scrolled up, keeps the view steady while lines arrive, follows again at the bottom', () => {
		let state: LogsState = {...initialLogsState(1000), viewport: 10};
		state = logsReducer(state, {type: 'append', lines: lines(0, 50)});
		state = logsReducer(state, {type: 'scroll', by: -5});
		expect(state.follow).toBe(false);
		expect(firstShown(state)).toBe(35);
		state = logsReducer(state, {type: 'append', lines: lines(50, 20)});
		expect(firstShown(state)).toBe(35);
		state = logsReducer(state, {type: 'page', by: 10});
		expect(state.follow).toBe(true);
		state = logsReducer(state, {type: 'follow'});
		expect(state.follow).toBe(false);
		state = logsReducer(state, {type: 'top'});
		expect(firstShown(state)).toBe(0);
		state = logsReducer(state, {type: 'bottom'});
		expect(firstShown(state)).toBe(60);
	});

	it('keeps the scrolled view on the same lines when old lines are dropped', () => {
		let state: LogsState = {...initialLogsState(100), viewport: 10};
		state = logsReducer(state, {type: 'append', lines: lines(0, 100)});
		state = logsReducer(state, {type: 'top'});
		state = logsReducer(state, {type: 'scroll', by: 40});
		expect(state.lines[firstShown(state)]).toBe('line 40');
		state = logsReducer(state, {type: 'append', lines: lines(100, 30)});
		expect(state.lines[firstShown(state)]).toBe('line 40');
	});

	it('searches case-insensitively, jumps between matches both ways, and says when nothing matches', () => {
		let state: LogsState = {...initialLogsState(1000), viewport: 5};
		state = logsReducer(state, {type: 'append', lines: ['INFO start', 'ERROR disk full', 'INFO copy a', 'error again', 'INFO done']});
		state = logsReducer(state, {type: 'search-start'});
		state = logsReducer(state, {type: 'search-set', text: 'Error'});
		expect(state.match).toBe(3);
		state = logsReducer(state, {type: 'match', by: 1});
		expect(state.match).toBe(1);
		state = logsReducer(state, {type: 'match', by: -1});
		expect(state.match).toBe(3);
		state = logsReducer(state, {type: 'search-set', text: 'nothing like this'});
		expect(state.match).toBeUndefined();
		state = logsReducer(state, {type: 'search-clear'});
		expect([state.search, state.searching]).toEqual(['', false]);
	});

	it('opens another run with an empty buffer and picks runs from the list', () => {
		const run = (id: string): RunRecord => ({id, taskId: 1, state: 'SUCCESS', dryRun: false, trigger: 'manual', startedAt: '2026-01-01T00:00:00Z', filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, filesChecked: 0, errors: 0});
		let state = logsReducer(initialLogsState(), {type: 'append', lines: ['old']});
		state = logsReducer(state, {type: 'runs', runs: [run('b'), run('a')]});
		state = logsReducer(state, {type: 'open-run', runId: 'b'});
		expect(state.lines).toEqual([]);
		state = logsReducer(state, {type: 'choose-run', open: true});
		state = logsReducer(state, {type: 'run-cursor', by: 5});
		expect(state.runCursor).toBe(1);
		state = logsReducer(state, {type: 'open-run', runId: 'a'});
		expect([state.runId, state.choosingRun]).toEqual(['a', false]);
	});
});

describe('credentials reducer', () => {
	it('counts the tasks using each credential and keeps the selection by name', () => {
		const credential = (name: string) => ({name, provider: 'local' as const, attributes: {}});
		let state = credentialsReducer(initialCredentialsState, {type: 'loaded', credentials: [credential('a'), credential('b')], tasks: [task(1), {...task(2), credential: 'b'}, {...task(3), credential: 'b'}]});
		expect(state.usage).toEqual({local: 1, b: 2});
		state = credentialsReducer(state, {type: 'move', by: 1});
		state = credentialsReducer(state, {type: 'loaded', credentials: [credential('0'), credential('a'), credential('b')], tasks: []});
		expect(state.credentials[state.selected]!.name).toBe('b');
		state = credentialsReducer(state, {type: 'verify', name: 'b', state: 'failed', message: 'no'});
		expect(state.verify.b).toEqual({state: 'failed', message: 'no'});
	});
});

describe('browser reducer', () => {
	it('lists pick, parent and entries, and ignores answers for a place it left', () => {
		let state = initialBrowser({segments: ['bucket']});
		state = browserReducer(state, {type: 'loaded', segments: ['bucket'], entries: ['a', 'b']});
		expect(browserRows(state).map(r => r.kind)).toEqual(['pick', 'up', 'entry', 'entry']);
		state = browserReducer(state, {type: 'move', by: 10});
		expect(state.cursor).toBe(3);
		state = browserReducer(state, {type: 'loading', segments: ['bucket', 'b']});
		state = browserReducer(state, {type: 'loaded', segments: ['bucket'], entries: ['stale']});
		expect(state.entries).toEqual([]);
		state = browserReducer(state, {type: 'failed', segments: ['bucket', 'b'], error: 'access denied'});
		expect(state.error).toBe('access denied');
		expect(browserRows(initialBrowser({segments: []})).map(r => r.kind)).toEqual(['pick']);
		// The list of buckets has nothing to use: only the buckets, and the cursor stays on them.
		let buckets = initialBrowser({segments: [], buckets: true});
		expect(canPick(buckets)).toBe(false);
		buckets = browserReducer(buckets, {type: 'loaded', segments: [], entries: ['a', 'b']});
		expect(browserRows(buckets).map(r => r.label)).toEqual(['a/', 'b/']);
		buckets = browserReducer(buckets, {type: 'move', by: 5});
		expect(buckets.cursor).toBe(1);
		buckets = browserReducer(buckets, {type: 'loading', segments: ['b']});
		expect(buckets.buckets).toBe(true);
		buckets = browserReducer(buckets, {type: 'loaded', segments: ['b'], entries: []});
		expect(browserRows(buckets).map(r => r.kind)).toEqual(['pick', 'up']);
		expect(canPick(buckets)).toBe(true);
	});
});

describe('screenshot SVG', async () => {
	const {gridToSvg, parseAnsi} = await import('../support/ansi-svg.js');
	it('keeps colours, inverse and bold of the captured cells and escapes text', () => {
		const grid = parseAnsi('\u001B[1;36mhi\u001B[0m <a&b>\n\u001B[7mX\u001B[27m\u001B[38;5;196mR\u001B[48;2;1;2;3mB\u001B[m', 10, 3);
		expect(grid).toHaveLength(3);
		expect(grid[0]![0]).toMatchObject({char: 'h', bold: true, fg: '#11a8cd'});
		expect(grid[0]![3]).toMatchObject({char: '<', bold: false, fg: undefined});
		expect(grid[1]![0]!.inverse).toBe(true);
		expect(grid[1]![1]!.fg).toBe('rgb(255,0,0)');
		expect(grid[1]![2]!.bg).toBe('rgb(1,2,3)');
		expect(grid[2]!.every(c => c.char === ' ')).toBe(true);
		const svg = gridToSvg(grid, 'test & title');
		expect(svg).toContain('&lt;a&amp;b&gt;');
		expect(svg).toContain('font-weight="bold"');
		expect(svg).toContain('fill="rgb(1,2,3)"');
		expect(svg).toContain('<title>test &amp; title</title>');
	});
});
