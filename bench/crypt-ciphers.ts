/**
 * Why source/crypt/secretbox.ts uses sodium-native: XSalsa20-Poly1305 sealing
 * of 64 KiB chunks, single thread and in a two-worker pipeline.
 * Run: `node --import tsx bench/crypt-ciphers.ts [MiB]`. (libsodium's
 * WebAssembly build, measured the same way in a scratch install, did about
 * 230 MiB/s on one thread and 230 MiB/s with two workers here.)
 */
import {Worker} from 'node:worker_threads';
import {nobleSecretBox, secretBox, type SecretBox} from '../source/crypt/secretbox.js';

const CHUNK = 64 * 1024;

function singleThread(box: SecretBox, mib: number): number {
	const key = new Uint8Array(32).fill(7);
	const nonce = new Uint8Array(24).fill(1);
	const plain = new Uint8Array(CHUNK).fill(3);
	const out = new Uint8Array(CHUNK + 16);
	const chunks = (mib * 1024 * 1024) / CHUNK;
	for (let i = 0; i < 64; i++) box.seal(out, plain, nonce, key); // warm up
	const started = performance.now();
	for (let i = 0; i < chunks; i++) box.seal(out, plain, nonce, key);
	return mib / ((performance.now() - started) / 1000);
}

/** Chunks are independent, so workers can seal them in parallel; this measures that pipeline with noble. */
async function workers(count: number, mib: number): Promise<number> {
	const source = `
		const {parentPort} = require('node:worker_threads');
		import('@noble/ciphers/salsa.js').then(({xsalsa20poly1305}) => {
			const key = new Uint8Array(32).fill(7), nonce = new Uint8Array(24).fill(1);
			parentPort.on('message', buffer => {
				const sealed = xsalsa20poly1305(key, nonce).encrypt(new Uint8Array(buffer));
				parentPort.postMessage(sealed.buffer, [sealed.buffer]);
			});
			parentPort.postMessage('ready');
		});`;
	const pool = Array.from({length: count}, () => new Worker(source, {eval: true}));
	await Promise.all(pool.map(worker => new Promise(resolve => worker.once('message', resolve))));
	const total = (mib * 1024 * 1024) / CHUNK;
	let sent = 0;
	let done = 0;
	const started = performance.now();
	await new Promise<void>(resolve => {
		const send = (worker: Worker) => {
			if (sent >= total) return;
			sent++;
			const buffer = new Uint8Array(CHUNK).fill(3).buffer;
			worker.postMessage(buffer, [buffer]);
		};
		for (const worker of pool) {
			worker.on('message', () => {
				if (++done === total) resolve();
				send(worker);
			});
			for (let i = 0; i < 4; i++) send(worker);
		}
	});
	const rate = mib / ((performance.now() - started) / 1000);
	await Promise.all(pool.map(worker => worker.terminate()));
	return rate;
}

const mib = Number(process.argv[2] ?? 256);
console.log(`XSalsa20-Poly1305, ${mib} MiB in 64 KiB chunks (MiB/s):`);
console.log(`  ${secretBox.name}, one thread: ${singleThread(secretBox, mib).toFixed(0)}`);
console.log(`  @noble/ciphers, one thread: ${singleThread(nobleSecretBox, mib).toFixed(0)}`);
console.log(`  @noble/ciphers, 2 worker threads: ${(await workers(2, mib)).toFixed(0)}`);
