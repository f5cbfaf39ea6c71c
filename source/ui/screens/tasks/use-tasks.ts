import {useCallback, useEffect, useReducer, useRef, useState} from 'react';
import {userMessage} from '../../../core/errors.js';
import type {RunRecord, Task} from '../../../core/model.js';
import type {Ui} from '../../context.js';
import {initialTasksState, tasksReducer} from './tasks-state.js';

/** Tasks screen state: the reducer plus the operations that talk to the services. */
export function useTasks(ui: Ui, selectTaskId: number | undefined) {
	const {services, notify} = ui;
	// The app's first screen starts with the tasks read while it started, if any.
	const [startTasks] = useState(() => services.takeStartTasks?.());
	const [state, dispatch] = useReducer(tasksReducer, startTasks, tasks => (tasks ? tasksReducer(initialTasksState, {type: 'loaded', tasks, selectTaskId}) : initialTasksState));
	const [lastRuns, setLastRuns] = useState<ReadonlyMap<number, RunRecord>>(new Map());

	const reload = useCallback(
		async (select?: number, tasksKnown = false) => {
			// The tasks show as soon as they are read; last results (one history read per task)
			// follow, read after the tasks so they do not hold up that frame.
			if (!tasksKnown) {
				try {
					dispatch({type: 'loaded', tasks: await services.listTasks(), selectTaskId: select});
				} catch (error) {
					dispatch({type: 'failed', error: userMessage(error)});
				}
			}
			setLastRuns(await services.lastRuns().catch(() => new Map<number, RunRecord>()));
		},
		[services],
	);
	const first = useRef(true);
	useEffect(() => {
		// On the first mount with the start tasks, only the last results are still to read.
		void reload(selectTaskId, first.current && startTasks !== undefined);
		first.current = false;
	}, [reload, selectTaskId]);

	const guard = useCallback(
		async (work: () => Promise<unknown>, done?: string) => {
			try {
				await work();
				if (done) notify(done);
			} catch (error) {
				notify(userMessage(error), 'error');
			}
		},
		[notify],
	);

	const operations = {
		run: (task: Task) => guard(() => services.runner.start(task.id, {trigger: 'manual'}), `Started task ${task.id} "${task.description}".`),
		dryRun: async (task: Task) => {
			try {
				await services.runner.start(task.id, {dryRun: true, trigger: 'manual'});
				ui.navigate({name: 'logs', taskId: task.id});
			} catch (error) {
				notify(userMessage(error), 'error');
			}
		},
		cancel: (task: Task) => guard(() => services.runner.cancel(task.id), `Stopping task ${task.id}.`),
		toggle: (task: Task) =>
			guard(async () => {
				await services.updateTask(task.id, {enabled: !task.enabled});
				await reload(task.id);
			}, `Task ${task.id} ${task.enabled ? 'disabled' : 'enabled'}.`),
		remove: (task: Task) =>
			guard(async () => {
				if (services.runner.active().some(run => run.taskId === task.id)) throw new Error(`task ${task.id} is running: stop it (x) before deleting it`);
				await services.deleteTask(task.id);
				await reload();
			}, `Deleted task ${task.id} "${task.description}".`),
	};
	return {state, dispatch, lastRuns, reload, operations};
}
