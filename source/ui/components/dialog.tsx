import {Box, Text} from 'ink';
import {useState} from 'react';
import {useDialogKeys} from '../hooks/use-dialog-keys.js';
import {commandFor, dialogKeymap} from '../keymap.js';
import {priority, useKeyLayer} from '../router.js';
import type {Theme} from '../theme.js';
import {Overlay} from './overlay.js';

export type DialogButton = {label: string; value: string};

/**
 * A modal question. It owns the keyboard while open; the first button (by
 * convention "Cancel" for destructive questions) has the focus.
 */
export function Dialog({title, lines, buttons, onAnswer, area, theme, width = 60}: {title: string; lines: string[]; buttons: DialogButton[]; onAnswer: (value: string | undefined) => void; area: {width: number; height: number; top: number}; theme: Theme; width?: number}) {
	const [focused, setFocused] = useState(0);
	useDialogKeys(dialogKeymap);
	useKeyLayer(
		priority.dialog,
		name => {
			const command = commandFor(dialogKeymap, name);
			if (command === 'switch') setFocused(i => (name === 'left' || name === 'h' ? (i + buttons.length - 1) % buttons.length : (i + 1) % buttons.length));
			else if (command === 'press') onAnswer(buttons[focused]!.value);
			else if (command === 'cancel') onAnswer(undefined);
			return true;
		},
		{modal: true},
	);
	const inner = Math.min(width, area.width) - 4;
	const wrapped = lines.flatMap(line => wrap(line, inner));
	return (
		<Overlay area={area} width={width} height={wrapped.length + 5} title={title} theme={theme}>
			{wrapped.map((line, i) => (
				<Text key={i}>{line}</Text>
			))}
			<Box marginTop={1} gap={1}>
				{buttons.map((button, i) => (
					<Text key={button.value}>
						{i === focused ? '›' : ' '}
						<Text inverse={i === focused} bold={i === focused}>{`[ ${button.label} ]`}</Text>
					</Text>
				))}
			</Box>
		</Overlay>
	);
}

export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(' ')) {
			if (line && (line + ' ' + word).length > width) {
				out.push(line);
				line = word;
			} else line = line ? `${line} ${word}` : word;
			while (line.length > width) {
				out.push(line.slice(0, width));
				line = line.slice(width);
			}
		}
		out.push(line);
	}
	return out;
}
