/** Services built from the real store, registry, schedules, runner and history. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type {Attributes} from '../core/fields.js';
import type {RunRecord, Task} from '../core/model.js';
import {restoreTask} from '../core/restore.js';
import {describeSchedule, nextRuns, presetSchedule, scheduleProblems} from '../core/schedule.js';
import {followRunLog, listRuns, nthRun, ownersWithRuns} from '../jobs/history.js';
import {TaskRunner} from '../jobs/runner.js';
import {recordSkipIn, startRunWith} from '../scheduler/adapters.js';
import {SchedulerService} from '../scheduler/service.js';
import type {Store} from '../store/store.js';
import type {SchedulerStatus, Services} from './services.js';

export type LiveServicesOptions = {
	runner?: TaskRunner;
	/** Take part in running the schedules (default true): the window runs them unless a daemon does. */
	scheduler?: boolean;
};

const text = (attributes: Attributes, name: string) => (attributes[name] === undefined ? undefined : String(attributes[name]));

type Registry = typeof import('../providers/registry.js');

export type LiveServices = Services & {
	/** Resolves once the provider registry (and the AWS and Dropbox SDKs behind it) is loaded. */
	ready(): Promise<void>;
};

/** Background work waits this long after the first screen is drawn, so that frame reaches the terminal first. */
const backgroundDelayMs = 50;
/** ...and starts anyway this long after the services were made, should no screen say it was drawn. */
const backgroundFallbackMs = 1500;

export function createServices(store: Store, options: LiveServicesOptions = {}): LiveServices {
	// The registry pulls in the cloud SDKs (the slowest part of starting): it loads
	// after the first frame is drawn, or at once when something needs it. It also
	// registers which credential fields are secret, so everything that reads,
	// writes or logs credentials waits for it.
	let registry: Registry | undefined;
	let loading: Promise<Registry> | undefined;
	const load = (): Promise<Registry> => (loading ??= import('../providers/registry.js').then(module => (registry = module)));
	const loaded = (): Registry => {
		if (!registry) throw new Error('the provider registry is still loading');
		return registry;
	};
	const runner = options.runner ?? new TaskRunner(store);
	const startRun = runner.start.bind(runner);
	const startUnsaved = runner.dryRunUnsaved.bind(runner);
	runner.start = async (...args) => {
		await load();
		return startRun(...args);
	};
	runner.dryRunUnsaved = async (...args) => {
		await load();
		return startUnsaved(...args);
	};
	const scheduler =
		options.scheduler === false
			? undefined
			: new SchedulerService({
					dataDir: store.dir,
					kind: 'tui',
					loadTasks: () => store.listTasks(),
					startRun: startRunWith(runner, store.dir),
					recordSkip: recordSkipIn(store.dir),
				});
	// Loading the registry and planning every task's next run take a while with
	// many tasks: after the first frame, so they do not delay it.
	let background: NodeJS.Timeout | undefined;
	let closed = false;
	let schedulerStarted = false;
	const startBackground = () => {
		clearTimeout(background);
		background = undefined;
		if (closed) return;
		void load().catch(() => undefined);
		scheduler?.start();
		schedulerStarted = true;
	};
	background = setTimeout(startBackground, backgroundFallbackMs).unref();
	let startTasks: Task[] | undefined;
	// Every change to the tasks reaches the running schedule at once.
	const changed = async <T>(result: T): Promise<T> => {
		await scheduler?.reload().catch(() => undefined);
		return result;
	};
	return {
		listTasks: () => store.listTasks(),
		ready: async () => {
			await load();
		},
		preloadTasks: async () => {
			startTasks = await store.listTasks();
		},
		takeStartTasks: () => {
			const tasks = startTasks;
			startTasks = undefined;
			return tasks;
		},
		screenDrawn: () => {
			if (background === undefined) return;
			clearTimeout(background);
			background = setTimeout(startBackground, backgroundDelayMs);
		},
		isReady: () => registry !== undefined,
		listCredentials: async () => {
			await load();
			return store.listCredentials();
		},
		saveCredential: async (credential, saveOptions) => {
			await load();
			await store.saveCredential(credential, saveOptions);
		},
		deleteCredential: async name => {
			await load();
			await store.deleteCredential(name);
		},
		addTask: async input => changed(await store.addTask(input)),
		updateTask: async (id, patch) => changed(await store.updateTask(id, patch)),
		deleteTask: async id => {
			await changed(await store.deleteTask(id));
		},

		get providers() {
			return loaded().providers;
		},
		validateAttributes: (provider, attributes) => loaded().validateAttributes(provider, attributes),
		verifyCredential: async credential => (await load()).verifyCredential(credential),
		browser: credential => loaded().openBrowser(credential),
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
		startDropboxLogin: async attributes => {
			const {startDropboxLogin} = await import('../providers/dropbox-oauth.js');
			return startDropboxLogin({clientId: text(attributes, 'client_id') ?? '', apiUrl: text(attributes, 'api_url')});
		},
		finishDropboxLogin: async (attributes, code, codeVerifier) => {
			const {finishDropboxLogin} = await import('../providers/dropbox-oauth.js');
			const tokens = await finishDropboxLogin({clientId: text(attributes, 'client_id') ?? '', clientSecret: text(attributes, 'client_secret'), code, codeVerifier, apiUrl: text(attributes, 'api_url')});
			return {...tokens};
		},

		checkTask: async task => {
			await load();
			const {checkTask} = await import('../services/task-checks.js');
			return checkTask(store, task);
		},
		taskWarnings: async task => {
			const {taskWarnings} = await import('../services/task-checks.js');
			return taskWarnings(task);
		},
		describeSchedule: schedule => describeSchedule(schedule),
		scheduleProblems: schedule => scheduleProblems(schedule),
		nextRuns: (schedule, from, count) => nextRuns(schedule, from, count),
		presetSchedule: preset => presetSchedule(preset),
		restoreTask: (task, restoreOptions) => restoreTask(task, restoreOptions),

		runner,
		lastRuns: async () => {
			const result = new Map<number, RunRecord>();
			const {tasks} = await store.read();
			// Most tasks of a long list may never have run: only those with a runs directory are read.
			const owners = ownersWithRuns(store.dir);
			const ran = tasks.filter(task => owners.has(String(task.id)));
			// One directory read per task, synchronous: in slices, so keys and frames get through between them.
			for (let i = 0; i < ran.length; i++) {
				if (i > 0 && i % 100 === 0) await new Promise(resolve => setImmediate(resolve));
				const id = ran[i]!.id;
				const record = nthRun(store.dir, id, 1);
				if (record) result.set(id, record);
			}
			return result;
		},
		listRuns: async owner => listRuns(store.dir, owner),
		followRunLog: (owner, runId, onLine, signal) => followRunLog(store.dir, owner, runId, onLine, {signal, pollMs: 100}),
		schedulerStatus: (): SchedulerStatus => (!scheduler ? {mode: 'off'} : schedulerStarted ? scheduler.status() : {mode: 'starting'}),
		close: async () => {
			closed = true;
			clearTimeout(background);
			await scheduler?.stop();
		},
	};
}
