/**
 * State of any form (credential, task, restore): values by field id, the
 * focused field, an open choice list, errors shown next to their fields, and
 * whether closing must ask before dropping changes. Pure.
 */
export type FieldKind = 'text' | 'secret' | 'number' | 'multiline' | 'boolean' | 'select' | 'button' | 'path' | 'heading';

export type FormField = {
	id: string;
	label: string;
	kind: FieldKind;
	choices?: readonly {label: string; value: string; help?: string}[];
	help?: string;
	placeholder?: string;
};

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

export type FormState = {
	values: FormValues;
	initial: FormValues;
	focus: string;
	/** The focused select field's list is open. */
	choosing: boolean;
	/** Line of the focused multi-line field. */
	line: number;
	errors: Record<string, string>;
	/** The "drop your changes?" question is open. */
	confirmDrop: boolean;
};

export type FormEvent =
	| {type: 'set'; id: string; value: FormValue}
	| {type: 'reset'; values: FormValues; focus?: string}
	/** New values from the user's own choice (another provider): still changes to ask about. */
	| {type: 'replace'; values: FormValues}
	/** A default that arrives late (e.g. the first credential): not a change by the user. */
	| {type: 'default'; id: string; value: FormValue}
	| {type: 'next'; fields: readonly FormField[]}
	| {type: 'prev'; fields: readonly FormField[]}
	/** Left/right on a button: the button beside it, if there is one (never out of the row). */
	| {type: 'beside'; fields: readonly FormField[]; by: 1 | -1}
	| {type: 'focus'; id: string}
	| {type: 'choose'; open: boolean}
	| {type: 'line'; by: number}
	| {type: 'new-line'}
	| {type: 'join-line'}
	| {type: 'errors'; errors: Record<string, string>}
	| {type: 'saved'}
	| {type: 'ask-drop'; open: boolean};

export function initialForm(values: FormValues, focus: string): FormState {
	return {values, initial: values, focus, choosing: false, line: 0, errors: {}, confirmDrop: false};
}

export function isDirty(state: FormState): boolean {
	const keys = new Set([...Object.keys(state.values), ...Object.keys(state.initial)]);
	for (const key of keys) if (state.values[key] !== state.initial[key]) return true;
	return false;
}

const focusable = (field: FormField) => field.kind !== 'heading';

function step(state: FormState, fields: readonly FormField[], by: number): FormState {
	const usable = fields.filter(focusable);
	if (usable.length === 0) return state;
	const index = usable.findIndex(f => f.id === state.focus);
	const next = usable[index < 0 ? 0 : (index + by + usable.length) % usable.length]!;
	const line = by < 0 && next.kind === 'multiline' ? Math.max(0, lines(state.values[next.id]).length - 1) : 0;
	return {...state, focus: next.id, choosing: false, line};
}

export function lines(value: FormValue | undefined): string[] {
	return typeof value === 'string' ? value.split('\n') : [''];
}

export function formReducer(state: FormState, event: FormEvent): FormState {
	switch (event.type) {
		case 'set': {
			if (state.values[event.id] === event.value) return state;
			const {[event.id]: _cleared, ...errors} = state.errors;
			return {...state, values: {...state.values, [event.id]: event.value}, errors};
		}
		case 'reset':
			return initialForm(event.values, event.focus ?? state.focus);
		case 'replace':
			return {...state, values: event.values, errors: {}, choosing: false};
		case 'default':
			if (state.values[event.id] !== state.initial[event.id]) return state;
			return {...state, values: {...state.values, [event.id]: event.value}, initial: {...state.initial, [event.id]: event.value}};
		case 'next':
			return step(state, event.fields, 1);
		case 'prev':
			return step(state, event.fields, -1);
		case 'beside': {
			const index = event.fields.findIndex(f => f.id === state.focus);
			const next = event.fields[index + event.by];
			return index >= 0 && event.fields[index]!.kind === 'button' && next?.kind === 'button' ? {...state, focus: next.id, choosing: false, line: 0} : state;
		}
		case 'focus':
			return {...state, focus: event.id, choosing: false, line: 0};
		case 'choose':
			return {...state, choosing: event.open};
		case 'line': {
			const count = lines(state.values[state.focus]).length;
			return {...state, line: Math.max(0, Math.min(count - 1, state.line + event.by))};
		}
		case 'new-line': {
			const all = lines(state.values[state.focus]);
			all.splice(state.line + 1, 0, '');
			return {...state, values: {...state.values, [state.focus]: all.join('\n')}, line: state.line + 1};
		}
		case 'join-line': {
			const all = lines(state.values[state.focus]);
			if (state.line === 0 || all[state.line] !== '') return state;
			all.splice(state.line, 1);
			return {...state, values: {...state.values, [state.focus]: all.join('\n')}, line: state.line - 1};
		}
		case 'errors':
			return {...state, errors: event.errors};
		case 'saved':
			return {...state, initial: state.values, confirmDrop: false};
		case 'ask-drop':
			return {...state, confirmDrop: event.open};
	}
}

/** Sets one line of a multi-line value. */
export function withLine(value: FormValue | undefined, line: number, text: string): string {
	const all = lines(value);
	all[line] = text;
	return all.join('\n');
}
