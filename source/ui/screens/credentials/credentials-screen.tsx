import {Box, Text} from 'ink';
import {useCallback, useEffect, useReducer} from 'react';
import {userMessage} from '../../../core/errors.js';
import type {Credential} from '../../../core/model.js';
import {Dialog} from '../../components/dialog.js';
import {useUi} from '../../context.js';
import {cell, counted, fit} from '../../format.js';
import {commandFor, credentialsKeymap, type CredentialsCommand} from '../../keymap.js';
import {priority, useKeyLayer, useModalOpen} from '../../router.js';
import {credentialsReducer, initialCredentialsState} from './credentials-state.js';
import {useScreenKeys} from '../../hooks/use-screen-keys.js';

/** Where a credential points, without secrets: an endpoint, a folder, an account. */
export function credentialSummary(credential: Credential, secretNames: ReadonlySet<string>): string {
	const parts: string[] = [];
	for (const [name, value] of Object.entries(credential.attributes)) {
		if (secretNames.has(name) || value === '' || value === false) continue;
		if (/token|expiry|secret|password|key_id|access_key/i.test(name)) continue;
		parts.push(`${name}=${String(value)}`);
	}
	return parts.join(' ');
}

export function CredentialsScreen({selectName}: {selectName?: string}) {
	const ui = useUi();
	const {services, theme, width, height} = ui;
	const modalOpen = useModalOpen();
	const [state, dispatch] = useReducer(credentialsReducer, initialCredentialsState);
	const reload = useCallback(
		async (select?: string) => {
			try {
				const [credentials, tasks] = await Promise.all([services.listCredentials(), services.listTasks()]);
				dispatch({type: 'loaded', credentials, tasks, selectName: select});
			} catch (error) {
				dispatch({type: 'failed', error: userMessage(error)});
			}
		},
		[services],
	);
	useEffect(() => {
		void reload(selectName);
	}, [reload, selectName]);
	useScreenKeys(credentialsKeymap);

	const selected = state.credentials[state.selected];
	const perform = (command: CredentialsCommand) => {
		switch (command) {
			case 'down':
				return dispatch({type: 'move', by: 1});
			case 'up':
				return dispatch({type: 'move', by: -1});
			case 'add':
				return ui.navigate({name: 'credential-form'});
			case 'edit':
				if (selected) ui.navigate({name: 'credential-form', editName: selected.name});
				return;
			case 'verify':
				if (!selected) return;
				dispatch({type: 'verify', name: selected.name, state: 'running'});
				services.verifyCredential(selected).then(
					() => dispatch({type: 'verify', name: selected.name, state: 'ok'}),
					error => dispatch({type: 'verify', name: selected.name, state: 'failed', message: userMessage(error)}),
				);
				return;
			case 'delete':
				if (selected) dispatch({type: 'confirm-delete', name: selected.name});
				return;
			case 'refresh':
				void reload();
				return;
			case 'back':
				return ui.navigate({name: 'tasks'});
		}
	};
	useKeyLayer(
		priority.screen,
		name => {
			const command = commandFor(credentialsKeymap, name);
			if (!command) return false;
			perform(command);
			return true;
		},
		{active: !modalOpen && !state.confirmDelete},
	);

	const nameWidth = 20;
	const providerWidth = 14;
	const usedWidth = 11;
	const restWidth = Math.max(10, width - nameWidth - providerWidth - usedWidth - 4);
	const rows = Math.max(1, height - 3);
	const top = Math.max(0, Math.min(state.selected - rows + 1, state.credentials.length - rows));
	const secretNames = (credential: Credential) => new Set(services.providers[credential.provider]?.fields.filter(f => f.secret).map(f => f.name) ?? []);
	const verify = selected ? state.verify[selected.name] : undefined;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold>{fit(` Credentials (${state.credentials.length})${state.loading ? '  loading…' : ''}${state.error ? `  ${state.error}` : ''}`, width)}</Text>
			<Text bold color={theme.muted}>
				{fit(`  ${cell('Name', nameWidth)}${cell('Provider', providerWidth)}${cell('Used by', usedWidth)}Where`, width)}
			</Text>
			{state.credentials.length === 0 && !state.loading ? <Text dimColor>{'  No credentials yet. Press a to add one (a local folder, S3, or Dropbox).'}</Text> : null}
			{state.credentials.slice(Math.max(0, top), Math.max(0, top) + rows).map((credential, i) => {
				const index = Math.max(0, top) + i;
				const isSelected = index === state.selected;
				const used = state.usage[credential.name] ?? 0;
				const line = `${isSelected ? '›' : ' '} ${cell(credential.name, nameWidth)}${cell(services.providers[credential.provider]?.label ?? credential.provider, providerWidth)}${cell(used === 0 ? '—' : counted(used, 'task'), usedWidth)}${fit(credential.secretsUnusable ? 'secrets must be entered again' : credentialSummary(credential, secretNames(credential)), restWidth)}`;
				return (
					<Text key={credential.name} {...(isSelected ? theme.selection : {})}>
						{fit(line, width)}
					</Text>
				);
			})}
			<Box flexGrow={1} />
			{verify ? (
				<Text color={verify.state === 'failed' ? theme.bad : verify.state === 'ok' ? theme.good : theme.accent}>
					{fit(` ${selected?.name}: ${verify.state === 'running' ? 'verifying…' : verify.state === 'ok' ? 'verified, it works.' : (verify.message ?? 'failed')}`, width)}
				</Text>
			) : null}
			{state.confirmDelete ? (
				<Dialog
					title={`Delete credential "${state.confirmDelete}"?`}
					lines={[`Deletes the credential "${state.confirmDelete}" and its stored secrets. Tasks that use it are refused: delete or change them first.`]}
					buttons={[
						{label: 'Cancel', value: 'cancel'},
						{label: 'Delete credential', value: 'delete'},
					]}
					area={{width, height: height - 1, top: 1}}
					theme={theme}
					onAnswer={answer => {
						const name = state.confirmDelete!;
						dispatch({type: 'confirm-delete'});
						if (answer !== 'delete') return;
						services.deleteCredential(name).then(
							() => {
								ui.notify(`Deleted credential "${name}".`);
								void reload();
							},
							error => ui.notify(userMessage(error), 'error'),
						);
					}}
				/>
			) : null}
		</Box>
	);
}
