import {ListBucketsCommand} from '@aws-sdk/client-s3';
import {expect, test} from 'vitest';
import {startS3rver} from './support/s3rver.js';

test('the s3rver harness starts a real server that answers S3 calls', async () => {
	const s3 = await startS3rver();
	try {
		await s3.createBucket('smoke');
		const out = await s3.client.send(new ListBucketsCommand({}));
		expect(out.Buckets?.map(b => b.Name)).toEqual(['smoke']);
	} finally {
		await s3.stop();
	}
});
