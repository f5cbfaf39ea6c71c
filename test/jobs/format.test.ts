import {describe, expect, it} from 'vitest';
import {formatBytes, formatDuration, progressBar, progressText, runSummary} from '../../source/jobs/format.js';
import type {RunProgress} from '../../source/jobs/types.js';

const progress: RunProgress = {
	filesDone: 12,
	filesTotal: 40,
	bytesDone: 3.25 * 1024 * 1024,
	bytesTotal: 10 * 1024 * 1024,
	speed: 1.5 * 1024 * 1024,
	etaSeconds: 65,
	currentFiles: [],
	phase: 'transferring',
};

describe('progress formatting', () => {
	it('formats sizes and durations', () => {
		expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(200 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '200 GiB']);
		// A speed below 1 KiB/s is a whole number of bytes, not 130.3931758470634.
		expect(progressText({...progress, speed: 130.3931758470634})).toContain(', 130 B/s,');
		expect([formatDuration(5), formatDuration(65), formatDuration(3725)]).toEqual(['0:05', '1:05', '1:02:05']);
	});

	it('draws a bar with the text, cut to the terminal width', () => {
		expect(progressText(progress)).toBe('12/40 files, 3.3 MiB/10.0 MiB, 1.5 MiB/s, 1:05 left');
		expect(progressBar(progress, 200)).toBe('[#######-------------]  32% 12/40 files, 3.3 MiB/10.0 MiB, 1.5 MiB/s, 1:05 left');
		expect(progressBar(progress, 30)).toHaveLength(29);
		expect(progressBar({...progress, bytesTotal: 0, bytesDone: 0, filesDone: 0, filesTotal: 0, phase: 'listing', etaSeconds: undefined}, 200)).toBe(
			'[--------------------]   0% 0/0 files, 0 B/0 B, 1.5 MiB/s, listing',
		);
	});

	it('summarises a run record', () => {
		expect(
			runSummary({
				id: 'x',
				taskId: 1,
				state: 'FAILED',
				dryRun: true,
				trigger: 'cli',
				startedAt: '2026-01-01T00:00:00.000Z',
				endedAt: '2026-01-01T00:01:05.000Z',
				filesTransferred: 3,
				bytesTransferred: 2048,
				filesDeleted: 1,
				filesChecked: 7,
				errors: 1,
				error: 'boom',
			}),
		).toBe('FAILED (dry run): would transfer 3 files (2.0 KiB) and delete 1; 7 unchanged; checked in 1:05; boom');
	});
});
