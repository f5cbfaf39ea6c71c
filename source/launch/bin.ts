/**
 * The installed program's entry files, `dist/app/cli.js` and
 * `dist/app/run-worker.js` (built by source/build/bundle.ts, which sets the
 * two constants below): each runs its part of the bundle through the code
 * cache (launch/code-cache.ts) kept in the data directory.
 */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {dataDir} from '../store/home.js';
import {CachedModuleLoader, codeCacheDir} from './code-cache.js';

/** The bundle file this entry runs, e.g. "main.js". */
declare const CLOUDSYNC_ENTRY: string;
/** Whether this is the run worker's entry, whose data directory is in its argv. */
declare const CLOUDSYNC_WORKER: boolean;
/** A hash of every file of the bundle. */
declare const CLOUDSYNC_BUILD_ID: string;

/**
 * The run worker is told its data directory by the runner; the command finds
 * it as the store does (never from its own argv, where a user's typo such as
 * `--data-dir /etc` must not choose where files are written).
 */
function home(): string {
	if (!CLOUDSYNC_WORKER) return dataDir(process.env);
	const index = process.argv.indexOf('--data-dir');
	return index >= 0 && process.argv[index + 1] ? path.resolve(process.argv[index + 1]!) : dataDir(process.env);
}

const appDir = path.dirname(fileURLToPath(import.meta.url));
const dataHome = home();
const loader = new CachedModuleLoader(appDir, codeCacheDir(dataHome, CLOUDSYNC_BUILD_ID));
process.on('exit', () => loader.saveCaches(dataHome));
loader.load(CLOUDSYNC_ENTRY);
