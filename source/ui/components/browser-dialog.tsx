import {Text} from 'ink';
import {useEffect, useReducer} from 'react';
import {userMessage} from '../../core/errors.js';
import {counted, fit} from '../format.js';
import {useDialogKeys} from '../hooks/use-dialog-keys.js';
import type {Keymap} from '../keymap.js';
import {commandFor} from '../keymap.js';
import {priority, useKeyLayer} from '../router.js';
import type {Theme} from '../theme.js';
import {browserReducer, browserRows, canPick, initialBrowser, type BrowserState} from './browser-state.js';
import {Overlay} from './overlay.js';

export const browserKeymap = [
	{keys: ['j', 'down'], command: 'down', help: 'next folder'},
	{keys: ['k', 'up'], command: 'up', help: 'previous folder'},
	{keys: ['enter', 'l', 'right'], command: 'open', help: 'open the folder (or pick the current one on the first row)', hint: 'open'},
	{keys: ['h', 'left', 'backspace'], command: 'parent', help: 'up one level', hint: 'up'},
	{keys: ['space', 's'], command: 'pick', help: 'use the current folder', hint: 'use this'},
	{keys: ['esc'], command: 'cancel', help: 'close without choosing', hint: 'cancel'},
] as const satisfies Keymap;

/**
 * Browses folders live: `list(segments)` gives the names under a location
 * (buckets at the top for S3). Enter descends, h goes up, the first row picks.
 */
export function BrowserDialog({title, start, buckets = false, list, describe, onPick, area, theme}: {title: string; start: string[]; buckets?: boolean; list: (segments: string[]) => Promise<string[]>; describe: (segments: string[]) => string; onPick: (segments: string[] | undefined) => void; area: {width: number; height: number; top: number}; theme: Theme}) {
	const [state, dispatch] = useReducer(browserReducer, {segments: start, buckets}, initialBrowser);
	const load = (segments: string[]) => {
		dispatch({type: 'loading', segments});
		list(segments).then(
			entries => dispatch({type: 'loaded', segments, entries}),
			error => dispatch({type: 'failed', segments, error: userMessage(error)}),
		);
	};
	useEffect(() => load(start), []);
	const rows = browserRows(state);
	useDialogKeys(browserKeymap);
	useKeyLayer(
		priority.dialog,
		name => {
			const command = commandFor(browserKeymap, name);
			const row = rows[state.cursor];
			switch (command) {
				case 'down':
					dispatch({type: 'move', by: 1});
					break;
				case 'up':
					dispatch({type: 'move', by: -1});
					break;
				case 'open':
					if (row?.kind === 'pick') onPick(state.segments);
					else if (row?.kind === 'up') load(state.segments.slice(0, -1));
					else if (row?.name !== undefined) load([...state.segments, row.name]);
					break;
				case 'parent':
					if (state.segments.length > 0) load(state.segments.slice(0, -1));
					break;
				case 'pick':
					if (canPick(state)) onPick(state.segments);
					break;
				case 'cancel':
					onPick(undefined);
					break;
			}
			return true;
		},
		{modal: true},
	);
	const width = Math.min(area.width, 70);
	const height = Math.min(area.height, Math.max(9, rows.length + 5));
	const listHeight = height - 5;
	const top = Math.max(0, Math.min(state.cursor - listHeight + 1, rows.length - listHeight));
	const here = describe(state.segments);
	return (
		<Overlay area={area} width={width} height={height} title={title} theme={theme}>
			<Text color={theme.muted}>{fit(here, width - 4)}</Text>
			{rows.slice(top, top + listHeight - 1).map((row, i) => {
				const index = top + i;
				const label = row.kind === 'pick' ? `✓ Use ${here}` : row.label;
				return (
					<Text key={`${index}:${row.label}`} {...(index === state.cursor ? theme.selection : {})} bold={row.kind === 'pick'}>
						{fit(`${index === state.cursor ? '›' : ' '}${label}`, width - 4)}
					</Text>
				);
			})}
			<Text color={state.error ? theme.bad : theme.muted}>{fit(state.loading ? 'Loading…' : (state.error ?? footer(state)), width - 4)}</Text>
		</Overlay>
	);
}

function footer(state: BrowserState): string {
	if (!canPick(state)) return state.entries.length === 0 ? 'No buckets: create one with your provider first.' : `${counted(state.entries.length, 'bucket')}: Enter opens one.`;
	return state.entries.length === 0 ? 'No sub-folders here.' : counted(state.entries.length, 'folder');
}
