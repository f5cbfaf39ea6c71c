/**
 * A loopback HTTP proxy in front of a real server (s3rver, the local Dropbox
 * server) that injects faults at a chosen rate, reproducibly from a seed:
 *
 *   status500   500 InternalError before the request reaches the server
 *   status503   503 SlowDown (S3's throttling answer)
 *   throttle429 429 with Retry-After
 *   reset       the connection is reset (RST) while the request is read
 *   stall       nothing is answered for `stallMs`, then the connection is dropped
 *   truncate    the server's answer is cut off partway through its body
 *
 * With rate 0 it only forwards and counts requests (by method, e.g. HEADs).
 */
import http from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

export type FaultKind = 'status500' | 'status503' | 'throttle429' | 'reset' | 'stall' | 'truncate';
export const allFaults: FaultKind[] = ['status500', 'status503', 'throttle429', 'reset', 'stall', 'truncate'];

export type FaultProxyOptions = {
	/** e.g. http://127.0.0.1:4568 */
	target: string;
	/** Share of requests that get a fault, 0..1. */
	rate?: number;
	seed?: number;
	faults?: FaultKind[];
	/** How long a stall lasts before the connection is dropped. */
	stallMs?: number;
	/** Seconds announced in Retry-After for 429. */
	retryAfterSeconds?: number;
	/** Only requests this returns true for may get a fault (all by default). */
	eligible?: (request: http.IncomingMessage) => boolean;
	/**
	 * Plays a hostile server: for requests `match` accepts, the server's answer
	 * is buffered and replaced by `body(text)` (e.g. keys in a listing renamed
	 * to names a real server would never store).
	 */
	rewrite?: {match: (request: http.IncomingMessage) => boolean; body: (text: string) => string};
};

export type FaultProxyStats = {
	requests: number;
	byMethod: Record<string, number>;
	injected: Record<FaultKind, number>;
};

export type FaultProxy = {
	endpoint: string;
	port: number;
	stats: FaultProxyStats;
	setRate(rate: number): void;
	setFaults(faults: FaultKind[]): void;
	resetStats(): void;
	stop(): Promise<void>;
};

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function emptyStats(): FaultProxyStats {
	return {requests: 0, byMethod: {}, injected: {status500: 0, status503: 0, throttle429: 0, reset: 0, stall: 0, truncate: 0}};
}

function s3Error(code: string, message: string): string {
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
	const target = new URL(options.target);
	let rate = options.rate ?? 0;
	let faults = options.faults ?? allFaults;
	const random = seededRandom(options.seed ?? 1);
	const stallMs = options.stallMs ?? 5_000;
	const agent = new http.Agent({keepAlive: true, maxSockets: 64});
	const sockets = new Set<Socket>();
	const timers = new Set<NodeJS.Timeout>();
	const stats = emptyStats();

	const pickFault = (request: http.IncomingMessage): FaultKind | undefined => {
		if (rate <= 0 || faults.length === 0) return undefined;
		if (options.eligible && !options.eligible(request)) return undefined;
		const roll = random();
		const which = random();
		if (roll >= rate) return undefined;
		return faults[Math.floor(which * faults.length)]!;
	};

	const answer = (response: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
		response.writeHead(status, {'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...headers});
		response.end(body);
	};

	const server = http.createServer((request, response) => {
		stats.requests++;
		stats.byMethod[request.method ?? '?'] = (stats.byMethod[request.method ?? '?'] ?? 0) + 1;
		const fault = pickFault(request);
		if (fault) stats.injected[fault]++;
		switch (fault) {
			case 'status500':
				request.resume();
				answer(response, 500, s3Error('InternalError', 'We encountered an internal error. Please try again.'));
				return;
			case 'status503':
				request.resume();
				answer(response, 503, s3Error('SlowDown', 'Please reduce your request rate.'));
				return;
			case 'throttle429':
				request.resume();
				answer(response, 429, s3Error('TooManyRequests', 'Too many requests.'), {
					'retry-after': String(options.retryAfterSeconds ?? 1),
				});
				return;
			case 'reset': {
				const socket = request.socket;
				// Let a little of the body arrive, then reset the connection.
				const timer = setTimeout(() => socket.resetAndDestroy(), 5);
				timers.add(timer);
				request.once('data', () => socket.resetAndDestroy());
				return;
			}
			case 'stall': {
				request.resume();
				const timer = setTimeout(() => {
					timers.delete(timer);
					request.socket.destroy();
				}, stallMs);
				timers.add(timer);
				return;
			}
			default:
				forward(request, response, fault === 'truncate');
		}
	});

	const forward = (request: http.IncomingMessage, response: http.ServerResponse, truncate: boolean) => {
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				method: request.method,
				path: request.url,
				headers: request.headers,
				agent,
			},
			upstreamResponse => {
				const length = Number(upstreamResponse.headers['content-length'] ?? 0);
				if (options.rewrite?.match(request)) {
					const chunks: Buffer[] = [];
					upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
					upstreamResponse.on('end', () => {
						const body = Buffer.from(options.rewrite!.body(Buffer.concat(chunks).toString('utf8')));
						const headers: http.OutgoingHttpHeaders = {...upstreamResponse.headers, 'content-length': String(body.length)};
						delete headers['transfer-encoding'];
						delete headers['content-md5'];
						response.writeHead(upstreamResponse.statusCode ?? 502, headers);
						response.end(body);
					});
					return;
				}
				if (!truncate) {
					response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
					upstreamResponse.pipe(response);
					return;
				}
				// Announce the full length, send part of it, then close the connection.
				response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
				const keep = Math.floor(length / 2);
				let sent = 0;
				upstreamResponse.on('data', (chunk: Buffer) => {
					if (sent < keep) response.write(chunk.subarray(0, Math.max(0, keep - sent)));
					sent += chunk.length;
				});
				upstreamResponse.on('end', () => {
					const socket = response.socket;
					if (socket) socket.end(() => socket.destroy());
					else response.destroy();
				});
			},
		);
		upstream.on('error', () => response.destroy());
		request.pipe(upstream);
	};

	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => undefined);
	});
	server.keepAliveTimeout = 5_000;
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		port,
		stats,
		setRate(next) {
			rate = next;
		},
		setFaults(next) {
			faults = next;
		},
		resetStats() {
			Object.assign(stats, emptyStats());
		},
		async stop() {
			for (const timer of timers) clearTimeout(timer);
			for (const socket of sockets) socket.destroy();
			agent.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
