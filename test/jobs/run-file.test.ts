/**
 * parseRunFile (zod-free, for a quick start) reads run records exactly as
 * runFileSchema does: the same records accepted, the same defaults filled in,
 * unknown keys left out, the same ones refused.
 */
import {expect, test} from 'vitest';
import {parseRunFile} from '../../source/jobs/run-file.js';
import {runFileSchema} from '../../source/jobs/run-file-schema.js';

const full = {
	id: '20261126-234000-123-a1b2c3',
	taskId: 3,
	state: 'SUCCESS',
	dryRun: true,
	trigger: 'cli',
	startedAt: '2026-11-26T23:40:00.123Z',
	endedAt: '2026-11-26T23:41:00.000Z',
	pid: 4242,
	filesTransferred: 5,
	bytesTransferred: 1.5e9,
	filesDeleted: 1,
	filesChecked: 20000,
	errors: 2,
	error: 'the sync failed',
	pidStartTicks: 123456,
	description: 'srv to wasabi',
	unsaved: false,
	filesUpdated: 3,
	filesSkipped: 0,
	errorList: [{path: 'a.txt', message: 'denied'}],
};
const minimal = {id: 'x', taskId: 1, state: 'RUNNING', startedAt: 'then'};

const oddValues: unknown[] = [undefined, null, '', 'text', 0, -1, 1.5, 2 ** 53, 2 ** 60, 1e300, true, false, [], {}, [{path: 'p', message: 'm', extra: 1}], [{path: 'p'}], 'SUCCESS', 'SKIPPED', 'daemon', 'nightly'];

function inputs(): unknown[] {
	const out: unknown[] = [full, minimal, {...full, extra: 'dropped', nested: {a: 1}}, null, [], 'record', 42, {}];
	for (const base of [full, minimal]) {
		for (const key of Object.keys(full)) {
			for (const value of oddValues) out.push({...base, [key]: value});
			const without: Record<string, unknown> = {...base};
			delete without[key];
			out.push(without);
		}
	}
	return out;
}

test('accepts, fills in and refuses what runFileSchema does', () => {
	let accepted = 0;
	for (const input of inputs()) {
		const expected = runFileSchema.safeParse(input);
		const actual = parseRunFile(structuredClone(input));
		expect(actual, JSON.stringify(input)).toEqual(expected.success ? expected.data : undefined);
		if (expected.success) {
			// As written to a file: the same keys in the same order.
			expect(JSON.stringify(actual), JSON.stringify(input)).toBe(JSON.stringify(expected.data));
			accepted++;
		}
	}
	expect(accepted).toBeGreaterThan(50);
});
