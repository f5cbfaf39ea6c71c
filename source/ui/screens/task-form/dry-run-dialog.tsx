import {Text} from 'ink';
import {useEffect, useReducer, useState} from 'react';
import type {RunRecord} from '../../../core/model.js';
import {runSummary} from '../../../jobs/format.js';
import {Overlay} from '../../components/overlay.js';
import {progressText} from '../../components/progress.js';
import {useRunsView, useUi} from '../../context.js';
import {fit} from '../../format.js';
import {useDialogKeys} from '../../hooks/use-dialog-keys.js';
import {commandFor, dryRunKeymap} from '../../keymap.js';
import {priority, useKeyLayer} from '../../router.js';
import {LogView} from '../logs/log-view.js';
import {initialLogsState, logsReducer, scrollEvent} from '../logs/logs-state.js';
import {useLogTail} from '../logs/use-log-tail.js';

/** The live log of a dry run of the form's unsaved task. */
export function DryRunDialog({runId, taskId, onClose}: {runId: string; taskId: number; onClose: () => void}) {
	const {services, theme, width, height} = useUi();
	const runs = useRunsView();
	const [state, dispatch] = useReducer(logsReducer, 2000, initialLogsState);
	const [record, setRecord] = useState<RunRecord>();
	// Below the form's title line; inside: the border, the title and the summary.
	const boxHeight = Math.max(6, height - 1);
	const viewport = boxHeight - 4;
	useEffect(() => dispatch({type: 'viewport', rows: viewport}), [viewport]);
	useLogTail(services, 'unsaved', runId, state.capacity, dispatch, setRecord);
	useDialogKeys(dryRunKeymap);
	useKeyLayer(
		priority.dialog,
		name => {
			const command = commandFor(dryRunKeymap, name);
			const scroll = scrollEvent(command, name, width - 4);
			if (command === 'close') onClose();
			else if (scroll) dispatch(scroll);
			return name !== 'ctrl+c';
		},
		{modal: true},
	);
	const active = runs.active.get(taskId);
	const summary = record ? runSummary(record) : `Dry run in progress ${progressText(active?.progress, 30)}`;
	return (
		<Overlay area={{width, height: boxHeight, top: 1}} width={width} height={boxHeight} title="Dry run of the unsaved task (nothing is changed)" theme={theme}>
			<Text color={record?.state === 'FAILED' ? theme.bad : record ? theme.good : theme.accent}>{fit(summary, width - 4)}</Text>
			<LogView state={state} width={width - 4} height={viewport} theme={theme} />
		</Overlay>
	);
}
