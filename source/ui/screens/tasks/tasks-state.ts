import type {Task} from '../../../core/model.js';

export const taskActions = ['Run Now', 'Dry Run', 'Restore', 'Edit', 'Delete', 'Logs', 'Enable/Disable'] as const;
export type TaskAction = (typeof taskActions)[number];

export type TasksState = {
	tasks: Task[];
	loading: boolean;
	error?: string;
	filter: string;
	/** The filter line has the keyboard. */
	filtering: boolean;
	/** Index into the filtered list. */
	selected: number;
	/** First filtered row shown. */
	top: number;
	/** Rows the table can show. */
	viewport: number;
	/** Task id whose details and actions are open. */
	expanded?: number;
	action: number;
	dialog?: {kind: 'delete' | 'restore'; taskId: number};
};

export type TasksEvent =
	| {type: 'loaded'; tasks: Task[]; selectTaskId?: number}
	| {type: 'failed'; error: string}
	| {type: 'viewport'; rows: number}
	| {type: 'move'; by: number}
	| {type: 'page'; by: number}
	| {type: 'first'}
	| {type: 'last'}
	| {type: 'expand'}
	| {type: 'collapse'}
	| {type: 'action'; by: number}
	| {type: 'filter-start'}
	| {type: 'filter-set'; text: string}
	| {type: 'filter-done'}
	| {type: 'filter-clear'}
	| {type: 'dialog'; kind: 'delete' | 'restore'; taskId: number}
	| {type: 'dialog-close'};

export const initialTasksState: TasksState = {tasks: [], loading: true, filter: '', filtering: false, selected: 0, top: 0, viewport: 10, action: 0};

export function matchesFilter(task: Task, filter: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return [task.description, task.credential, task.path, task.bucket, task.folder, task.direction, task.transferMode, String(task.id)].some(field => field.toLowerCase().includes(needle));
}

export function filteredTasks(state: Pick<TasksState, 'tasks' | 'filter'>): Task[] {
	return state.filter ? state.tasks.filter(task => matchesFilter(task, state.filter)) : state.tasks;
}

export function selectedTask(state: TasksState, filtered = filteredTasks(state)): Task | undefined {
	return filtered[state.selected];
}

/** Keeps `selected` inside the list and the window around it. */
function settle(state: TasksState, count = filteredTasks(state).length): TasksState {
	const selected = Math.max(0, Math.min(state.selected, count - 1));
	const viewport = Math.max(1, state.viewport);
	let top = Math.min(state.top, Math.max(0, count - viewport));
	if (selected < top) top = selected;
	if (selected >= top + viewport) top = selected - viewport + 1;
	return {...state, selected, top: Math.max(0, top)};
}

function moveTo(state: TasksState, index: number): TasksState {
	if (index === state.selected) return state;
	return settle({...state, selected: index, expanded: undefined, action: 0});
}

export function tasksReducer(state: TasksState, event: TasksEvent): TasksState {
	switch (event.type) {
		case 'loaded': {
			let next: TasksState = {...state, tasks: event.tasks, loading: false, error: undefined};
			const filtered = filteredTasks(next);
			const keepId = event.selectTaskId ?? selectedTask(state)?.id;
			const index = keepId === undefined ? -1 : filtered.findIndex(t => t.id === keepId);
			if (index >= 0) next.selected = index;
			// The details stay open only on the task they belong to.
			if (next.expanded !== undefined && filtered[next.selected]?.id !== next.expanded) next = {...next, expanded: undefined, action: 0};
			return settle(next, filtered.length);
		}
		case 'failed':
			return {...state, loading: false, error: event.error};
		case 'viewport':
			return event.rows === state.viewport ? state : settle({...state, viewport: event.rows});
		case 'move':
			return moveTo(state, Math.max(0, Math.min(state.selected + event.by, filteredTasks(state).length - 1)));
		case 'page':
			return moveTo(state, Math.max(0, Math.min(state.selected + event.by * Math.max(1, state.viewport - 1), filteredTasks(state).length - 1)));
		case 'first':
			return moveTo(state, 0);
		case 'last':
			return moveTo(state, Math.max(0, filteredTasks(state).length - 1));
		case 'expand': {
			const task = selectedTask(state);
			if (!task) return state;
			return {...state, expanded: task.id, action: 0};
		}
		case 'collapse':
			return state.expanded === undefined ? state : {...state, expanded: undefined, action: 0};
		case 'action':
			return {...state, action: (state.action + event.by + taskActions.length) % taskActions.length};
		case 'filter-start':
			return {...state, filtering: true, expanded: undefined};
		case 'filter-set':
			return settle({...state, filter: event.text, selected: 0, top: 0});
		case 'filter-done':
			return {...state, filtering: false};
		case 'filter-clear':
			return settle({...state, filter: '', filtering: false, selected: 0, top: 0});
		case 'dialog':
			return {...state, dialog: {kind: event.kind, taskId: event.taskId}};
		case 'dialog-close':
			return {...state, dialog: undefined};
	}
}
