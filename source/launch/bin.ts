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
/** A hash of every file of the bundle. */
declare const CLOUDSYNC_BUILD_ID: string;

/** The run worker is told its data directory; everything else finds it as the store does. */
function home(argv: string[]): string {
	const index = argv.indexOf('--data-dir');
	return index >= 0 && argv[index + 1] ? path.resolve(argv[index + 1]!) : dataDir(process.env);
}

const appDir = path.dirname(fileURLToPath(import.meta.url));
const dataHome = home(process.argv);
const loader = new CachedModuleLoader(appDir, codeCacheDir(dataHome, CLOUDSYNC_BUILD_ID));
process.on('exit', () => loader.saveCaches(dataHome));
loader.load(CLOUDSYNC_ENTRY);
