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

/** The body for the current route; each screen is keyed so it starts fresh when the route changes. */
export function Screen({route}: {route: Route}) {
	switch (route.name) {
		case 'tasks':
			return <TasksScreen key="tasks" selectTaskId={route.selectTaskId} />;
		case 'credentials':
			return <CredentialsScreen key="credentials" selectName={route.selectName} />;
		case 'credential-form':
			return <CredentialForm key={`credential-form:${route.editName ?? ''}`} editName={route.editName} />;
		case 'task-form':
			return <TaskForm key={`task-form:${route.taskId ?? 'new'}`} taskId={route.taskId} />;
		case 'logs':
			return <LogsScreen key={`logs:${route.taskId ?? ''}`} taskId={route.taskId} />;
	}
}
