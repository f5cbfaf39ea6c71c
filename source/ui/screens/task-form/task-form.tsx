import {Box, Text} from 'ink';
import {useEffect, useMemo, useReducer, useState} from 'react';
import {userMessage} from '../../../core/errors.js';
import type {Credential, Schedule, Task} from '../../../core/model.js';
import {BrowserDialog} from '../../components/browser-dialog.js';
import {Dialog} from '../../components/dialog.js';
import {formReducer, initialForm, isDirty, type FormField} from '../../components/form/form-state.js';
import {FormView} from '../../components/form/form-view.js';
import {focusIsText, useFormInput} from '../../components/form/use-form-input.js';
import {StatusLine, statusLines, type FormStatus} from '../../components/status-line.js';
import {useUi} from '../../context.js';
import {fit, formatDateTime} from '../../format.js';
import {formKeymap} from '../../keymap.js';
import {priority, useKeyLayer, useModalOpen} from '../../router.js';
import {DryRunDialog} from './dry-run-dialog.js';
import {directionChoices, modeChoices, newTaskValues, scheduleFieldIds, scheduleFromValues, taskFormFields, taskFromValues, valuesFromTask} from './task-form-model.js';
import {useScreenKeys} from '../../hooks/use-screen-keys.js';

/** The id an unsaved task's dry run carries (no saved task ever gets it). */
export const unsavedTaskId = 2_147_483_647;

type Browse = 'remote' | 'local' | undefined;

/** Add or edit a task: every field, live browsers, schedule preview, inline validation, dry run. */
export function TaskForm({taskId}: {taskId?: number}) {
	const ui = useUi();
	const {services, theme, width, height} = ui;
	const modalOpen = useModalOpen();
	const [credentials, setCredentials] = useState<Credential[]>([]);
	const [existing, setExisting] = useState<Task>();
	const [loaded, setLoaded] = useState(false);
	const [state, dispatch] = useReducer(formReducer, initialForm(newTaskValues('', services.presetSchedule('daily')), 'description'));
	const [showAll, setShowAll] = useState(false);
	const [status, setStatus] = useState<FormStatus>();
	const [browse, setBrowse] = useState<{kind: Browse; field: string}>();
	const [dryRun, setDryRun] = useState<string>();
	// Enter on the remote folder before the credentials are read: the browser opens once they are.
	const [pendingBrowse, setPendingBrowse] = useState<string>();
	const [loadError, setLoadError] = useState<string>();

	useEffect(() => {
		void (async () => {
			try {
				const [all, tasks] = await Promise.all([services.listCredentials(), taskId === undefined ? Promise.resolve([]) : services.listTasks()]);
				setCredentials(all);
				if (taskId !== undefined) {
					const task = tasks.find(t => t.id === taskId);
					if (!task) {
						ui.notify(`There is no task ${taskId} any more.`, 'error');
						ui.navigate({name: 'tasks'});
						return;
					}
					setExisting(task);
					dispatch({type: 'reset', values: valuesFromTask(task), focus: 'description'});
				} else if (all[0]) {
					// The user may already be typing: only the credential's default changes.
					dispatch({type: 'default', id: 'credential', value: all[0].name});
				}
				setLoaded(true);
			} catch (error) {
				setPendingBrowse(undefined);
				setLoadError(userMessage(error));
				setStatus({kind: 'error', text: userMessage(error)});
			}
		})();
	}, [taskId]);

	const credential = credentials.find(c => c.name === state.values.credential);
	useEffect(() => {
		if (!loaded || !pendingBrowse) return;
		setPendingBrowse(undefined);
		if (credential) {
			setStatus(undefined);
			setBrowse({kind: 'remote', field: pendingBrowse});
		} else setStatus({kind: 'error', text: 'Choose a credential first.'});
	}, [loaded, pendingBrowse]);
	const hasBuckets = credential?.provider === 's3';
	const fields = useMemo(() => taskFormFields(state.values, credentials, hasBuckets), [state.values, credentials, hasBuckets]);
	useScreenKeys(formKeymap, {quitKey: false, helpKey: !focusIsText(fields, state)});
	const built = useMemo(() => taskFromValues(state.values, existing?.id ?? unsavedTaskId, {scheduleProblems: s => services.scheduleProblems(s)}), [state.values, existing]);
	const shownErrors = useMemo(() => {
		const errors: Record<string, string> = {};
		for (const [field, message] of Object.entries(built.errors)) {
			if (showAll || state.values[field] !== state.initial[field] || (field === 'schedulePreset' && scheduleFieldIds.some(id => state.values[id] !== state.initial[id]))) errors[field] = message;
		}
		return {...errors, ...state.errors};
	}, [built, showAll, state.values, state.initial, state.errors]);

	const setValue = (id: string, value: string | boolean) => {
		dispatch({type: 'set', id, value});
		if (state.choosing) dispatch({type: 'choose', open: false});
		if (id === 'schedulePreset' && value !== 'custom') {
			const preset = services.presetSchedule(value as Schedule['preset']);
			for (const field of scheduleFieldIds) dispatch({type: 'set', id: field, value: preset[field]});
		}
		if (id === 'credential' && value !== state.values.credential) {
			dispatch({type: 'set', id: 'bucket', value: ''});
			dispatch({type: 'set', id: 'folder', value: ''});
		}
	};

	const validate = (): Task | undefined => {
		setShowAll(true);
		if (Object.keys(built.errors).length > 0) {
			const first = fields.find(f => built.errors[f.id]);
			setStatus({kind: 'error', text: `Fix the fields marked ✗ (${first?.label.trim() ?? 'see above'}).`});
			if (first) dispatch({type: 'focus', id: first.id});
			return undefined;
		}
		return built.task;
	};

	const save = async () => {
		const task = validate();
		if (!task) return;
		setStatus({kind: 'busy', text: 'Checking…'});
		try {
			const problems = await services.checkTask(task);
			if (problems.length > 0) {
				const errors = Object.fromEntries(problems.map(p => [p.field === 'schedule' ? 'schedulePreset' : p.field, p.message]));
				dispatch({type: 'errors', errors});
				setStatus({kind: 'error', text: problems[0]!.message});
				const first = fields.find(f => errors[f.id]);
				if (first) dispatch({type: 'focus', id: first.id});
				return;
			}
			const {id: _id, createdAt: _created, secretsUnusable: _unusable, ...input} = task;
			const saved = existing ? await services.updateTask(existing.id, input) : await services.addTask(input);
			dispatch({type: 'saved'});
			const [warning] = await services.taskWarnings(saved);
			if (warning) ui.notify(`Saved task ${saved.id}; ${warning.short}.`, 'error');
			else ui.notify(`Saved task ${saved.id} "${saved.description}".`);
			ui.navigate({name: 'tasks', selectTaskId: saved.id});
		} catch (error) {
			setStatus({kind: 'error', text: userMessage(error)});
		}
	};

	const startDryRun = async () => {
		const task = validate();
		if (!task) return;
		setStatus({kind: 'busy', text: 'Starting a dry run…'});
		try {
			const run = await services.runner.dryRunUnsaved({...task, id: unsavedTaskId});
			setStatus(undefined);
			setDryRun(run.runId);
		} catch (error) {
			setStatus({kind: 'error', text: userMessage(error)});
		}
	};

	const cancel = () => {
		if (isDirty(state)) dispatch({type: 'ask-drop', open: true});
		else ui.navigate({name: 'tasks', selectTaskId: taskId});
	};

	const activate = (field: FormField) => {
		if (field.kind === 'select') return dispatch({type: 'choose', open: true});
		if (field.kind === 'boolean') return dispatch({type: 'set', id: field.id, value: !state.values[field.id]});
		if (field.id === 'save') return void save();
		if (field.id === 'dry-run') return void startDryRun();
		if (field.id === 'cancel') return cancel();
		if (field.id === 'bucket' || field.id === 'folder') {
			if (loadError) return setStatus({kind: 'error', text: loadError});
			if (!loaded) {
				setPendingBrowse(field.id);
				return setStatus({kind: 'busy', text: 'Reading the credentials…'});
			}
			if (!credential) return setStatus({kind: 'error', text: 'Choose a credential first.'});
			return setBrowse({kind: 'remote', field: field.id});
		}
		if (field.id === 'path') return setBrowse({kind: 'local', field: field.id});
		dispatch({type: 'next', fields});
	};

	const busy = status?.kind === 'busy';
	// An existing task's values arrive after a read: until then keys wait (and are not taken as shortcuts).
	const ready = loaded || taskId === undefined;
	useFormInput(state, fields, dispatch, {onActivate: activate, onCancel: cancel}, {active: ready && !modalOpen && !busy && !browse && !dryRun});
	useKeyLayer(priority.screen, name => name !== 'ctrl+c', {active: !ready});

	const extra = (field: FormField): string[] => {
		if (field.id === 'direction') return [directionChoices.find(c => c.value === state.values.direction)?.help ?? ''];
		if (field.id === 'transferMode') return [modeChoices.find(c => c.value === state.values.transferMode)?.help ?? ''];
		if (field.id === 'schedulePreset' && state.values.schedulePreset !== 'custom') return [schedulePreview(1)[0] ?? ''];
		if (field.id === 'dow' && state.values.schedulePreset === 'custom') return schedulePreview(5);
		return [];
	};
	const schedulePreview = (count: number): string[] => {
		const schedule = scheduleFromValues(state.values);
		if (scheduleFieldIds.some(id => built.errors[id])) return ['Next runs: fix the fields above to see them.'];
		try {
			const words = services.describeSchedule(schedule);
			const next = services.nextRuns(schedule, new Date(), count).map(formatDateTime);
			if (count === 1) return [`${words}; next ${next[0] ?? 'never'}`];
			return [`${words}. Next ${count} runs:`, ...next.map(when => `  ${when}`)].slice(0, count + 1);
		} catch (error) {
			return [userMessage(error)];
		}
	};

	const browserProps = () => {
		if (browse?.kind === 'local') {
			const current = String(state.values.path || '/');
			return {
				title: 'Choose the local folder',
				start: current.split('/').filter(Boolean),
				list: (segments: string[]) => services.localDirectories(`/${segments.join('/')}`),
				describe: (segments: string[]) => `/${segments.join('/')}`,
				onPick: (segments: string[] | undefined) => {
					setBrowse(undefined);
					if (segments) setValue('path', `/${segments.join('/')}`);
				},
			};
		}
		const browser = services.browser(credential!);
		const withBuckets = browser.listBuckets !== undefined;
		const bucket = String(state.values.bucket ?? '');
		const folder = String(state.values.folder ?? '')
			.split('/')
			.filter(Boolean);
		const start = withBuckets ? (bucket ? [bucket, ...(browse?.field === 'folder' ? folder : [])] : []) : folder;
		return {
			title: `Choose the remote folder (${credential!.name})`,
			start,
			buckets: withBuckets,
			list: (segments: string[]) => (withBuckets ? (segments.length === 0 ? browser.listBuckets!() : browser.listFolders(segments[0], segments.slice(1).join('/'))) : browser.listFolders(undefined, segments.join('/'))),
			describe: (segments: string[]) => (withBuckets ? (segments.length === 0 ? 'buckets' : `${segments[0]}:/${segments.slice(1).join('/')}`) : `${credential!.name}:/${segments.join('/')}`),
			onPick: (segments: string[] | undefined) => {
				setBrowse(undefined);
				if (!segments) return;
				if (withBuckets) {
					setValue('bucket', segments[0]!);
					setValue('folder', segments.slice(1).join('/'));
				} else setValue('folder', segments.join('/'));
			},
		};
	};

	const formHeight = Math.max(3, height - 2 - statusLines);
	const help = fields.find(f => f.id === state.focus)?.help;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold>{fit(existing ? ` Edit task ${existing.id} "${existing.description}"` : ' New task', width)}</Text>
			{loaded && credentials.length === 0 ? <Text color={theme.warn}>{fit(' There are no credentials yet: press Esc, then 2 and a to add one.', width)}</Text> : null}
			<FormView fields={fields} state={{...state, errors: shownErrors}} width={width} height={formHeight - (loaded && credentials.length === 0 ? 1 : 0)} theme={theme} keyboard={ready && !modalOpen && !browse && !dryRun} onChange={setValue} extra={extra} />
			<Text color={theme.muted}>{fit(help ? ` ${help}` : ' tab/↓ next field · enter choose/browse · space yes/no · esc cancel', width)}</Text>
			<StatusLine status={status} width={width} theme={theme} />
			{browse ? <BrowserDialog {...browserProps()} area={{width, height: height - 1, top: 1}} theme={theme} /> : null}
			{dryRun ? <DryRunDialog runId={dryRun} taskId={unsavedTaskId} onClose={() => setDryRun(undefined)} /> : null}
			{state.confirmDrop ? (
				<Dialog
					title="Drop your changes?"
					lines={[existing ? `Task ${existing.id} has changes that are not saved.` : 'The new task is not saved.']}
					buttons={[
						{label: 'Keep editing', value: 'keep'},
						{label: 'Drop changes', value: 'drop'},
					]}
					area={{width, height: height - 1, top: 1}}
					theme={theme}
					onAnswer={answer => {
						dispatch({type: 'ask-drop', open: false});
						if (answer === 'drop') ui.navigate({name: 'tasks', selectTaskId: taskId});
					}}
				/>
			) : null}
		</Box>
	);
}
