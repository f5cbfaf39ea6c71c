import {commandFor, filterKeymap, isTextFieldCommand, taskActionsKeymap, tasksKeymap, type Keymap, type TextFieldCommand} from '../../keymap.js';
import {priority, useKeyLayer} from '../../router.js';
import type {TasksState} from './tasks-state.js';

export type TasksCommandName =
	| (typeof tasksKeymap)[number]['command']
	| (typeof taskActionsKeymap)[number]['command']
	| `filter-${Exclude<(typeof filterKeymap)[number]['command'], TextFieldCommand>}`;

/** The table that has the keys now: the filter line, an expanded task's actions, or the list. */
export function tasksKeymapFor(state: Pick<TasksState, 'filtering' | 'expanded'>): Keymap {
	if (state.filtering) return filterKeymap;
	if (state.expanded !== undefined) return taskActionsKeymap;
	return tasksKeymap;
}

/** Maps keys to named commands from the current table; text typed into the filter passes through. */
export function useTasksInput(state: Pick<TasksState, 'filtering' | 'expanded' | 'dialog'>, perform: (command: TasksCommandName) => void, active: boolean): void {
	useKeyLayer(
		priority.screen,
		(name, input) => {
			if (state.filtering) {
				const command = commandFor(filterKeymap, name);
				// Ctrl+U, Home and End are the field's own.
				if (command && !isTextFieldCommand(command)) perform(`filter-${command}`);
				// Everything else is text for the filter field.
				return command !== undefined || (input.length > 0 && !name.startsWith('ctrl+'));
			}
			// With a task open, its action keys come first; the list keys still work.
			const command = commandFor(tasksKeymapFor(state), name) ?? (state.expanded !== undefined ? commandFor(tasksKeymap, name) : undefined);
			if (!command) return false;
			perform(command as TasksCommandName);
			return true;
		},
		{active: active && !state.dialog},
	);
}
