import TextInput from 'ink-text-input';
import {Text} from 'ink';
import {lastInputWasControl} from '../router.js';

/**
 * ink-text-input with our rules: a secret is masked while typed, Ctrl+letter
 * shortcuts never end up as text, and an unfocused field shows its value (or
 * `••••` for a secret) without a cursor.
 */
export function TextField({value, onChange, focus, secret, placeholder, width}: {value: string; onChange: (value: string) => void; focus: boolean; secret?: boolean; placeholder?: string; width?: number}) {
	if (!focus) {
		const shown = secret ? (value ? '••••' : '') : value;
		const clipped = width !== undefined && shown.length > width ? `…${shown.slice(shown.length - width + 1)}` : shown;
		return <Text dimColor={!shown}>{clipped || placeholder || ' '}</Text>;
	}
	return (
		<TextInput
			value={value}
			focus
			mask={secret ? '•' : undefined}
			placeholder={placeholder}
			onChange={next => {
				if (!lastInputWasControl()) onChange(next);
			}}
		/>
	);
}
