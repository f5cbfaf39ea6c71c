import TextInput from 'ink-text-input';
import {Text} from 'ink';
import {useRef} from 'react';
import {lastInputWasControl} from '../router.js';

/**
 * ink-text-input with our rules: a secret is masked while typed, Ctrl+letter
 * shortcuts never end up as text, and an unfocused field shows its value (or
 * `••••` for a secret) without a cursor.
 */
export function TextField({value, onChange, focus, secret, placeholder, width}: {value: string; onChange: (value: string) => void; focus: boolean; secret?: boolean; placeholder?: string; width?: number}) {
	// An input that lost the focus can still be handed a key before React removes
	// its listener; the ref makes such late keys go nowhere instead of here.
	const focused = useRef(focus);
	focused.current = focus;
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
				if (focused.current && !lastInputWasControl()) onChange(next);
			}}
		/>
	);
}
