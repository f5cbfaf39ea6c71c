/** Services built from the real store, registry, schedules, runner and history. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Attributes} from '../core/fields.js';
import type {RunRecord} from '../core/model.js';
import {restoreTask} from '../core/restore.js';
import {describeSchedule, nextRuns, presetSchedule, scheduleProblems} from '../core/schedule.js';
import {followRunLog, listRuns, nthRun} from '../jobs/history.js';
import {TaskRunner} from '../jobs/runner.js';
import {finishDropboxLogin, startDropboxLogin} from '../providers/dropbox-oauth.js';
import {openBrowser, providers, validateAttributes, verifyCredential} from '../providers/registry.js';
import {recordSkipIn, startRunWith} from '../scheduler/adapters.js';
import {SchedulerService} from '../scheduler/service.js';
import {checkTask} from '../services/task-checks.js';
import type {Store} from '../store/store.js';
import type {SchedulerStatus, Services} from './services.js';

export type LiveServicesOptions = {
	runner?: TaskRunner;
	/** Take part in running the schedules (default true): the window runs them unless a daemon does. */
	scheduler?: boolean;
};

const text = (attributes: Attributes, name: string) => (attributes[name] === undefined ? undefined : String(attributes[name]));

export function createServices(store: Store, options: LiveServicesOptions = {}): Services {
	const runner = options.runner ?? new TaskRunner(store);
	const scheduler =
		options.scheduler === false
			? undefined
			: new SchedulerService({dataDir: store.dir, kind: 'tui', loadTasks: () => store.listTasks(), startRun: startRunWith(runner, store.dir), recordSkip: recordSkipIn(store.dir)});
	scheduler?.start();
	// Every change to the tasks reaches the running schedule at once.
	const changed = async <T>(result: T): Promise<T> => {
		await scheduler?.reload().catch(() => undefined);
		return result;
	};
	return {
		listTasks: () => store.listTasks(),
		listCredentials: () => store.listCredentials(),
		saveCredential: async (credential, saveOptions) => {
			await store.saveCredential(credential, saveOptions);
		},
		deleteCredential: name => store.deleteCredential(name),
		addTask: async input => changed(await store.addTask(input)),
		updateTask: async (id, patch) => changed(await store.updateTask(id, patch)),
		deleteTask: async id => {
			await changed(await store.deleteTask(id));
		},

		providers,
		validateAttributes: (provider, attributes) => validateAttributes(provider, attributes),
		verifyCredential: credential => verifyCredential(credential),
		browser: credential => openBrowser(credential),
		localDirectories: async dir => {
			const entries = await fs.readdir(dir, {withFileTypes: true});
			const names: string[] = [];
			for (const entry of entries) {
				if (entry.isDirectory()) names.push(entry.name);
				else if (entry.isSymbolicLink()) {
					const target = await fs.stat(path.join(dir, entry.name)).catch(() => undefined);
					if (target?.isDirectory()) names.push(entry.name);
				}
			}
			return names.sort((a, b) => a.localeCompare(b));
		},
		startDropboxLogin: async attributes => startDropboxLogin({clientId: text(attributes, 'client_id') ?? '', apiUrl: text(attributes, 'api_url')}),
		finishDropboxLogin: async (attributes, code, codeVerifier) => {
			const tokens = await finishDropboxLogin({clientId: text(attributes, 'client_id') ?? '', clientSecret: text(attributes, 'client_secret'), code, codeVerifier, apiUrl: text(attributes, 'api_url')});
			return {...tokens};
		},

		checkTask: task => checkTask(store, task),
		describeSchedule: schedule => describeSchedule(schedule),
		scheduleProblems: schedule => scheduleProblems(schedule),
		nextRuns: (schedule, from, count) => nextRuns(schedule, from, count),
		presetSchedule: preset => presetSchedule(preset),
		restoreTask: (task, restoreOptions) => restoreTask(task, restoreOptions),

		runner,
		lastRuns: async () => {
			const result = new Map<number, RunRecord>();
			for (const task of await store.listTasks()) {
				const record = nthRun(store.dir, task.id, 1);
				if (record) result.set(task.id, record);
			}
			return result;
		},
		listRuns: async owner => listRuns(store.dir, owner),
		followRunLog: (owner, runId, onLine, signal) => followRunLog(store.dir, owner, runId, onLine, {signal, pollMs: 100}),
		schedulerStatus: (): SchedulerStatus => scheduler?.status() ?? {mode: 'off'},
		close: async () => {
			await scheduler?.stop();
		},
	};
}
