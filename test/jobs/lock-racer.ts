// Tries to take task 1's lock; prints OK or the refusal. A winner holds the
// lock until the file `<dataDir>/release` appears.
import fs from 'node:fs';
import path from 'node:path';
import {userMessage} from '../../source/core/errors.js';
import {acquireTaskLock} from '../../source/jobs/locks.js';

const [dataDir, runId, folder, direction] = process.argv.slice(2);
try {
	const lock = await acquireTaskLock(dataDir!, {taskId: 1, runId: runId!, startedAt: new Date().toISOString(), path: folder!, direction: direction as 'PUSH', dryRun: false});
	process.stdout.write('OK\n');
	const deadline = Date.now() + 60_000;
	while (!fs.existsSync(path.join(dataDir!, 'release')) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
	lock.release();
} catch (error) {
	process.stdout.write(`REFUSED ${userMessage(error)}\n`);
}
