/**
 * One timed cloudsync run for bench/crypt.ts, in its own process so its peak
 * RSS is its own: encrypts `source` through CryptRemote into a local folder.
 * Prints {cipher} as JSON. The password arrives on stdin, not argv.
 */
import {createReadStream} from 'node:fs';
import fs from 'node:fs/promises';
import {CryptRemote} from '../source/crypt/crypt-remote.js';
import {secretBox} from '../source/crypt/secretbox.js';
import {LocalRemote} from '../source/providers/local.js';

const [source, target] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const {password, salt} = JSON.parse(input) as {password: string; salt: string};

const crypt = new CryptRemote(new LocalRemote(target), {password, salt, filenameEncryption: 'standard'});
const stats = await fs.stat(source);
await crypt.write('data.bin', createReadStream(source, {highWaterMark: 1024 * 1024}), {size: stats.size, mtime: stats.mtimeMs});
process.stdout.write(JSON.stringify({cipher: secretBox.name}));
