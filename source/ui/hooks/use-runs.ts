import {useEffect, useRef, useState} from 'react';
import type {RunRecord} from '../../core/model.js';
import type {ActiveRun, RunProgress} from '../../jobs/types.js';
import type {RunsView} from '../context.js';
import type {RunnerLike} from '../services.js';

/** Redraws from progress are batched to this interval (about 10 a second). */
export const progressIntervalMs = 100;

/**
 * Runs in progress and runs that just ended, from the runner's events. Events
 * only mark the view dirty; one timer publishes it at most every 100 ms, so a
 * chatty run cannot flood React with renders. The timer stops when idle.
 */
export function useRuns(runner: RunnerLike): RunsView {
	const active = useRef(new Map<number, ActiveRun>());
	const ended = useRef(new Map<number, RunRecord>());
	const [view, setView] = useState<RunsView>(() => ({active: new Map(), ended: new Map()}));
	useEffect(() => {
		for (const run of runner.active()) active.current.set(run.taskId, run);
		let timer: NodeJS.Timeout | undefined;
		const publish = () => {
			timer = undefined;
			setView({active: new Map(active.current), ended: new Map(ended.current)});
		};
		const schedule = (now = false) => {
			if (now) {
				if (timer) clearTimeout(timer);
				publish();
			} else timer ??= setTimeout(publish, progressIntervalMs);
		};
		const onStart = (run: ActiveRun) => {
			active.current.set(run.taskId, run);
			schedule(true);
		};
		const onProgress = (taskId: number, progress: RunProgress) => {
			const run = active.current.get(taskId);
			if (!run) return;
			active.current.set(taskId, {...run, progress});
			schedule();
		};
		const onEnd = (record: RunRecord) => {
			active.current.delete(record.taskId);
			ended.current.set(record.taskId, record);
			schedule(true);
		};
		runner.on('start', onStart);
		runner.on('progress', onProgress);
		runner.on('end', onEnd);
		if (active.current.size > 0) schedule(true);
		return () => {
			if (timer) clearTimeout(timer);
			runner.off('start', onStart);
			runner.off('progress', onProgress);
			runner.off('end', onEnd);
		};
	}, [runner]);
	return view;
}
