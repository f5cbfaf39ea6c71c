import {Text} from 'ink';
import {useEffect, useState, type ReactNode} from 'react';
import {useUi} from '../context.js';
import type {Route} from '../routes.js';
import {CredentialForm} from './credentials/credential-form.js';
import {CredentialsScreen} from './credentials/credentials-screen.js';
import {LogsScreen} from './logs/logs-screen.js';
import {TaskForm} from './task-form/task-form.js';
import {TasksScreen} from './tasks/tasks-screen.js';

export function screenTitle(route: Route): string {
	switch (route.name) {
		case 'tasks':
			return 'Tasks';
		case 'credentials':
			return 'Credentials';
		case 'credential-form':
			return route.editName ? 'Edit credential' : 'New credential';
		case 'task-form':
			return route.taskId ? `Edit task ${route.taskId}` : 'New task';
		case 'logs':
			return 'Logs';
	}
}

/** Screens that describe providers wait for the registry, which loads after the first frame. */
function ProvidersReady({children}: {children: ReactNode}) {
	const {services} = useUi();
	const [ready, setReady] = useState(() => services.ready === undefined || services.isReady?.() === true);
	useEffect(() => {
		if (!ready) void services.ready?.().then(() => setReady(true));
	}, []);
	return ready ? <>{children}</> : <Text dimColor>{' Loading the providers…'}</Text>;
}

/** The body for the current route; each screen is keyed so it starts fresh when the route changes. */
export function Screen({route}: {route: Route}) {
	switch (route.name) {
		case 'tasks':
			return <TasksScreen key="tasks" selectTaskId={route.selectTaskId} />;
		case 'credentials':
			return (
				<ProvidersReady key="credentials">
					<CredentialsScreen selectName={route.selectName} />
				</ProvidersReady>
			);
		case 'credential-form':
			return (
				<ProvidersReady key={`credential-form:${route.editName ?? ''}`}>
					<CredentialForm editName={route.editName} />
				</ProvidersReady>
			);
		case 'task-form':
			return (
				<ProvidersReady key={`task-form:${route.taskId ?? 'new'}`}>
					<TaskForm taskId={route.taskId} />
				</ProvidersReady>
			);
		case 'logs':
			return <LogsScreen key={`logs:${route.taskId ?? ''}`} taskId={route.taskId} />;
	}
}
