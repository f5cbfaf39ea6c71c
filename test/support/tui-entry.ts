/**
 * Starts the full-screen interface on the store in $CLOUDSYNC_HOME, for the
 * pty tests and screenshots until (or besides) `node dist/cli.js`.
 */
import {Store} from '../../source/store/store.js';
import {runTui} from '../../source/ui/app.js';

const store = await Store.open(process.env['CLOUDSYNC_HOME']);
process.exitCode = await runTui({store});
