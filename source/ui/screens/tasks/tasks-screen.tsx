import {Box, Text} from 'ink';
import {useEffect, useMemo, useRef} from 'react';
import type {Schedule, Task} from '../../../core/model.js';
import {Dialog} from '../../components/dialog.js';
import {TextField} from '../../components/text-field.js';
import {useRunsView, useUi} from '../../context.js';
import {fit, formatWhen} from '../../format.js';
import {useModalOpen} from '../../router.js';
import {RestoreDialog} from '../restore/restore-dialog.js';
import {columnsFor, detailLines, headerLine, TaskDetails, TaskRow, type RowInfo} from './task-row.js';
import {filteredTasks, taskActions, type TaskAction} from './tasks-state.js';
import {tasksKeymapFor, useTasksInput, type TasksCommandName} from './use-tasks-input.js';
import {useTasks} from './use-tasks.js';
import {useScreenKeys} from '../../hooks/use-screen-keys.js';

/** Home screen: every task, its schedule, next run, last result, and live progress. */
export function TasksScreen({selectTaskId}: {selectTaskId?: number}) {
	const ui = useUi();
	const {services, theme, width, height} = ui;
	const runs = useRunsView();
	const modalOpen = useModalOpen();
	const {state, dispatch, lastRuns, reload, operations} = useTasks(ui, selectTaskId);
	const filtered = useMemo(() => filteredTasks(state), [state.tasks, state.filter]);
	const viewport = Math.max(1, height - 2 - (state.expanded !== undefined ? detailLines : 0));
	useEffect(() => dispatch({type: 'viewport', rows: viewport}), [viewport]);
	// Once the tasks are on the screen, the app may load what it did not need for them.
	useEffect(() => {
		if (!state.loading) services.screenDrawn?.();
	}, [state.loading]);
	const keymap = tasksKeymapFor(state);
	useScreenKeys(keymap, {quitKey: !state.filtering, helpKey: !state.filtering});

	// A run that ends changes the last result column: reload the history once.
	const endedCount = runs.ended.size;
	const lastEnded = useRef(endedCount);
	useEffect(() => {
		if (lastEnded.current !== endedCount) void reload();
		lastEnded.current = endedCount;
	}, [endedCount]);

	const info = useScheduleInfo(services);
	const selected = filtered[state.selected];
	const act = (action: TaskAction, task: Task | undefined) => {
		if (!task) return;
		const running = runs.active.has(task.id);
		switch (action) {
			case 'Run Now':
				if (running) void operations.cancel(task);
				else void operations.run(task);
				break;
			case 'Dry Run':
				void operations.dryRun(task);
				break;
			case 'Restore':
				dispatch({type: 'dialog', kind: 'restore', taskId: task.id});
				break;
			case 'Edit':
				ui.navigate({name: 'task-form', taskId: task.id});
				break;
			case 'Delete':
				dispatch({type: 'dialog', kind: 'delete', taskId: task.id});
				break;
			case 'Logs':
				ui.navigate({name: 'logs', taskId: task.id});
				break;
			case 'Enable/Disable':
				void operations.toggle(task);
				break;
		}
	};
	const perform = (command: TasksCommandName) => {
		switch (command) {
			case 'down':
				return dispatch({type: 'move', by: 1});
			case 'up':
				return dispatch({type: 'move', by: -1});
			case 'page-down':
				return dispatch({type: 'page', by: 1});
			case 'page-up':
				return dispatch({type: 'page', by: -1});
			case 'first':
				return dispatch({type: 'first'});
			case 'last':
				return dispatch({type: 'last'});
			case 'open':
				return dispatch({type: 'expand'});
			case 'back':
				return dispatch({type: 'filter-clear'});
			case 'collapse':
				return dispatch({type: 'collapse'});
			case 'next-action':
				return dispatch({type: 'action', by: 1});
			case 'prev-action':
				return dispatch({type: 'action', by: -1});
			case 'do-action':
				return act(taskActions[state.action]!, selected);
			case 'add':
				return ui.navigate({name: 'task-form'});
			case 'run':
				return act('Run Now', selected);
			case 'dry-run':
				return act('Dry Run', selected);
			case 'edit':
				return act('Edit', selected);
			case 'cancel-run':
				if (selected && runs.active.has(selected.id)) void operations.cancel(selected);
				else if (selected) ui.notify(`Task ${selected.id} is not running: x stops a task while it runs.`);
				return;
			case 'toggle':
				return act('Enable/Disable', selected);
			case 'logs':
				return act('Logs', selected);
			case 'delete':
				return act('Delete', selected);
			case 'filter':
				return dispatch({type: 'filter-start'});
			case 'refresh':
				void reload();
				return;
			case 'credentials':
				return ui.navigate({name: 'credentials'});
			case 'filter-accept':
				return dispatch({type: 'filter-done'});
			case 'filter-clear':
				return dispatch({type: 'filter-clear'});
			case 'filter-down':
				return dispatch({type: 'move', by: 1});
			case 'filter-up':
				return dispatch({type: 'move', by: -1});
		}
	};
	useTasksInput(state, perform, !modalOpen);

	const columns = useMemo(() => columnsFor(width), [width]);
	const rows = filtered.slice(state.top, state.top + viewport);
	const day = new Date().toDateString();
	const dialogTask = state.dialog ? state.tasks.find(t => t.id === state.dialog!.taskId) : undefined;
	const area = {width, height: height - 1, top: 1};
	const title = state.filtering || state.filter ? '' : `Tasks (${state.tasks.length})`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box height={1}>
				{state.filtering || state.filter ? (
					<Text>
						<Text color={theme.accent}>{' / '}</Text>
						<TextField value={state.filter} focus={state.filtering && !modalOpen} onChange={text => dispatch({type: 'filter-set', text})} />
						<Text dimColor>{`  ${filtered.length} of ${state.tasks.length}`}</Text>
					</Text>
				) : (
					<Text bold>{fit(` ${title}${state.loading ? '  loading…' : ''}${state.error ? `  ${state.error}` : ''}`, width)}</Text>
				)}
			</Box>
			<Text bold color={theme.muted}>
				{fit(headerLine(columns), width)}
			</Text>
			{filtered.length === 0 && !state.loading ? (
				<Text dimColor>{state.tasks.length === 0 ? '  No tasks yet. Press a to add one (add a credential first with 2, then a).' : '  No task matches the filter. Esc clears it.'}</Text>
			) : null}
			{rows.map((task, i) => {
				const index = state.top + i;
				const rowInfo = info(task);
				const run = runs.active.get(task.id);
				const last = pickLast(runs.ended.get(task.id), lastRuns.get(task.id));
				return (
					<Box key={task.id} flexDirection="column" flexShrink={0}>
						<TaskRow task={task} info={rowInfo} columns={columns} selected={index === state.selected} run={run} last={last} theme={theme} day={day} />
						{state.expanded === task.id ? <TaskDetails task={task} info={rowInfo} width={width} action={state.action} run={run} last={last} theme={theme} /> : null}
					</Box>
				);
			})}
			{state.dialog?.kind === 'delete' && dialogTask ? (
				<Dialog
					title={`Delete task ${dialogTask.id}?`}
					lines={[`Deletes task ${dialogTask.id} "${dialogTask.description}" and its schedule. No files are touched: ${dialogTask.path} and the remote copy stay as they are.`]}
					buttons={[
						{label: 'Cancel', value: 'cancel'},
						{label: 'Delete task', value: 'delete'},
					]}
					area={area}
					theme={theme}
					onAnswer={answer => {
						dispatch({type: 'dialog-close'});
						if (answer === 'delete') void operations.remove(dialogTask);
					}}
				/>
			) : null}
			{state.dialog?.kind === 'restore' && dialogTask ? (
				<RestoreDialog
					task={dialogTask}
					area={area}
					onClose={created => {
						dispatch({type: 'dialog-close'});
						if (created) void reload(created.id);
					}}
				/>
			) : null}
		</Box>
	);
}

function pickLast<T extends {startedAt: string}>(a: T | undefined, b: T | undefined): T | undefined {
	if (!a) return b;
	if (!b) return a;
	return a.startedAt >= b.startedAt ? a : b;
}

/** Schedule words and the next run for a row; cached per schedule and minute so 1,000 rows stay cheap. */
function useScheduleInfo(services: ReturnType<typeof useUi>['services']): (task: Task) => RowInfo {
	const cache = useRef(new Map<string, RowInfo>());
	const minute = Math.floor(Date.now() / 60_000);
	return (task: Task) => {
		const key = `${minute} ${scheduleKey(task.schedule)}`;
		let found = cache.current.get(key);
		if (!found) {
			if (cache.current.size > 2000) cache.current.clear();
			let next = '—';
			let schedule = '';
			try {
				schedule = services.describeSchedule(task.schedule);
				const [when] = services.nextRuns(task.schedule, new Date(), 1);
				if (when) next = formatWhen(when);
			} catch {
				schedule = 'invalid schedule';
			}
			found = {schedule, next};
			cache.current.set(key, found);
		}
		return found;
	};
}

function scheduleKey(schedule: Schedule): string {
	return `${schedule.minute} ${schedule.hour} ${schedule.dom} ${schedule.month} ${schedule.dow}`;
}
