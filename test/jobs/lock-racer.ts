// Tries to take task 1's lock and holds it briefly; prints OK or the refusal.
import {userMessage} from '../../source/core/errors.js';
import {acquireTaskLock} from '../../source/jobs/locks.js';

const [dataDir, runId, folder, direction] = process.argv.slice(2);
try {
	const lock = await acquireTaskLock(dataDir!, {taskId: 1, runId: runId!, startedAt: new Date().toISOString(), path: folder!, direction: direction as 'PUSH', dryRun: false});
	process.stdout.write('OK\n');
	await new Promise(r => setTimeout(r, 1500));
	lock.release();
} catch (error) {
	process.stdout.write(`REFUSED ${userMessage(error)}\n`);
}
