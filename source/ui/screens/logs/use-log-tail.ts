import {useEffect, type Dispatch} from 'react';
import type {RunRecord} from '../../../core/model.js';
import type {RunOwner, Services} from '../../services.js';
import type {LogsEvent} from './logs-state.js';

/** Lines are handed to React at most this often, however fast the run writes. */
export const logBatchMs = 100;

/**
 * Tails one run's log into the reducer in batches: reading the file never
 * renders, only the timer does, so 5,000 lines a second cost ten renders.
 * The pending batch is bounded too: only the newest `capacity` lines matter.
 */
export function useLogTail(services: Services, owner: RunOwner | undefined, runId: string | undefined, capacity: number, dispatch: Dispatch<LogsEvent>, onEnd?: (record: RunRecord | undefined) => void): void {
	useEffect(() => {
		if (owner === undefined || runId === undefined) return;
		const abort = new AbortController();
		let pending: string[] = [];
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			timer = undefined;
			if (pending.length === 0) return;
			const lines = pending;
			pending = [];
			dispatch({type: 'append', lines});
		};
		const onLine = (line: string) => {
			pending.push(line);
			if (pending.length > capacity * 2) pending = pending.slice(-capacity);
			timer ??= setTimeout(flush, logBatchMs);
		};
		services.followRunLog(owner, runId, onLine, abort.signal).then(
			record => {
				if (abort.signal.aborted) return;
				if (timer) clearTimeout(timer);
				flush();
				onEnd?.(record);
			},
			error => {
				if (!abort.signal.aborted) dispatch({type: 'append', lines: [`(could not read the log: ${error instanceof Error ? error.message : String(error)})`]});
			},
		);
		return () => {
			abort.abort();
			if (timer) clearTimeout(timer);
		};
	}, [services, owner, runId, capacity]);
}
