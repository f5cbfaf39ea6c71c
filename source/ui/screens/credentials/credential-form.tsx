import {Box, Text} from 'ink';
import {useEffect, useMemo, useReducer, useRef, useState} from 'react';
import type {ProviderId} from '../../../core/fields.js';
import {userMessage} from '../../../core/errors.js';
import type {Credential} from '../../../core/model.js';
import {Dialog} from '../../components/dialog.js';
import {formReducer, initialForm, isDirty} from '../../components/form/form-state.js';
import {FormView} from '../../components/form/form-view.js';
import {focusIsText, useFormInput} from '../../components/form/use-form-input.js';
import {StatusLine, statusLines, type FormStatus} from '../../components/status-line.js';
import {useUi} from '../../context.js';
import {fit} from '../../format.js';
import {formKeymap} from '../../keymap.js';
import {priority, useKeyLayer, useModalOpen} from '../../router.js';
import {attributesFromValues, credentialFormFields, credentialFormValues, errorsByField} from './credential-form-model.js';
import {DropboxLoginDialog} from './dropbox-login.js';
import {useScreenKeys} from '../../hooks/use-screen-keys.js';

type Status = FormStatus | undefined;

/** Add or edit a credential; the fields come from the provider's description. */
export function CredentialForm({editName}: {editName?: string}) {
	const ui = useUi();
	const {services, theme, width, height} = ui;
	const modalOpen = useModalOpen();
	const adding = editName === undefined;
	const [state, dispatch] = useReducer(formReducer, initialForm(credentialFormValues(services.providers, 'local'), adding ? 'name' : ''));
	const [existing, setExisting] = useState<Credential>();
	const [status, setStatus] = useState<Status>();
	const [askSaveUnverified, setAskSaveUnverified] = useState<string>();
	const [login, setLogin] = useState(false);
	const busy = status?.kind === 'busy';
	const provider = (existing?.provider ?? state.values.provider) as ProviderId;
	const description = services.providers[provider];
	const fields = useMemo(() => credentialFormFields(services.providers, provider, adding), [services, provider, adding]);
	useScreenKeys(formKeymap, {quitKey: false, helpKey: !focusIsText(fields, state)});

	useEffect(() => {
		if (adding) return;
		services.listCredentials().then(
			all => {
				const found = all.find(c => c.name === editName);
				if (!found) {
					ui.notify(`There is no credential named "${editName}" any more.`, 'error');
					ui.navigate({name: 'credentials'});
					return;
				}
				setExisting(found);
				dispatch({type: 'reset', values: credentialFormValues(services.providers, found.provider, found), focus: credentialFormFields(services.providers, found.provider, false)[0]?.id});
			},
			error => ui.notify(userMessage(error), 'error'),
		);
	}, [editName]);

	// Switching the provider of a new credential starts its fields over, keeping the name.
	const previousProvider = useRef(provider);
	useEffect(() => {
		if (previousProvider.current === provider) return;
		previousProvider.current = provider;
		// Editing: the provider only "changes" from the placeholder to the loaded credential's.
		if (!adding) return;
		dispatch({type: 'replace', values: {...credentialFormValues(services.providers, provider), name: state.values.name!}});
	}, [provider]);

	const build = (): Credential | undefined => {
		const name = adding ? String(state.values.name ?? '').trim() : editName!;
		const {attributes, errors} = attributesFromValues(description, state.values, existing?.attributes);
		if (adding && !name) errors.name = 'a credential needs a name';
		const problems = services.validateAttributes(provider, attributes);
		Object.assign(errors, errorsByField(description, problems, 'verify'), errors);
		dispatch({type: 'errors', errors});
		if (Object.keys(errors).length > 0) {
			setStatus({kind: 'error', text: 'Fix the fields marked ✗.'});
			return undefined;
		}
		return {name, provider, attributes};
	};

	const save = async (credential: Credential, verified: boolean) => {
		setStatus({kind: 'busy', text: 'Saving…'});
		try {
			await services.saveCredential(credential, {replace: !adding});
			dispatch({type: 'saved'});
			ui.notify(`Saved credential "${credential.name}"${verified ? ', verified' : ', not verified'}.`);
			ui.navigate({name: 'credentials', selectName: credential.name});
		} catch (error) {
			const message = userMessage(error);
			setStatus({kind: 'error', text: message});
			if (/name/.test(message)) dispatch({type: 'errors', errors: {name: message}});
		}
	};

	const verifyThen = async (credential: Credential, andSave: boolean) => {
		setStatus({kind: 'busy', text: `Verifying "${credential.name}"…`});
		try {
			await services.verifyCredential(credential);
			setStatus({kind: 'ok', text: 'Verified: the provider accepted these settings.'});
			if (andSave) await save(credential, true);
		} catch (error) {
			const message = userMessage(error);
			setStatus({kind: 'error', text: `Verify failed: ${message}`});
			if (andSave) setAskSaveUnverified(message);
		}
	};

	const cancel = () => {
		if (isDirty(state)) dispatch({type: 'ask-drop', open: true});
		else ui.navigate({name: 'credentials', selectName: editName});
	};

	useFormInput(
		state,
		fields,
		dispatch,
		{
			onActivate(field) {
				if (field.kind === 'select') return dispatch({type: 'choose', open: true});
				if (field.kind === 'boolean') return dispatch({type: 'set', id: field.id, value: !state.values[field.id]});
				if (field.id === 'cancel') return cancel();
				if (field.id === 'login') return setLogin(true);
				if (field.id === 'verify' || field.id === 'save') {
					const credential = build();
					if (credential) void verifyThen(credential, field.id === 'save');
					return;
				}
				dispatch({type: 'next', fields});
			},
			onCancel: cancel,
		},
		{active: (adding || existing !== undefined) && !modalOpen && !busy && !login && !askSaveUnverified},
	);
	// Editing: keys wait until the credential is read.
	useKeyLayer(priority.screen, name => name !== 'ctrl+c', {active: !adding && existing === undefined});

	const formHeight = Math.max(3, height - 2 - statusLines);
	const help = fields.find(f => f.id === state.focus)?.help;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold>{fit(adding ? ' New credential' : ` Edit credential "${editName}" (${description.label})`, width)}</Text>
			<FormView
				fields={fields}
				state={state}
				width={width}
				height={formHeight}
				theme={theme}
				keyboard={(adding || existing !== undefined) && !modalOpen && !login && !askSaveUnverified}
				onChange={(id, value) => {
					dispatch({type: 'set', id, value});
					if (state.choosing) dispatch({type: 'choose', open: false});
				}}
			/>
			<Text color={theme.muted}>{fit(help ? ` ${help}` : '', width)}</Text>
			<StatusLine status={status} width={width} theme={theme} />
			{state.confirmDrop ? (
				<Dialog
					title="Drop your changes?"
					lines={['The credential has changes that are not saved.']}
					buttons={[
						{label: 'Keep editing', value: 'keep'},
						{label: 'Drop changes', value: 'drop'},
					]}
					area={{width, height: height - 1, top: 1}}
					theme={theme}
					onAnswer={answer => {
						dispatch({type: 'ask-drop', open: false});
						if (answer === 'drop') ui.navigate({name: 'credentials', selectName: editName});
					}}
				/>
			) : null}
			{askSaveUnverified ? (
				<Dialog
					title="Verification failed"
					lines={[askSaveUnverified, 'Save the credential anyway?']}
					buttons={[
						{label: 'Keep editing', value: 'keep'},
						{label: 'Save anyway', value: 'save'},
					]}
					area={{width, height: height - 1, top: 1}}
					theme={theme}
					onAnswer={answer => {
						setAskSaveUnverified(undefined);
						const credential = answer === 'save' ? build() : undefined;
						if (credential) void save(credential, false);
					}}
				/>
			) : null}
			{login ? (
				<DropboxLoginDialog
					values={state.values}
					provider={provider}
					area={{width, height: height - 1, top: 1}}
					onDone={attributes => {
						setLogin(false);
						if (!attributes) return;
						for (const [name, value] of Object.entries(attributes)) dispatch({type: 'set', id: `attr:${name}`, value: String(value)});
						setStatus({kind: 'ok', text: 'Logged in: the token is in the form; Save to keep it.'});
					}}
				/>
			) : null}
		</Box>
	);
}
