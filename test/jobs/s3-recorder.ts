import http from 'node:http';
import type {AddressInfo} from 'node:net';

export type RecordedRequest = {method: string; url: string; headers: http.IncomingHttpHeaders; status?: number};

/**
 * A pass-through HTTP proxy in front of s3rver (or its gateway) that records
 * every request's method, URL, headers and status, so a test can see what was
 * sent, and which multipart uploads were started, completed or aborted
 * (s3rver 3.7 implements neither ListMultipartUploads nor
 * AbortMultipartUpload, so the bucket cannot be asked).
 */
export async function startRecorder(targetPort: number): Promise<{
	endpoint: string;
	requests: RecordedRequest[];
	/** Upload ids returned by CreateMultipartUpload. */
	createdUploads: string[];
	stop(): Promise<void>;
}> {
	const requests: RecordedRequest[] = [];
	const createdUploads: string[] = [];
	const server = http.createServer((req, res) => {
		const record: RecordedRequest = {method: req.method ?? '', url: req.url ?? '', headers: req.headers};
		requests.push(record);
		const upstream = http.request({host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers}, response => {
			record.status = response.statusCode;
			res.writeHead(response.statusCode ?? 502, response.headers);
			const isCreate = req.method === 'POST' && /[?&]uploads(=|&|$)/.test(req.url ?? '');
			let body = '';
			response.on('data', chunk => {
				if (isCreate) body += String(chunk);
			});
			response.on('end', () => {
				const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1];
				if (id) createdUploads.push(id);
			});
			response.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.on('close', () => {
			if (!req.complete) upstream.destroy();
		});
		req.pipe(upstream);
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		requests,
		createdUploads,
		stop: () =>
			new Promise(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
