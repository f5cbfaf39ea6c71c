import {Text} from 'ink';
import type {RunProgress} from '../../jobs/types.js';
import {bar, formatSpeed, percent} from '../format.js';
import type {Theme} from '../theme.js';

/** "▕████░░░░▏ 42% 3.1 MiB/s" in `width` columns. */
export function progressText(progress: RunProgress | undefined, width: number): string {
	if (!progress) return 'starting…'.padEnd(width);
	const basis = progress.bytesTotal > 0 ? percent(progress.bytesDone, progress.bytesTotal) : percent(progress.filesDone, progress.filesTotal);
	const tail = ` ${String(basis).padStart(3)}% ${formatSpeed(progress.speed)}`;
	const barWidth = Math.max(3, width - tail.length);
	return (bar(basis / 100, barWidth) + tail).slice(0, width).padEnd(width);
}

export function ProgressBar({progress, width, theme}: {progress: RunProgress | undefined; width: number; theme: Theme}) {
	return <Text color={theme.accent}>{progressText(progress, width)}</Text>;
}
