import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startFaultProxy, type FaultKind} from '../support/fault-proxy.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';

let s3: S3rverHandle;
beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket('proxy');
	await s3.client.send(new PutObjectCommand({Bucket: 'proxy', Key: 'k.bin', Body: Buffer.alloc(100_000, 5)}));
});
afterAll(async () => {
	await s3?.stop();
});

async function get(endpoint: string): Promise<{status?: number; bytes?: number; error?: string; retryAfter?: string | null}> {
	try {
		const response = await fetch(`${endpoint}/proxy/k.bin`, {signal: AbortSignal.timeout(2_000)});
		const body = Buffer.from(await response.arrayBuffer());
		return {status: response.status, bytes: body.length, retryAfter: response.headers.get('retry-after')};
	} catch (error) {
		return {error: String((error as Error).cause ?? error)};
	}
}

describe('fault proxy in front of s3rver', () => {
	test('passes requests through and counts them by method', async () => {
		const proxy = await startFaultProxy({target: s3.endpoint});
		try {
			expect(await get(proxy.endpoint)).toMatchObject({status: 200, bytes: 100_000});
			await fetch(`${proxy.endpoint}/proxy/k.bin`, {method: 'HEAD'});
			expect(proxy.stats.byMethod).toEqual({GET: 1, HEAD: 1});
			expect(proxy.stats.requests).toBe(2);
		} finally {
			await proxy.stop();
		}
	});

	test.each<[FaultKind, (r: Awaited<ReturnType<typeof get>>) => void]>([
		['status500', r => expect(r.status).toBe(500)],
		['status503', r => expect(r.status).toBe(503)],
		['throttle429', r => expect(r).toMatchObject({status: 429, retryAfter: '1'})],
		['reset', r => expect(r.error).toMatch(/ECONNRESET|other side closed|socket/i)],
		['stall', r => expect(r.error).toMatch(/timeout|aborted|closed|socket/i)],
		['truncate', r => expect(r.error ?? `got ${r.bytes} bytes`).not.toBe('got 100000 bytes')],
	])('%s at rate 1', async (kind, check) => {
		const proxy = await startFaultProxy({target: s3.endpoint, rate: 1, faults: [kind], stallMs: 300});
		try {
			check(await get(proxy.endpoint));
			expect(proxy.stats.injected[kind]).toBe(1);
		} finally {
			await proxy.stop();
		}
	});

	test('the same seed injects the same faults', async () => {
		const runs: number[][] = [];
		for (let i = 0; i < 2; i++) {
			const proxy = await startFaultProxy({target: s3.endpoint, rate: 0.5, seed: 42, faults: ['status503']});
			const statuses: number[] = [];
			for (let n = 0; n < 12; n++) statuses.push((await get(proxy.endpoint)).status ?? 0);
			runs.push(statuses);
			await proxy.stop();
		}
		expect(runs[0]).toEqual(runs[1]);
		expect(runs[0]).toContain(503);
		expect(runs[0]).toContain(200);
	});
});
