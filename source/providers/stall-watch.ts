/**
 * Connections that go quiet: a socket that neither sends nor receives for
 * `idleMs` is destroyed with a "stalled" error, so a request to a server that
 * stopped answering fails (and is retried) instead of waiting for ever.
 * Idle time, not total time: a large upload on a slow line is not cut off.
 */
import http from 'node:http';
import https from 'node:https';
import type {Socket} from 'node:net';
import type {Duplex} from 'node:stream';

export const stalledCode = 'CLOUDSYNC_STALLED';

export function stalledError(idleMs: number): Error & {code: string} {
	return Object.assign(new Error(`the connection stalled: no data for ${idleMs} ms`), {code: stalledCode});
}

/**
 * The agents arm each socket's idle timer (their `timeout` option, which Node
 * also re-arms when a kept-alive socket is reused); this ends the socket when
 * it fires, in use or idle in the pool.
 */
function watch(stream: Duplex | null | undefined, idleMs: number): Duplex | null | undefined {
	const socket = stream as Socket | null | undefined;
	socket?.on('timeout', () => socket.destroy(stalledError(idleMs)));
	return stream;
}

class WatchedHttpAgent extends http.Agent {
	constructor(private readonly idleMs: number) {
		super({keepAlive: true, timeout: idleMs});
	}

	override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
		return watch(super.createConnection(options, callback), this.idleMs);
	}
}

class WatchedHttpsAgent extends https.Agent {
	constructor(private readonly idleMs: number) {
		super({keepAlive: true, timeout: idleMs});
	}

	override createConnection(options: https.RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
		return watch(super.createConnection(options, callback), this.idleMs);
	}
}

/** Keep-alive agents (plain and TLS) whose connections end after `idleMs` of silence; pick one by URL. */
export function watchedAgents(idleMs: number): (url: URL) => http.Agent {
	const plain = new WatchedHttpAgent(idleMs);
	const secure = new WatchedHttpsAgent(idleMs);
	return url => (url.protocol === 'http:' ? plain : secure);
}
