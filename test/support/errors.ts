import {expect} from 'vitest';
import {CloudSyncError} from '../../source/core/errors.js';

/** The CloudSyncError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function caught(promise: Promise<unknown>): Promise<CloudSyncError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CloudSyncError);
		return error as CloudSyncError;
	}
	throw new Error('expected a CloudSyncError');
}
