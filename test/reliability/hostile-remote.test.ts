/**
 * A hostile remote on PULL, through the real worker (`cloudsync task run`):
 * keys that climb out (`../x`, `a/../../x`), absolute keys, backslashes,
 * control characters, 1,000-byte names, a key that is both a file and a
 * folder prefix, and symbolic links planted in the local tree pointing
 * outside. Nothing is written outside the task folder (the whole parent tree
 * is compared before and after) and each refusal is in the run log.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {PutObjectCommand} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {listRuns, readRunLog} from '../../source/jobs/history.js';
import {startFaultProxy, type FaultProxy} from '../support/fault-proxy.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {makeHome, removeScratch, runTask, s3Credential, scratch, taskInput} from './support/lab.js';
import {recordRow} from './support/summary.js';

const bucket = 'hostile';
let s3: S3rverHandle;
let server: FaultProxy;
// 1,000 bytes in five 199-byte folders and names: s3rver stores each part as a file name (255 at most).
const long = Array.from({length: 5}, (_, i) => `${i}${'L'.repeat(198)}`).join('/');
// s3rver keeps keys as file paths, so it cannot store these; the proxy renames placeholders in listings.
const renamed: Record<string, string> = {
	'zz-p1': '../x',
	'zz-p2': 'a/../../x',
	'zz-p3': '/abs',
	'zz-p4': '//double/slash',
	'zz-p5': '..',
	'zz-p6': 'a/./b',
};
const stored = [long, `deep/${long}-and-more`, 'a\\b', 'ctl\u0001x', 'esc\u001b[2Jx', 'tab\tx', 'both', 'both/child.txt', 'link/evil.txt', 'file-link', 'ok.txt', 'dir/ok2.txt'];

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket(bucket);
	for (const key of [...Object.keys(renamed), ...stored]) {
		await s3.client.send(new PutObjectCommand({Bucket: bucket, Key: `evil/${key}`, Body: `payload of ${JSON.stringify(key)}`}));
	}
	const escapeXml = (text: string) => text.replace(/[<>&]/g, c => `&#${c.charCodeAt(0)};`);
	server = await startFaultProxy({
		target: s3.endpoint,
		rewrite: {
			match: request => request.method === 'GET' && /[?&]list-type=2/.test(request.url ?? ''),
			body: xml => byteOrder(xml.replace(/<Key>evil\/(zz-p\d)<\/Key>/g, (_m, id: string) => `<Key>evil/${escapeXml(renamed[id]!)}</Key>`)),
		},
	});
}, 60_000);
afterAll(async () => {
	await server?.stop();
	await s3?.stop();
	removeScratch();
});

/**
 * S3 lists keys in byte order; s3rver 3.7.1 does not when a key is also a
 * folder prefix ("both/child.txt" before "both"), and the engine rightly
 * refuses a listing out of order. The proxy restores S3's order.
 */
function byteOrder(xml: string): string {
	const blocks = xml.match(/<Contents>[\s\S]*?<\/Contents>/g);
	if (!blocks) return xml;
	const key = (block: string) => Buffer.from(/<Key>([\s\S]*?)<\/Key>/.exec(block)![1]!.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
	const sorted = [...blocks].sort((a, b) => Buffer.compare(key(a), key(b)));
	let index = 0;
	return xml.replace(/<Contents>[\s\S]*?<\/Contents>/g, () => sorted[index++]!);
}

/** Every path under root with its type and content hash; symbolic links are not followed. */
function tree(root: string): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (dir: string, prefix: string) => {
		for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
			const full = path.join(dir, entry.name);
			const name = prefix + entry.name;
			if (entry.isSymbolicLink()) out.set(name, `link -> ${fs.readlinkSync(full)}`);
			else if (entry.isDirectory()) {
				out.set(`${name}/`, 'dir');
				walk(full, `${name}/`);
			} else out.set(name, `file ${createHash('md5').update(fs.readFileSync(full)).digest('hex')}`);
		}
	};
	walk(root, '');
	return out;
}

test('PULL of hostile keys writes nothing outside the task folder and logs every refusal', async () => {
	const parent = scratch('hostile-parent');
	const target = path.join(parent, 'a', 'b', 'task');
	const outside = path.join(parent, 'outside');
	fs.mkdirSync(target, {recursive: true});
	fs.mkdirSync(outside);
	fs.writeFileSync(path.join(outside, 'precious.txt'), 'must not change');
	// Planted links: a folder link and a file link, both pointing outside.
	fs.symlinkSync(outside, path.join(target, 'link'));
	fs.symlinkSync(path.join(outside, 'precious.txt'), path.join(target, 'file-link'));
	const before = tree(parent);

	const home = await makeHome([s3Credential('s3', server.endpoint)]);
	const task = await home.addTask(taskInput({credential: 's3', path: target, bucket, folder: 'evil', direction: 'PULL', transferMode: 'SYNC'}));
	const run = await runTask(home.dir, task.id);
	expect(run.code).toBe(1);
	expect(run.stderr).toMatch(/^cloudsync: task \d+ failed: [^\n]+\n$/);
	const after = tree(parent);

	// Outside the task folder nothing changed.
	const outsideTask = (map: Map<string, string>) => new Map([...map].filter(([name]) => !name.startsWith('a/b/task/')));
	expect(outsideTask(after)).toEqual(outsideTask(before));
	expect(fs.readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('must not change');
	expect(fs.readdirSync(outside)).toEqual(['precious.txt']);
	// Inside it, only safe names arrived, and nothing went through the links.
	const inside = [...after.keys()].filter(name => name.startsWith('a/b/task/')).map(name => name.slice('a/b/task/'.length)).sort();
	expect(inside, readRunLog(home.dir, task.id, listRuns(home.dir, task.id)[0]!.id)).toContain('ok.txt');
	expect(inside).toContain('dir/ok2.txt');
	for (const name of inside) expect(name).not.toMatch(/\.\.|\\|[\u0000-\u001f]/);
	// 1,000-byte names fit a Linux path (each part under 255 bytes) and arrive whole.
	expect(inside).toContain(long);
	expect(inside).toContain(`deep/${long}-and-more`);
	// A file and a folder of one name cannot both exist locally: the folder wins, the file fails alone.
	expect(inside).toContain('both/child.txt');

	const log = readRunLog(home.dir, task.id, listRuns(home.dir, task.id)[0]!.id);
	const refusedNames = ['../x', 'a/../../x', '/abs', '//double/slash', 'a/./b', 'both', 'a\\b', 'ctl?x', 'esc?[2Jx', 'tab x', 'link/evil.txt'];
	const missing = refusedNames.filter(name => !log.split('\n').some(line => / (WARN|ERROR) /.test(line) && line.includes(name)));
	expect(missing, log).toEqual([]);
	// Terminal escapes never reach the log raw.
	expect(log).not.toContain('\u001b');
	expect(log).not.toContain('\u0001');
	expect(log).not.toContain('\t');
	// Nor the record's error, which `task run` prints.
	expect(JSON.stringify(listRuns(home.dir, task.id)[0])).not.toMatch(/\\u00(1b|01|09)|\\t/);
	expect(run.stdout + run.stderr).not.toMatch(/[\u0001\u001b\t]/);
	recordRow({scenario: 'hostile remote: PULL refusals', runs: 1, injected: Object.keys(renamed).length + stored.length - 2, verified: refusedNames.length + before.size, lost: 0});
}, 120_000);
