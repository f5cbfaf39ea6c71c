import {Box, Text} from 'ink';
import {fit, wrapText} from '../format.js';
import {hintLine, type Keymap} from '../keymap.js';
import type {Theme} from '../theme.js';

/** A message's lines at the bottom: as many as it needs, up to three (the screen above gives up the rows). */
export function messageLines(text: string, width: number): string[] {
	return wrapText(text, Math.max(1, width - 1), 3);
}

/** The bottom line: the current screen's keys, then help and quit; or a message, on the lines of `messageLines`. */
export function HintBar({width, keymap, message, theme, quitKey = true, helpKey = true}: {width: number; keymap: Keymap; message?: {lines: string[]; kind: 'info' | 'error'}; theme: Theme; quitKey?: boolean; helpKey?: boolean}) {
	if (message) {
		return (
			<Box height={message.lines.length} width={width} flexShrink={0} flexDirection="column">
				{message.lines.map((line, i) => (
					<Text key={i} color={message.kind === 'error' ? theme.bad : theme.good} bold={message.kind === 'error'}>
						{fit(` ${line}`, width)}
					</Text>
				))}
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
