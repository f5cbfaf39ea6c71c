import type {ReactNode} from 'react';
import {Box, Text} from 'ink';
import {fit} from '../format.js';
import type {Theme} from '../theme.js';

/**
 * A bordered box drawn over the screen, centred in `area`. Every line is padded
 * to the full inner width so nothing underneath shows through.
 */
export function Overlay({area, width, height, title, theme, children}: {area: {width: number; height: number; top: number}; width: number; height: number; title: string; theme: Theme; children: ReactNode}) {
	const w = Math.min(width, area.width);
	const h = Math.min(height, area.height);
	const left = Math.max(0, Math.floor((area.width - w) / 2));
	const top = area.top + Math.max(0, Math.floor((area.height - h) / 2));
	const blank = Array.from({length: Math.max(0, h - 2)}, (_, i) => <Text key={i}>{' '.repeat(Math.max(0, w - 2))}</Text>);
	return (
		<Box position="absolute" marginLeft={left} marginTop={top} width={w} height={h} flexDirection="column">
			<Box position="absolute" width={w} height={h} flexDirection="column" paddingLeft={1} paddingTop={1}>
				{blank}
			</Box>
			<Box width={w} height={h} borderStyle="round" borderColor={theme.accent} flexDirection="column" paddingX={1}>
				<Text bold color={theme.accent}>
					{fit(title, w - 4)}
				</Text>
				{children}
			</Box>
		</Box>
	);
}
