// A separate cloudsync process that runs one task through TaskRunner:
// prints {"worker": pid, "runId": id} when the run started, then the final record.
import {userMessage} from '../../source/core/errors.js';
import {TaskRunner} from '../../source/jobs/runner.js';
import {Store} from '../../source/store/store.js';

const [dataDir, taskId] = process.argv.slice(2);
const store = await Store.open(dataDir!);
const runner = new TaskRunner(store);
try {
	const active = await runner.start(Number(taskId), {dryRun: process.argv.includes('--dry-run'), trigger: 'cli'});
	process.stdout.write(JSON.stringify({worker: active.pid, runId: active.runId}) + '\n');
	const record = await runner.wait(Number(taskId));
	process.stdout.write(JSON.stringify({record}) + '\n');
} catch (error) {
	process.stdout.write(JSON.stringify({refused: userMessage(error)}) + '\n');
}
