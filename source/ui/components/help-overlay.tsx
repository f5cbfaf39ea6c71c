import {Text} from 'ink';
import {useState} from 'react';
import {fit} from '../format.js';
import {globalKeymap, isHelpKey, keysLabel, type Keymap} from '../keymap.js';
import {priority, useKeyLayer} from '../router.js';
import type {Theme} from '../theme.js';
import {Overlay} from './overlay.js';

/** Every key of the current screen (or open dialog) and the global keys, from the same tables as the hint bar. Above dialogs: its keys never reach one. */
export function HelpOverlay({keymap, area, theme, onClose, dialog = false, lettersAreText = false}: {keymap: Keymap; area: {width: number; height: number; top: number}; theme: Theme; onClose: () => void; dialog?: boolean; lettersAreText?: boolean}) {
	// Over a dialog only its keys and ? work: the screen switches and quit wait until it closes.
	// In a form or the filter, 1, 2, 3 and q are not shortcuts either.
	const global = dialog ? globalKeymap.filter(g => g.command === 'help') : lettersAreText ? globalKeymap.filter(g => g.command === 'help' || g.keys.every(k => [...k].length > 1)) : globalKeymap;
	const rows = [...keymap, ...global.filter(g => !keymap.some(b => b.command === g.command))];
	const width = Math.min(area.width, 72);
	const height = Math.min(area.height, rows.length + 4);
	const visible = height - 4;
	const [offset, setOffset] = useState(0);
	const maxOffset = Math.max(0, rows.length - visible);
	useKeyLayer(
		priority.help,
		name => {
			if (name === 'j' || name === 'down') setOffset(o => Math.min(maxOffset, o + 1));
			else if (name === 'k' || name === 'up') setOffset(o => Math.max(0, o - 1));
			else if (name === 'pgdn' || name === 'space') setOffset(o => Math.min(maxOffset, o + visible));
			else if (name === 'pgup') setOffset(o => Math.max(0, o - visible));
			else if (isHelpKey(name) || name === 'esc' || name === 'q' || name === 'enter') onClose();
			return true;
		},
		{modal: true},
	);
	const more = maxOffset > 0 ? ` ${offset + 1}-${offset + visible} of ${rows.length}, j/k scroll` : '';
	return (
		<Overlay area={area} width={width} height={height} title={`Keys (? or esc closes)${more}`} theme={theme}>
			{rows.slice(offset, offset + visible).map(binding => (
				<Text key={binding.command + binding.keys[0]}>
					<Text bold color={theme.accent}>
						{fit(keysLabel(binding), 18)}
					</Text>
					{fit(binding.help, width - 22)}
				</Text>
			))}
		</Overlay>
	);
}
