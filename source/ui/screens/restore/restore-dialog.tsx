import {Text} from 'ink';
import {useReducer, useState} from 'react';
import {userMessage} from '../../../core/errors.js';
import type {Task} from '../../../core/model.js';
import {formReducer, initialForm, type FormField} from '../../components/form/form-state.js';
import {FormView} from '../../components/form/form-view.js';
import {focusIsText, useFormInput} from '../../components/form/use-form-input.js';
import {Overlay} from '../../components/overlay.js';
import {useUi} from '../../context.js';
import {useDialogKeys} from '../../hooks/use-dialog-keys.js';
import {formKeymap} from '../../keymap.js';

export const restoreFields: readonly FormField[] = [
	{id: 'description', label: 'Description', kind: 'text'},
	{id: 'path', label: 'Restore into', kind: 'text', placeholder: '/absolute/path'},
	{
		id: 'mode',
		label: 'Mode',
		kind: 'select',
		choices: [
			{label: 'COPY', value: 'COPY', help: 'COPY brings files back and never deletes local files.'},
			{label: 'SYNC', value: 'SYNC', help: 'SYNC makes the folder identical to the backup: local extras are deleted.'},
		],
	},
	{id: 'create', label: 'Create restore task', kind: 'button'},
	{id: 'cancel', label: 'Cancel', kind: 'button'},
];

/** Creates the reversed task of `task` (disabled), asking for its description, local path and mode. */
export function RestoreDialog({task, area, onClose}: {task: Task; area: {width: number; height: number; top: number}; onClose: (created?: Task) => void}) {
	const ui = useUi();
	const {services, theme} = ui;
	const [state, dispatch] = useReducer(formReducer, initialForm({description: `Restore of ${task.description}`.slice(0, 200), path: `${task.path.replace(/\/+$/, '')}-restored`, mode: 'COPY'}, 'description'));
	const [busy, setBusy] = useState(false);
	useDialogKeys(formKeymap, {questionMark: false, helpKey: !focusIsText(restoreFields, state)});
	const create = async () => {
		setBusy(true);
		try {
			const input = services.restoreTask(task, {description: String(state.values.description), path: String(state.values.path), mode: state.values.mode as 'COPY' | 'SYNC'});
			const problems = await services.checkTask({...task, ...input, id: task.id} as Task);
			if (problems.length > 0) {
				dispatch({type: 'errors', errors: Object.fromEntries(problems.map(p => [p.field === 'path' ? 'path' : 'description', p.message]))});
				return;
			}
			const created = await services.addTask(input);
			ui.notify(`Added restore task ${created.id} "${created.description}" (disabled): select it and press r to run it.`);
			onClose(created);
		} catch (error) {
			const message = userMessage(error);
			dispatch({type: 'errors', errors: {[/path/i.test(message) ? 'path' : 'description']: message}});
		} finally {
			setBusy(false);
		}
	};
	useFormInput(
		state,
		restoreFields,
		dispatch,
		{
			onActivate(field) {
				if (field.id === 'create') void create();
				else if (field.id === 'cancel') onClose();
				else if (field.kind === 'select') dispatch({type: 'choose', open: true});
				else dispatch({type: 'next', fields: restoreFields});
			},
			onCancel: () => onClose(),
		},
		{active: !busy, dialog: true},
	);
	const width = Math.min(area.width, 76);
	const mode = restoreFields[2]!.choices!.find(c => c.value === state.values.mode);
	return (
		<Overlay area={area} width={width} height={Math.min(area.height, state.choosing ? 16 : 11)} title={`Restore task ${task.id} "${task.description}"`} theme={theme}>
			<Text dimColor>{`A new ${task.direction === 'PUSH' ? 'PULL' : 'PUSH'} task from ${task.credential}:${[task.bucket, task.folder].filter(Boolean).join('/') || '(root)'}, created disabled.`.slice(0, width - 4)}</Text>
			<FormView
				fields={restoreFields}
				state={state}
				width={width - 4}
				height={Math.min(area.height, state.choosing ? 16 : 11) - 4}
				theme={theme}
				keyboard
				labelWidth={14}
				onChange={(id, value) => {
					dispatch({type: 'set', id, value});
					if (state.choosing) dispatch({type: 'choose', open: false});
				}}
				extra={field => (field.id === 'mode' && mode?.help ? [mode.help] : [])}
			/>
			{busy ? <Text color={theme.accent}>Checking…</Text> : null}
		</Overlay>
	);
}
