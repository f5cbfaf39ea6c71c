import type {Credential, Task} from '../../../core/model.js';

export type CredentialsState = {
	credentials: Credential[];
	/** Tasks per credential name, for the "used by" column. */
	usage: Record<string, number>;
	selected: number;
	loading: boolean;
	error?: string;
	/** A verification in progress or its result, by name. */
	verify: Record<string, {state: 'running' | 'ok' | 'failed'; message?: string}>;
	confirmDelete?: string;
};

export type CredentialsEvent =
	| {type: 'loaded'; credentials: Credential[]; tasks: Task[]; selectName?: string}
	| {type: 'failed'; error: string}
	| {type: 'move'; by: number}
	| {type: 'verify'; name: string; state: 'running' | 'ok' | 'failed'; message?: string}
	| {type: 'confirm-delete'; name?: string};

export const initialCredentialsState: CredentialsState = {credentials: [], usage: {}, selected: 0, loading: true, verify: {}};

export function credentialsReducer(state: CredentialsState, event: CredentialsEvent): CredentialsState {
	switch (event.type) {
		case 'loaded': {
			const usage: Record<string, number> = {};
			for (const task of event.tasks) usage[task.credential] = (usage[task.credential] ?? 0) + 1;
			const keep = event.selectName ?? state.credentials[state.selected]?.name;
			const found = keep === undefined ? -1 : event.credentials.findIndex(c => c.name === keep);
			const selected = found >= 0 ? found : Math.min(state.selected, Math.max(0, event.credentials.length - 1));
			return {...state, credentials: event.credentials, usage, selected, loading: false, error: undefined};
		}
		case 'failed':
			return {...state, loading: false, error: event.error};
		case 'move':
			return {...state, selected: Math.max(0, Math.min(state.credentials.length - 1, state.selected + event.by))};
		case 'verify':
			return {...state, verify: {...state.verify, [event.name]: {state: event.state, message: event.message}}};
		case 'confirm-delete':
			return {...state, confirmDelete: event.name};
	}
}
