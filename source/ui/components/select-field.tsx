import SelectInput from 'ink-select-input';
import {Box, Text} from 'ink';

export type Choice<V extends string> = {label: string; value: V; help?: string};

/** An open list of choices (ink-select-input): up/down or j/k move, Enter picks. */
export function ChoiceList<V extends string>({choices, value, onPick, focus, limit = 6}: {choices: readonly Choice<V>[]; value: V; onPick: (value: V) => void; focus: boolean; limit?: number}) {
	const items = choices.map(choice => ({key: choice.value, label: choice.label, value: choice.value}));
	const initialIndex = Math.max(0, items.findIndex(item => item.value === value));
	return (
		<Box flexDirection="column" marginLeft={2}>
			<SelectInput items={items} initialIndex={initialIndex} isFocused={focus} limit={limit} onSelect={item => onPick(item.value)} />
			<Text dimColor>enter picks · esc keeps {value || 'the current value'}</Text>
		</Box>
	);
}
