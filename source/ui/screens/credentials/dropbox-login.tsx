import {Text} from 'ink';
import {useEffect, useState} from 'react';
import type {Attributes, ProviderId} from '../../../core/fields.js';
import {userMessage} from '../../../core/errors.js';
import {Overlay} from '../../components/overlay.js';
import {TextField} from '../../components/text-field.js';
import type {FormValues} from '../../components/form/form-state.js';
import {useUi} from '../../context.js';
import {priority, useKeyLayer} from '../../router.js';
import {attributesFromValues} from './credential-form-model.js';

/**
 * "Login to Provider": shows the authorization URL, takes the code the
 * provider shows after the user allows access, and exchanges it for tokens.
 */
export function DropboxLoginDialog({values, provider, area, onDone}: {values: FormValues; provider: ProviderId; area: {width: number; height: number; top: number}; onDone: (attributes?: Attributes) => void}) {
	const {services, theme} = useUi();
	const [login, setLogin] = useState<{authorizeUrl: string; codeVerifier: string}>();
	const [code, setCode] = useState('');
	const [error, setError] = useState<string>();
	const [busy, setBusy] = useState(true);
	const {attributes} = attributesFromValues(services.providers[provider], values);
	useEffect(() => {
		services.startDropboxLogin(attributes).then(
			started => {
				setLogin(started);
				setBusy(false);
			},
			failure => {
				setError(userMessage(failure));
				setBusy(false);
			},
		);
	}, []);
	useKeyLayer(
		priority.dialog,
		(name, input) => {
			if (name === 'esc') {
				onDone();
				return true;
			}
			if (name === 'enter' && login && code.trim() && !busy) {
				setBusy(true);
				setError(undefined);
				services.finishDropboxLogin(attributes, code.trim(), login.codeVerifier).then(
					tokens => onDone(tokens),
					failure => {
						setError(userMessage(failure));
						setBusy(false);
					},
				);
				return true;
			}
			return input.length > 0;
		},
		{modal: true},
	);
	const width = Math.min(area.width, 78);
	const url = login?.authorizeUrl ?? '';
	const urlLines: string[] = [];
	for (let i = 0; i < url.length; i += width - 4) urlLines.push(url.slice(i, i + width - 4));
	return (
		<Overlay area={area} width={width} height={Math.min(area.height, 9 + urlLines.length)} title="Login to Dropbox" theme={theme}>
			<Text>1. Open this address in a browser and allow access:</Text>
			{urlLines.map((line, i) => (
				<Text key={i} color={theme.accent}>
					{line}
				</Text>
			))}
			<Text>2. Paste the code Dropbox shows, then press Enter:</Text>
			<Text>
				{'Code: '}
				<TextField value={code} focus={!busy && login !== undefined} onChange={setCode} />
			</Text>
			<Text color={error ? theme.bad : theme.muted}>{error ?? (busy ? 'Talking to Dropbox…' : 'Esc cancels.')}</Text>
		</Overlay>
	);
}
