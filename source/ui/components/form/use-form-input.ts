import type {Dispatch} from 'react';
import {commandFor, formKeymap, isHelpKey} from '../../keymap.js';
import {useUi} from '../../context.js';
import {priority, useKeyLayer} from '../../router.js';
import {lines, type FormEvent, type FormField, type FormState} from './form-state.js';

const textKinds = new Set(['text', 'secret', 'number', 'multiline', 'path']);

/** Whether typing goes into `field` as text (so ? and q are characters there). */
function isTextField(field: FormField | undefined): boolean {
	return field !== undefined && textKinds.has(field.kind);
}

/** Whether the focused field of a form takes typing as text (the hint bar then offers F1 for help). */
export function focusIsText(fields: readonly FormField[], state: Pick<FormState, 'focus'>): boolean {
	return isTextField(fields.find(f => f.id === state.focus));
}

export type FormHandlers = {
	/** Enter on a field: open a select, press a button, browse a path. */
	onActivate(field: FormField): void;
	onCancel(): void;
	/** Keys the form does not know (custom shortcuts); return true when handled. */
	onOther?(name: string, field: FormField | undefined): boolean;
};

/**
 * Form keys from `formKeymap`: Tab/arrows between fields, Enter activates,
 * Space switches yes/no, Esc cancels. While a text field has the focus every
 * printable key is text (handled by ink-text-input), never a shortcut.
 */
export function useFormInput(state: FormState, fields: readonly FormField[], dispatch: Dispatch<FormEvent>, handlers: FormHandlers, options: {active: boolean; dialog?: boolean}): void {
	const {openHelp} = useUi();
	useKeyLayer(
		options.dialog ? priority.dialog : priority.screen,
		(name, input) => {
			if (state.confirmDrop) return false;
			if (state.choosing) {
				if (name === 'esc') dispatch({type: 'choose', open: false});
				return name !== 'ctrl+c';
			}
			const field = fields.find(f => f.id === state.focus);
			if (field?.kind === 'multiline') {
				const count = lines(state.values[field.id]).length;
				if (name === 'up') {
					dispatch(state.line > 0 ? {type: 'line', by: -1} : {type: 'prev', fields});
					return true;
				}
				if (name === 'down') {
					dispatch(state.line < count - 1 ? {type: 'line', by: 1} : {type: 'next', fields});
					return true;
				}
				if (name === 'enter') {
					dispatch({type: 'new-line'});
					return true;
				}
				if (name === 'backspace' && lines(state.values[field.id])[state.line] === '') {
					dispatch({type: 'join-line'});
					return true;
				}
			}
			const isText = isTextField(field);
			const command = commandFor(formKeymap, name);
			if (command === 'toggle' && isText) return true; // a space in a text field is text
			switch (command) {
				case 'next':
					dispatch({type: 'next', fields});
					return true;
				case 'prev':
					dispatch({type: 'prev', fields});
					return true;
				case 'activate':
					if (field) handlers.onActivate(field);
					return true;
				case 'toggle':
					if (field?.kind === 'boolean') dispatch({type: 'set', id: field.id, value: !state.values[field.id]});
					else if (field) handlers.onActivate(field);
					return true;
				case 'cancel':
					handlers.onCancel();
					return true;
			}
			if (field?.kind === 'select' && field.choices && field.choices.length > 0) {
				const choices = field.choices;
				const index = choices.findIndex(c => c.value === state.values[field.id]);
				if (command === 'cycle') {
					const next = choices[(index + (name === 'right' ? 1 : choices.length - 1)) % choices.length]!;
					dispatch({type: 'set', id: field.id, value: next.value});
					return true;
				}
				// A letter or digit picks the next choice whose label or value starts with it ("s" finds s3).
				if (input.length === 1 && /[\p{L}\p{N}]/u.test(input)) {
					const letter = input.toLowerCase();
					for (let step = 1; step <= choices.length; step++) {
						const choice = choices[(index + step) % choices.length]!;
						if (choice.label.toLowerCase().startsWith(letter) || choice.value.toLowerCase().startsWith(letter)) {
							dispatch({type: 'set', id: field.id, value: choice.value});
							break;
						}
					}
					return true;
				}
			}
			if (field?.kind === 'button' && command === 'cycle') {
				dispatch({type: 'beside', fields, by: name === 'right' ? 1 : -1});
				return true;
			}
			if (handlers.onOther?.(name, field)) return true;
			// A form in a dialog holds the keyboard, so the help key would not reach the app's help
			// (in a text field ? is text; F1 has no text).
			if (options.dialog && isHelpKey(name) && !(isText && input.length > 0)) {
				openHelp();
				return true;
			}
			if (isText) return input.length > 0 && !name.startsWith('ctrl+');
			// Letters are not shortcuts inside a form (q would drop the edits); ? still opens help.
			return input.length === 1 && !isHelpKey(name) && !name.startsWith('ctrl+');
		},
		{active: options.active, modal: options.dialog},
	);
}
