import {expect, test} from 'vitest';
import {schedulerLabel} from '../../source/ui/components/header.js';

test('the header says who runs the schedules, and that this window is about to', () => {
	expect(schedulerLabel({mode: 'starting'})).toBe('scheduler: starting…');
	expect(schedulerLabel({mode: 'this-process'})).toBe('scheduler: on (this window)');
	expect(schedulerLabel({mode: 'other', pid: 42, kind: 'daemon'})).toBe('scheduler: daemon pid 42');
	expect(schedulerLabel({mode: 'off'})).toBe('scheduler: off');
});
