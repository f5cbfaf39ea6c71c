// A separate process that runs one script through runScript and prints
// {"pgid": n} once it started; the test kills this process to see what happens to the script.
import {runScript} from '../../source/jobs/scripts.js';

const [cwd, script] = process.argv.slice(2);
await runScript({
	kind: 'pre-script',
	script: script!,
	env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
	cwd: cwd!,
	timeoutSec: 600,
	onLine: () => undefined,
	onStart: pgid => process.stdout.write(JSON.stringify({pgid}) + '\n'),
});
