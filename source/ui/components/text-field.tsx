import TextInput from 'ink-text-input';
import {Text, useInput} from 'ink';
import {useLayoutEffect, useRef, useState} from 'react';
import {commandFor, keyName, textFieldKeymap} from '../keymap.js';
import {lastControlKey} from '../router.js';

/**
 * ink-text-input with our rules: a secret is masked while typed, Ctrl+letter
 * shortcuts never end up as text, the keys of `textFieldKeymap` work (clear,
 * start, end), and an unfocused field shows its value (or `••••` for a
 * secret) without a cursor.
 *
 * ink-text-input keeps its cursor to itself. A new input (a new `key`) puts it
 * at the end of the text; a new input that first gets an empty text keeps it
 * at the start once the text arrives. That is how End and Home move it, and
 * how a Ctrl key, which ink-text-input counts as typed (moving its cursor past
 * the end), puts it back at the end.
 */
export function TextField({value, onChange, focus, secret, placeholder, width}: {value: string; onChange: (value: string) => void; focus: boolean; secret?: boolean; placeholder?: string; width?: number}) {
	// An input that lost the focus can still be handed a key before React removes
	// its listener; the ref makes such late keys go nowhere instead of here.
	const focused = useRef(focus);
	focused.current = focus;
	const [input, setInput] = useState({generation: 0, atStart: false});
	const restart = (atStart: boolean) => setInput(previous => ({generation: previous.generation + 1, atStart}));
	useLayoutEffect(() => {
		if (input.atStart) setInput(previous => ({...previous, atStart: false}));
	}, [input]);
	const perform = (command: string | undefined): boolean => {
		if (command === 'text-start') restart(true);
		else if (command === 'text-end') restart(false);
		else if (command === 'clear-text') {
			restart(false);
			onChange('');
		} else return false;
		return true;
	};
	// Home and End have no text, so ink-text-input does not report them.
	useInput(
		(text, key) => {
			if (focused.current && (key.home || key.end)) perform(commandFor(textFieldKeymap, keyName(text, key)));
		},
		{isActive: focus},
	);
	if (!focus) {
		const shown = secret ? (value ? '••••' : '') : value;
		const clipped = width !== undefined && shown.length > width ? `…${shown.slice(shown.length - width + 1)}` : shown;
		return <Text dimColor={!shown}>{clipped || placeholder || ' '}</Text>;
	}
	return (
		<TextInput
			key={input.generation}
			value={input.atStart ? '' : value}
			focus
			mask={secret ? '•' : undefined}
			placeholder={input.atStart ? undefined : placeholder}
			onChange={next => {
				if (!focused.current) return;
				const control = lastControlKey();
				if (control === undefined) return onChange(next);
				if (!perform(commandFor(textFieldKeymap, control))) restart(false);
			}}
		/>
	);
}
