import TextInput from 'ink-text-input';
import {Text} from 'ink';
import {useRef, useState} from 'react';
import {commandFor, textFieldKeymap} from '../keymap.js';
import {lastControlKey} from '../router.js';

/**
 * ink-text-input with our rules: a secret is masked while typed, Ctrl+letter
 * shortcuts never end up as text (Ctrl+U clears the field), and an unfocused
 * field shows its value (or `••••` for a secret) without a cursor.
 */
export function TextField({value, onChange, focus, secret, placeholder, width}: {value: string; onChange: (value: string) => void; focus: boolean; secret?: boolean; placeholder?: string; width?: number}) {
	// An input that lost the focus can still be handed a key before React removes
	// its listener; the ref makes such late keys go nowhere instead of here.
	const focused = useRef(focus);
	focused.current = focus;
	// ink-text-input moves its cursor past a control key it was not allowed to insert,
	// and the next letter then lands in the wrong place: a new input puts the cursor at the end.
	const [generation, setGeneration] = useState(0);
	if (!focus) {
		const shown = secret ? (value ? '••••' : '') : value;
		const clipped = width !== undefined && shown.length > width ? `…${shown.slice(shown.length - width + 1)}` : shown;
		return <Text dimColor={!shown}>{clipped || placeholder || ' '}</Text>;
	}
	return (
		<TextInput
			key={generation}
			value={value}
			focus
			mask={secret ? '•' : undefined}
			placeholder={placeholder}
			onChange={next => {
				if (!focused.current) return;
				const control = lastControlKey();
				if (control === undefined) return onChange(next);
				setGeneration(n => n + 1);
				if (commandFor(textFieldKeymap, control) === 'clear-text') onChange('');
			}}
		/>
	);
}
