import {Box, Text} from 'ink';
import {fit} from '../../format.js';
import type {Theme} from '../../theme.js';
import {firstShown, type LogsState} from './logs-state.js';

/** The visible window of the log, with search matches marked. */
export function LogView({state, width, height, theme}: {state: LogsState; width: number; height: number; theme: Theme}) {
	const first = firstShown(state);
	const shown = state.lines.slice(first, first + height);
	const needle = state.search.toLowerCase();
	return (
		<Box flexDirection="column" height={height} width={width} overflow="hidden">
			{shown.map((line, i) => {
				const index = first + i;
				const text = fit(line.replace(/\t/g, '  ').replace(/[\u0000-\u001f\u007f]/g, '?'), width);
				const colour = /\bERROR\b/.test(line) ? theme.bad : /\bWARN\b/.test(line) ? theme.warn : undefined;
				if (!needle || !text.toLowerCase().includes(needle)) return <Text key={index} color={colour}>{text}</Text>;
				const at = text.toLowerCase().indexOf(needle);
				return (
					<Text key={index} color={colour} bold={index === state.match}>
						{text.slice(0, at)}
						<Text inverse>{text.slice(at, at + needle.length)}</Text>
						{text.slice(at + needle.length)}
					</Text>
				);
			})}
		</Box>
	);
}
