import {Box, Text} from 'ink';
import {fit} from '../format.js';
import {hintLine, type Keymap} from '../keymap.js';
import type {Theme} from '../theme.js';

/** The bottom line: the current screen's keys, then help and quit; or a message. */
export function HintBar({width, keymap, message, theme, quitKey = true, helpKey = true}: {width: number; keymap: Keymap; message?: {text: string; kind: 'info' | 'error'}; theme: Theme; quitKey?: boolean; helpKey?: boolean}) {
	if (message) {
		return (
			<Box height={1} width={width} flexShrink={0}>
				<Text color={message.kind === 'error' ? theme.bad : theme.good} bold={message.kind === 'error'}>
					{fit(` ${message.text}`, width)}
				</Text>
			</Box>
		);
	}
	// Where ? is text (a text field, the filter), F1 opens the help.
	const tail = `${helpKey ? '  ? help' : '  f1 help'}${quitKey ? '  q quit' : ''}`;
	const hints = hintLine(keymap, Math.max(0, width - tail.length - 1));
	return (
		<Box height={1} width={width} flexShrink={0}>
			<Text color={theme.muted}>{fit(` ${hints}${tail}`, width)}</Text>
		</Box>
	);
}
