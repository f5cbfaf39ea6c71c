/**
 * `cloudsync daemon` without the argument parsing: the real store, the real
 * TaskRunner and runDaemon, wired as the command should wire them.
 * `node --import tsx daemon-entry.ts DATA_DIR`; plain log lines on stdout.
 */
import {TaskRunner} from '../../source/jobs/runner.js';
import {recordSkipIn, startRunWith} from '../../source/scheduler/adapters.js';
import {runDaemon} from '../../source/scheduler/daemon.js';
import {Store} from '../../source/store/store.js';

const store = await Store.open(process.argv[2]);
const runner = new TaskRunner(store);
const code = await runDaemon({
	dataDir: store.dir,
	runner,
	loadTasks: () => store.listTasks(),
	startRun: startRunWith(runner, store.dir),
	recordSkip: recordSkipIn(store.dir),
	log: line => process.stdout.write(`${line}\n`),
	lock: {pollMs: 250},
	reloadEveryMs: 1000,
});
process.exit(code);
