/** Short human forms for progress lines and run summaries. */
import type {RunRecord} from '../core/model.js';
import type {RunProgress} from './types.js';
import {formatBytes} from '../core/bytes.js';
import {counted} from '../core/words.js';

export {formatBytes};

export function formatDuration(seconds: number): string {
	const s = Math.max(0, Math.round(seconds));
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const rest = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `12/40 files, 3.1 MiB/10.0 MiB, 1.2 MiB/s, 0:05 left` */
export function progressText(progress: RunProgress): string {
	const parts = [
		`${progress.filesDone}/${progress.filesTotal} files`,
		`${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}`,
		`${formatBytes(progress.speed)}/s`,
	];
	if (progress.etaSeconds !== undefined) parts.push(`${formatDuration(progress.etaSeconds)} left`);
	if (progress.phase === 'listing') parts.push('listing');
	return parts.join(', ');
}

/** `[#########-----------]  45% ` followed by progressText, cut to `width` columns. */
export function progressBar(progress: RunProgress, width: number): string {
	const fraction = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : progress.filesTotal > 0 ? progress.filesDone / progress.filesTotal : 0;
	const barWidth = 20;
	const filled = Math.round(fraction * barWidth);
	const line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${progressText(progress)}`;
	return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

export function runSummary(record: RunRecord & {filesUpdated?: number}): string {
	const seconds = record.endedAt ? (Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000 : 0;
	const counts = record.dryRun
		? `would transfer ${counted(record.filesTransferred, 'file')} (${formatBytes(record.bytesTransferred)}) and delete ${record.filesDeleted}; ${record.filesChecked} unchanged; checked in ${formatDuration(seconds)}`
		: `${record.filesTransferred} transferred, ${record.filesDeleted} deleted, ${record.filesChecked} unchanged, ${formatBytes(record.bytesTransferred)} in ${formatDuration(seconds)}`;
	return `${record.state}${record.dryRun ? ' (dry run)' : ''}: ${counts}${record.error ? `; ${record.error}` : ''}`;
}
