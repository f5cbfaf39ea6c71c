import {Box, Text} from 'ink';
import {fit} from '../format.js';
import type {SchedulerStatus} from '../services.js';
import type {Theme} from '../theme.js';

export function schedulerLabel(status: SchedulerStatus): string {
	if (status.mode === 'this-process') return 'scheduler: on (this window)';
	if (status.mode === 'other') return `scheduler: ${status.kind} pid ${status.pid}`;
	if (status.mode === 'starting') return 'scheduler: starting…';
	return 'scheduler: off';
}

/** One line: app name, screen, scheduler status, runs in progress. */
export function Header({width, title, scheduler, running, theme}: {width: number; title: string; scheduler: SchedulerStatus; running: number; theme: Theme}) {
	const right = `${schedulerLabel(scheduler)} │ ${running === 0 ? 'no runs' : `${running} running`} `;
	const left = ` cloudsync │ ${title}`;
	const gap = Math.max(1, width - left.length - right.length);
	const text = fit(left + ' '.repeat(gap) + right, width);
	return (
		<Box height={1} width={width} flexShrink={0}>
			<Text bold inverse={!theme.accent} color={theme.accent ? 'black' : undefined} backgroundColor={theme.accent}>
				{text}
			</Text>
		</Box>
	);
}
