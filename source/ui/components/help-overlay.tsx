import {Text} from 'ink';
import {fit} from '../format.js';
import {globalKeymap, keysLabel, type Keymap} from '../keymap.js';
import {priority, useKeyLayer} from '../router.js';
import type {Theme} from '../theme.js';
import {Overlay} from './overlay.js';

/** Every key of the current screen and the global keys, from the same tables as the hint bar. */
export function HelpOverlay({keymap, area, theme, onClose}: {keymap: Keymap; area: {width: number; height: number; top: number}; theme: Theme; onClose: () => void}) {
	useKeyLayer(
		priority.overlay,
		name => {
			if (name === '?' || name === 'esc' || name === 'q' || name === 'enter') onClose();
			return true;
		},
		{modal: true},
	);
	const rows = [...keymap, ...globalKeymap.filter(g => !keymap.some(b => b.command === g.command))];
	const width = Math.min(area.width, 72);
	const height = Math.min(area.height, rows.length + 4);
	const visible = rows.slice(0, height - 4);
	return (
		<Overlay area={area} width={width} height={height} title="Keys (? or esc closes)" theme={theme}>
			{visible.map(binding => (
				<Text key={binding.command + binding.keys[0]}>
					<Text bold color={theme.accent}>
						{fit(keysLabel(binding), 18)}
					</Text>
					{fit(binding.help, width - 22)}
				</Text>
			))}
			{rows.length > visible.length ? <Text dimColor>{`… ${rows.length - visible.length} more (make the window taller)`}</Text> : null}
		</Overlay>
	);
}
