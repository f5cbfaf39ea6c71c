import type {RunRecord} from '../../../core/model.js';

/** Lines kept in memory; older lines are dropped (the log file keeps them all). */
export const defaultLogCapacity = 5000;

export type LogsState = {
	/** The newest lines, at most `capacity`. */
	lines: string[];
	/** Lines dropped from the front since the run's log started. */
	dropped: number;
	capacity: number;
	/** Index (into `lines`) of the first line shown when not following. */
	scroll: number;
	follow: boolean;
	viewport: number;
	/** Columns scrolled sideways: long lines are cut at the screen's edge. */
	column: number;
	search: string;
	searching: boolean;
	/** Index (into `lines`) of the current match. */
	match?: number;
	runs: RunRecord[];
	runId?: string;
	choosingRun: boolean;
	runCursor: number;
};

export type LogsEvent =
	| {type: 'append'; lines: string[]}
	| {type: 'open-run'; runId: string}
	| {type: 'runs'; runs: RunRecord[]}
	| {type: 'viewport'; rows: number}
	| {type: 'scroll'; by: number}
	| {type: 'pan'; by: number}
	| {type: 'page'; by: number}
	| {type: 'top'}
	| {type: 'bottom'}
	| {type: 'follow'}
	| {type: 'search-start'}
	| {type: 'search-set'; text: string}
	| {type: 'search-done'}
	| {type: 'search-clear'}
	| {type: 'match'; by: 1 | -1}
	| {type: 'choose-run'; open: boolean}
	| {type: 'run-cursor'; by: number};

/**
 * The event for a scrolling command of a log view (the logs screen's and the
 * dry run's tables name them alike), or undefined for any other command.
 * Sideways, a step is half the view's `width`.
 */
export function scrollEvent(command: string | undefined, key: string, width: number): LogsEvent | undefined {
	switch (command) {
		case 'down':
			return {type: 'scroll', by: 1};
		case 'up':
			return {type: 'scroll', by: -1};
		case 'page-down':
			return {type: 'page', by: 1};
		case 'page-up':
			return {type: 'page', by: -1};
		case 'top':
			return {type: 'top'};
		case 'bottom':
			return {type: 'bottom'};
		case 'pan':
			return {type: 'pan', by: (key === 'left' ? -1 : 1) * Math.max(8, Math.floor(width / 2))};
		default:
			return undefined;
	}
}

export function initialLogsState(capacity = defaultLogCapacity): LogsState {
	return {lines: [], dropped: 0, capacity, scroll: 0, follow: true, viewport: 10, column: 0, search: '', searching: false, runs: [], choosingRun: false, runCursor: 0};
}

function maxScroll(state: LogsState): number {
	return Math.max(0, state.lines.length - state.viewport);
}

/** The first line index on screen. */
export function firstShown(state: LogsState): number {
	return state.follow ? maxScroll(state) : Math.min(state.scroll, maxScroll(state));
}

function scrollTo(state: LogsState, index: number): LogsState {
	const scroll = Math.max(0, Math.min(index, maxScroll(state)));
	return {...state, scroll, follow: false};
}

function findMatch(state: LogsState, from: number, by: 1 | -1): number | undefined {
	if (!state.search) return undefined;
	const needle = state.search.toLowerCase();
	const count = state.lines.length;
	for (let step = 0; step < count; step++) {
		const index = (((from + by * step) % count) + count) % count;
		if (state.lines[index]!.toLowerCase().includes(needle)) return index;
	}
	return undefined;
}

/** Puts a match in view, a third down from the top. */
function showMatch(state: LogsState, match: number | undefined): LogsState {
	if (match === undefined) return {...state, match: undefined};
	return {...scrollTo(state, match - Math.floor(state.viewport / 3)), match};
}

export function logsReducer(state: LogsState, event: LogsEvent): LogsState {
	switch (event.type) {
		case 'append': {
			if (event.lines.length === 0) return state;
			let lines = state.lines.concat(event.lines);
			const over = lines.length - state.capacity;
			if (over <= 0) return {...state, lines};
			lines = lines.slice(over);
			const match = state.match === undefined || state.match - over < 0 ? undefined : state.match - over;
			return {...state, lines, dropped: state.dropped + over, scroll: Math.max(0, state.scroll - over), match};
		}
		case 'open-run':
			return {...state, runId: event.runId, lines: [], dropped: 0, scroll: 0, follow: true, column: 0, match: undefined, choosingRun: false};
		case 'runs':
			return {...state, runs: event.runs, runCursor: Math.min(state.runCursor, Math.max(0, event.runs.length - 1))};
		case 'viewport':
			return event.rows === state.viewport ? state : {...state, viewport: Math.max(1, event.rows)};
		case 'pan': {
			const column = Math.max(0, state.column + event.by);
			return column === state.column ? state : {...state, column};
		}
		case 'scroll': {
			const next = scrollTo(state, firstShown(state) + event.by);
			return next.scroll >= maxScroll(next) && event.by > 0 ? {...next, follow: true} : next;
		}
		case 'page': {
			const next = scrollTo(state, firstShown(state) + event.by * Math.max(1, state.viewport - 1));
			return next.scroll >= maxScroll(next) && event.by > 0 ? {...next, follow: true} : next;
		}
		case 'top':
			return scrollTo(state, 0);
		case 'bottom':
			return {...state, follow: true};
		case 'follow':
			return state.follow ? {...state, follow: false, scroll: maxScroll(state)} : {...state, follow: true};
		case 'search-start':
			return {...state, searching: true};
		case 'search-set': {
			const next = {...state, search: event.text};
			return showMatch(next, findMatch(next, Math.max(0, state.lines.length - 1), -1));
		}
		case 'search-done':
			return {...state, searching: false};
		case 'search-clear':
			return {...state, searching: false, search: '', match: undefined};
		case 'match': {
			const from = state.match === undefined ? (event.by > 0 ? firstShown(state) : state.lines.length - 1) : state.match + event.by;
			return showMatch(state, findMatch(state, from, event.by));
		}
		case 'choose-run':
			return {...state, choosingRun: event.open, runCursor: event.open ? Math.max(0, state.runs.findIndex(r => r.id === state.runId)) : state.runCursor};
		case 'run-cursor':
			return {...state, runCursor: Math.max(0, Math.min(state.runs.length - 1, state.runCursor + event.by))};
	}
}
