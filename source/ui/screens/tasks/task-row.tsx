import {Box, Text} from 'ink';
import {memo} from 'react';
import type {RunRecord, Task} from '../../../core/model.js';
import type {ActiveRun} from '../../../jobs/types.js';
import {progressText} from '../../components/progress.js';
import {cell, fit, formatBytes, formatDateTime, formatWhen} from '../../format.js';
import type {Theme} from '../../theme.js';
import {taskActions} from './tasks-state.js';

export type Columns = {id: number; description: number; direction: number; mode: number; credential: number; schedule: number; next: number; last: number};

/** Column widths for a terminal `width` wide; the description takes what is left. */
export function columnsFor(width: number): Columns {
	const credential = width >= 110 ? 14 : 0;
	const schedule = width >= 70 ? 17 : 0;
	const fixed = {id: 5, direction: 5, mode: 5, credential, schedule, next: 13, last: 18};
	const used = 2 + Object.values(fixed).reduce((a, b) => a + b, 0);
	return {...fixed, description: Math.max(10, width - used)};
}

export function headerLine(columns: Columns): string {
	return (
		'  ' +
		cell('ID', columns.id) +
		cell('Description', columns.description) +
		cell('Dir', columns.direction) +
		cell('Mode', columns.mode) +
		(columns.credential ? cell('Credential', columns.credential) : '') +
		(columns.schedule ? cell('Schedule', columns.schedule) : '') +
		cell('Next run', columns.next) +
		cell('Last result', columns.last)
	);
}

export function lastResultText(record: RunRecord | undefined): string {
	if (!record) return 'never run';
	const when = formatWhen(new Date(record.endedAt ?? record.startedAt));
	return `${record.dryRun ? 'dry ' : ''}${record.state} ${when}`;
}

export type RowInfo = {schedule: string; next: string};

/**
 * One line of the table. Memoized: a key press or a run's progress redraws only the rows it changes (two, or one).
 * `day` (today's date) is there for the memo only: a last result shows as "14:05" today and with its date after.
 */
export const TaskRow = memo(function TaskRow({task, info, columns, selected, run, last, theme}: {task: Task; info: RowInfo; columns: Columns; selected: boolean; run?: ActiveRun; last?: RecordOrUndefined; theme: Theme; day: string}) {
	const lead = `${selected ? '›' : ' '} ` + cell(String(task.id), columns.id) + cell(task.description, columns.description) + cell(task.direction, columns.direction) + cell(task.transferMode, columns.mode) + (columns.credential ? cell(task.credential, columns.credential) : '') + (columns.schedule ? cell(task.enabled ? info.schedule : 'disabled', columns.schedule) : '');
	const style = selected ? theme.selection : {inverse: false};
	if (run) {
		const label = run.dryRun ? 'dry ' : '';
		return (
			<Text>
				<Text {...style}>{lead}</Text>
				<Text color={theme.accent}>{fit(label + progressText(run.progress, columns.next + columns.last - label.length), columns.next + columns.last)}</Text>
			</Text>
		);
	}
	const result = lastResultText(last);
	const colour = last?.state === 'SUCCESS' ? theme.good : last?.state === 'FAILED' ? theme.bad : last ? theme.warn : theme.muted;
	return (
		<Text>
			<Text {...style}>{lead + cell(task.enabled ? info.next : '—', columns.next)}</Text>
			<Text color={colour}>{fit(result, columns.last)}</Text>
		</Text>
	);
});

type RecordOrUndefined = RunRecord | undefined;

export const detailLines = 4;

/** The expanded part under a task: where it syncs, its last run, and the action row. */
export function TaskDetails({task, info, width, action, run, last, theme}: {task: Task; info: RowInfo; width: number; action: number; run?: ActiveRun; last?: RunRecord; theme: Theme}) {
	const remote = [task.bucket, task.folder].filter(Boolean).join('/') || '(root)';
	const arrow = task.direction === 'PUSH' ? '→' : '←';
	const progress = run?.progress;
	const lastLine = run
		? `Running${run.dryRun ? ' (dry run)' : ''} since ${formatWhen(new Date(run.startedAt))}: ${progress ? `${progress.filesDone}/${progress.filesTotal} files, ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}, ${progress.phase}` : 'starting'}`
		: last
			? `Last run ${last.state}${last.dryRun ? ' (dry run)' : ''} ${formatDateTime(new Date(last.endedAt ?? last.startedAt))}: ${last.filesTransferred} files, ${formatBytes(last.bytesTransferred)}, ${last.filesDeleted} deleted${last.error ? ` — ${last.error}` : ''}`
			: 'Never run.';
	return (
		<Box flexDirection="column" marginLeft={4} width={width - 4} height={detailLines} overflow="hidden">
			<Text>{fit(`${task.path} ${arrow} ${task.credential}:${remote}  ${task.transferMode}${task.encryption ? ' encrypted' : ''}`, width - 4)}</Text>
			<Text>{fit(`Schedule: ${info.schedule}${task.enabled ? `, next ${info.next}` : ' (disabled)'}`, width - 4)}</Text>
			<Text color={last?.state === 'FAILED' ? theme.bad : undefined}>{fit(lastLine, width - 4)}</Text>
			<Box gap={1}>
				{taskActions.map((name, i) => {
					const label = name === 'Enable/Disable' ? (task.enabled ? 'Disable' : 'Enable') : name === 'Run Now' && run ? 'Stop' : name;
					return (
						<Text key={name} {...(i === action ? theme.selection : {})} bold={i === action}>
							{i === action ? `›${label}‹` : `[${label}]`}
						</Text>
					);
				})}
			</Box>
		</Box>
	);
}
