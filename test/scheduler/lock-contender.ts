/**
 * A process that competes for the scheduler lock, for the multi-process
 * tests: `node --import tsx lock-contender.ts DATA_DIR KIND [staleMs|defaults]`
 * ("defaults": the timings cloudsync uses, else quick ones for tests).
 * Prints one JSON line per event ({event, pid, at}); on SIGTERM it releases
 * the lock and exits 0.
 */
import {SchedulerLock, type SchedulerKind} from '../../source/scheduler/scheduler-lock.js';

const [dataDir, kind = 'daemon', stale] = process.argv.slice(2);
if (!dataDir) {
	process.stderr.write('usage: lock-contender.ts DATA_DIR [daemon|tui] [staleMs]\n');
	process.exit(2);
}

const say = (event: string) => process.stdout.write(`${JSON.stringify({event, pid: process.pid, at: Date.now()})}\n`);

const lock = new SchedulerLock(dataDir, kind as SchedulerKind, stale === 'defaults' ? {} : {pollMs: 200, heartbeatMs: 300, staleMs: stale ? Number(stale) : undefined});
lock.on('acquired', () => say('acquired'));
lock.on('lost', () => say('lost'));
process.on('SIGTERM', () => {
	void lock.release().then(() => {
		say('released');
		process.exit(0);
	});
});
lock.start();
say('started');
