import {Box, Text} from 'ink';
import {fit} from '../../format.js';
import type {Theme} from '../../theme.js';
import {firstShown, type LogsState} from './logs-state.js';

const stamp = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/;
const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-26T23:58:45.871Z INFO ..." shows as "23:58:45 INFO ..." in local time: the date is in the header. */
export function displayLine(line: string): string {
	const match = stamp.exec(line);
	let text = line;
	if (match) {
		const date = new Date(match[1]!);
		if (!Number.isNaN(date.getTime())) text = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${line.slice(match[0].length)}`;
	}
	return text.replace(/\t/g, '  ').replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** The visible window of the log, with search matches marked. */
export function LogView({state, width, height, theme}: {state: LogsState; width: number; height: number; theme: Theme}) {
	const first = firstShown(state);
	const shown = state.lines.slice(first, first + height);
	const needle = state.search.toLowerCase();
	return (
		// Clipped top and bottom only: each line is cut to the width by fit() (a wider one wraps and is
		// clipped below), and clipping sideways costs Ink a slice of every line of every frame.
		<Box flexDirection="column" height={height} width={width} overflowY="hidden">
			{shown.map((line, i) => {
				const index = first + i;
				const text = fit(displayLine(line).slice(state.column), width);
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
