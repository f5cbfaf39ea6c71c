import {Text} from 'ink';
import {useEffect, useReducer, useState} from 'react';
import type {RunRecord} from '../../../core/model.js';
import {Overlay} from '../../components/overlay.js';
import {progressText} from '../../components/progress.js';
import {useRunsView, useUi} from '../../context.js';
import {fit} from '../../format.js';
import {priority, useKeyLayer} from '../../router.js';
import {LogView} from '../logs/log-view.js';
import {initialLogsState, logsReducer} from '../logs/logs-state.js';
import {useLogTail} from '../logs/use-log-tail.js';

/** The live log of a dry run of the form's unsaved task. */
export function DryRunDialog({runId, taskId, onClose}: {runId: string; taskId: number; onClose: () => void}) {
	const {services, theme, width, height} = useUi();
	const runs = useRunsView();
	const [state, dispatch] = useReducer(logsReducer, 2000, initialLogsState);
	const [record, setRecord] = useState<RunRecord>();
	const viewport = Math.max(3, height - 6);
	useEffect(() => dispatch({type: 'viewport', rows: viewport}), [viewport]);
	useLogTail(services, 'unsaved', runId, state.capacity, dispatch, setRecord);
	useKeyLayer(
		priority.dialog,
		name => {
			if (name === 'esc' || name === 'enter') onClose();
			else if (name === 'k' || name === 'up') dispatch({type: 'scroll', by: -1});
			else if (name === 'j' || name === 'down') dispatch({type: 'scroll', by: 1});
			else if (name === 'pgup') dispatch({type: 'page', by: -1});
			else if (name === 'pgdn') dispatch({type: 'page', by: 1});
			return name !== 'ctrl+c';
		},
		{modal: true},
	);
	const active = runs.active.get(taskId);
	const summary = record
		? `Dry run ${record.state}: ${record.filesTransferred} files would be transferred, ${record.filesDeleted} deleted${record.error ? ` — ${record.error}` : ''}`
		: `Dry run in progress ${progressText(active?.progress, 30)}`;
	return (
		<Overlay area={{width, height, top: 1}} width={width} height={height} title="Dry run of the unsaved task (nothing is changed) · esc closes" theme={theme}>
			<Text color={record?.state === 'FAILED' ? theme.bad : record ? theme.good : theme.accent}>{fit(summary, width - 4)}</Text>
			<LogView state={state} width={width - 4} height={viewport} theme={theme} />
		</Overlay>
	);
}
