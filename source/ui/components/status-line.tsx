import {Text} from 'ink';
import {wrapText} from '../format.js';
import type {Theme} from '../theme.js';

export type FormStatus = {kind: 'busy' | 'ok' | 'error'; text: string};

/** Lines a form keeps below its fields for its status: room for a whole sentence at 80 columns. */
export const statusLines = 2;

/** A form's status (busy, done, or what went wrong), wrapped over `statusLines` lines rather than cut off. */
export function StatusLine({status, width, theme}: {status?: FormStatus; width: number; theme: Theme}) {
	const color = status?.kind === 'error' ? theme.bad : status?.kind === 'ok' ? theme.good : theme.accent;
	const lines = wrapText(status ? status.text : '', width - 1, statusLines);
	return (
		<>
			{Array.from({length: statusLines}, (_, i) => (
				<Text key={i} color={color}>
					{` ${lines[i] ?? ''}`.padEnd(width).slice(0, width)}
				</Text>
			))}
		</>
	);
}
