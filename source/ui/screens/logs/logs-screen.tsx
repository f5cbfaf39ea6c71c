import {Box, Text} from 'ink';
import {useEffect, useReducer, useState} from 'react';
import type {Task} from '../../../core/model.js';
import {Overlay} from '../../components/overlay.js';
import {progressText} from '../../components/progress.js';
import {TextField} from '../../components/text-field.js';
import {useRunsView, useUi} from '../../context.js';
import {counted, fit, formatBytes, formatDateTime} from '../../format.js';
import {commandFor, isHelpKey, logsKeymap, type Keymap, textFieldKeymap} from '../../keymap.js';
import {priority, useKeyLayer, useModalOpen} from '../../router.js';
import {LogView} from './log-view.js';
import {defaultLogCapacity, firstShown, initialLogsState, logsReducer, scrollEvent} from './logs-state.js';
import {useLogTail} from './use-log-tail.js';
import {useScreenKeys} from '../../hooks/use-screen-keys.js';

const searchKeymap: Keymap = [
	{keys: ['enter'], command: 'search-done', help: 'keep the search; n/N jump between matches', hint: 'keep'},
	{keys: ['esc'], command: 'search-clear', help: 'clear the search', hint: 'clear'},
	...textFieldKeymap,
];
const runsKeymap: Keymap = [
	{keys: ['j', 'down'], command: 'down', help: 'next run'},
	{keys: ['k', 'up'], command: 'up', help: 'previous run'},
	{keys: ['enter'], command: 'pick', help: 'show this run', hint: 'show'},
	{keys: ['esc'], command: 'close', help: 'close the list', hint: 'close'},
];

/** A run's log: live while it runs, older runs on request, follow, scroll and search. */
export function LogsScreen({taskId: wanted}: {taskId?: number}) {
	const ui = useUi();
	const {services, theme, width, height} = ui;
	const runsView = useRunsView();
	const modalOpen = useModalOpen();
	const [state, dispatch] = useReducer(logsReducer, defaultLogCapacity, initialLogsState);
	const [task, setTask] = useState<Task>();
	const taskId = wanted ?? [...runsView.active.keys()][0];
	const active = taskId === undefined ? undefined : runsView.active.get(taskId);
	const ended = taskId === undefined ? undefined : runsView.ended.get(taskId);

	useEffect(() => {
		if (taskId === undefined) return;
		void services.listTasks().then(tasks => setTask(tasks.find(t => t.id === taskId)));
	}, [taskId]);
	// The run list changes when a run of this task starts or ends.
	useEffect(() => {
		if (taskId === undefined) return;
		void services.listRuns(taskId).then(runs => {
			dispatch({type: 'runs', runs});
			const newest = active?.runId ?? runs[0]?.id;
			if (newest && (state.runId === undefined || active?.runId === newest)) {
				if (newest !== state.runId) dispatch({type: 'open-run', runId: newest});
			}
		});
	}, [taskId, active?.runId, ended?.id]);
	useLogTail(services, taskId, state.runId, state.capacity, dispatch);

	const headerRows = 2;
	const viewport = Math.max(1, height - headerRows - 1);
	useEffect(() => dispatch({type: 'viewport', rows: viewport}), [viewport]);
	const keymap = state.searching ? searchKeymap : state.choosingRun ? runsKeymap : logsKeymap;
	useScreenKeys(keymap, {quitKey: !state.searching, helpKey: !state.searching});

	useKeyLayer(
		priority.screen,
		(name, input) => {
			if (state.searching) {
				if (name === 'enter') dispatch({type: 'search-done'});
				else if (name === 'esc') dispatch({type: 'search-clear'});
				else return input.length > 0 && !name.startsWith('ctrl+');
				return true;
			}
			if (state.choosingRun) {
				const command = commandFor(runsKeymap, name);
				if (command === 'down') dispatch({type: 'run-cursor', by: 1});
				else if (command === 'up') dispatch({type: 'run-cursor', by: -1});
				else if (command === 'pick') {
					const run = state.runs[state.runCursor];
					if (run) dispatch({type: 'open-run', runId: run.id});
					else dispatch({type: 'choose-run', open: false});
				} else if (command === 'close') dispatch({type: 'choose-run', open: false});
				return name !== 'ctrl+c' && !isHelpKey(name);
			}
			const command = commandFor(logsKeymap, name);
			const scroll = scrollEvent(command, name, width);
			if (scroll) {
				dispatch(scroll);
				return true;
			}
			switch (command) {
				case 'follow':
					dispatch({type: 'follow'});
					break;
				case 'search':
					dispatch({type: 'search-start'});
					break;
				case 'next-match':
					dispatch({type: 'match', by: 1});
					break;
				case 'prev-match':
					dispatch({type: 'match', by: -1});
					break;
				case 'older':
					dispatch({type: 'choose-run', open: true});
					break;
				case 'back':
					ui.navigate({name: 'tasks', selectTaskId: taskId});
					break;
				default:
					return false;
			}
			return true;
		},
		{active: !modalOpen},
	);

	if (taskId === undefined) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text>{fit(' No run in progress. On the Tasks screen, select a task and press L for its logs.', width)}</Text>
			</Box>
		);
	}
	const run = state.runs.find(r => r.id === state.runId);
	const summary = active
		? `${active.dryRun ? 'DRY RUN' : 'RUNNING'} ${progressText(active.progress, 34)} ${active.progress ? `${active.progress.filesDone}/${active.progress.filesTotal} files ${active.progress.phase}` : ''}`
		: run
			? `${run.dryRun ? 'dry run ' : ''}${run.state} ${formatDateTime(new Date(run.startedAt))}: ${counted(run.filesTransferred, 'file')}, ${formatBytes(run.bytesTransferred)}, ${run.filesDeleted} deleted, ${counted(run.errors, 'error')}${run.error ? ` — ${run.error}` : ''}`
			: 'No runs yet.';
	const first = firstShown(state);
	// The runs list: a box below the title line; inside it the border and its title take 3 rows.
	const runsBox = Math.min(height - 1, state.runs.length + 4);
	const runRows = Math.max(1, runsBox - 3);
	const firstRun = Math.max(0, state.runCursor - runRows + 1);
	const position = state.lines.length === 0 ? 'empty' : `lines ${state.dropped + first + 1}-${state.dropped + Math.min(state.lines.length, first + viewport)} of ${state.dropped + state.lines.length}`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold>{fit(` Task ${taskId}${task ? ` "${task.description}"` : ''} · run ${state.runId ?? '—'}`, width)}</Text>
			<Text color={run?.state === 'FAILED' ? theme.bad : active ? theme.accent : run?.state === 'SUCCESS' ? theme.good : undefined}>{fit(` ${summary}`, width)}</Text>
			<LogView state={state} width={width} height={viewport} theme={theme} />
			<Box height={1}>
				{state.searching || state.search ? (
					<Text>
						<Text color={theme.accent}>{' / '}</Text>
						<TextField value={state.search} focus={state.searching && !modalOpen} onChange={text => dispatch({type: 'search-set', text})} />
						<Text dimColor>{state.search && state.match === undefined ? '  no match' : ''}</Text>
					</Text>
				) : (
					<Text>
						<Text color={state.follow ? theme.good : theme.warn} bold>
							{state.follow ? ' ● FOLLOW' : ' ○ follow off'}
						</Text>
						<Text dimColor>{`  ${position}${state.column > 0 ? `, from column ${state.column + 1}` : ''}${state.dropped > 0 ? ` (older lines in the log file)` : ''}`}</Text>
					</Text>
				)}
			</Box>
			{state.choosingRun ? (
				<Overlay area={{width, height: height - 1, top: 1}} width={64} height={runsBox} title={`Runs of task ${taskId} (newest first)`} theme={theme}>
					{state.runs.length === 0 ? <Text dimColor>No runs yet.</Text> : null}
					{state.runs.slice(firstRun, firstRun + runRows).map(record => {
						const index = state.runs.indexOf(record);
						return (
							<Text key={record.id} {...(index === state.runCursor ? theme.selection : {})}>
								{fit(`${formatDateTime(new Date(record.startedAt))}  ${record.dryRun ? 'dry ' : ''}${record.state}  ${counted(record.filesTransferred, 'file')}`, 58)}
							</Text>
						);
					})}
				</Overlay>
			) : null}
		</Box>
	);
}
