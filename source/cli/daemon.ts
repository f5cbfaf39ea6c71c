import {TaskRunner} from '../jobs/runner.js';
import {recordSkipIn, startRunWith} from '../scheduler/adapters.js';
import {runDaemon} from '../scheduler/daemon.js';
import type {Store} from '../store/store.js';
import type {Io} from './io.js';

/** `cloudsync daemon`: schedules in the foreground, plain lines for journald, clean exit on SIGTERM. */
export async function daemonCommand(store: Store, io: Io): Promise<number> {
	const runner = new TaskRunner(store);
	const settings = (await store.read()).settings;
	return runDaemon({
		dataDir: store.dir,
		runner,
		loadTasks: () => store.listTasks(),
		startRun: startRunWith(runner, store.dir),
		recordSkip: recordSkipIn(store.dir),
		timeZone: settings.timeZone,
		log: line => io.stdout.write(`${line}\n`),
	});
}
