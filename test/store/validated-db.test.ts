/**
 * The validated copy of db.json (store/validated-db.ts): a process that reads
 * text another process already validated takes the copy instead of loading
 * zod; any other text, schema or a broken copy is validated as before.
 */
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {z} from 'zod';
import {dbSchema} from '../../source/store/schema.js';
import {Store} from '../../source/store/store.js';
import {dbSchemaFingerprint, validatedCopyPath} from '../../source/store/validated-db.js';
import {tempHome} from '../support/home.js';

const daily = {preset: 'daily', minute: '0', hour: '0', dom: '*', month: '*', dow: '*'} as const;

let home: Awaited<ReturnType<typeof tempHome>>;
let dbFile: string;
let copyFile: string;
beforeEach(async () => {
	home = await tempHome();
	dbFile = path.join(home.dir, 'db.json');
	copyFile = validatedCopyPath(dbFile);
	const store = await Store.open(home.dir);
	await store.saveCredential({name: 'disk', provider: 'local', attributes: {root: '/srv'}});
	await store.addTask({description: 'first', credential: 'disk', direction: 'PUSH', transferMode: 'SYNC', path: '/srv/a', schedule: {...daily}, enabled: true});
	await store.listTasks();
});
afterEach(async () => {
	await home.cleanup();
});

type Copy = {schema: string; sha256: string; data: {tasks: Array<{description: string}>}};
const readCopy = () => JSON.parse(fs.readFileSync(copyFile, 'utf8')) as Copy;
const writeCopy = (copy: Copy) => fs.writeFileSync(copyFile, JSON.stringify(copy));
const descriptions = async () => (await (await Store.open(home.dir)).listTasks()).map(task => task.description);

test('the fingerprint is that of the schema: change it with dbSchema', () => {
	const fingerprint = createHash('sha256').update(JSON.stringify(z.toJSONSchema(dbSchema, {io: 'output'}))).digest('hex').slice(0, 16);
	expect(dbSchemaFingerprint, 'dbSchema changed: set dbSchemaFingerprint in store/validated-db.ts to this value').toBe(fingerprint);
});

test('a read validates the text once and keeps what it validated to (with defaults), for the text as it is', () => {
	const copy = readCopy();
	expect(copy.schema).toBe(dbSchemaFingerprint);
	expect(copy.sha256).toBe(createHash('sha256').update(fs.readFileSync(dbFile, 'utf8')).digest('hex'));
	expect(copy.data.tasks[0]).toMatchObject({description: 'first', transfers: 4, exclude: []});
	expect(fs.statSync(copyFile).mode & 0o777).toBe(0o600);
});

test('another process reading the same text takes the copy', async () => {
	const copy = readCopy();
	copy.data.tasks[0]!.description = 'from the copy';
	writeCopy(copy);
	expect(await descriptions()).toEqual(['from the copy']);
});

test('a changed text, another schema or a broken copy is validated again', async () => {
	const copy = readCopy();
	copy.data.tasks[0]!.description = 'from the copy';
	writeCopy({...copy, schema: 'another schema'});
	expect(await descriptions()).toEqual(['first']);
	writeCopy(copy);
	fs.writeFileSync(dbFile, fs.readFileSync(dbFile, 'utf8').replace('"first"', '"edited by hand"'));
	expect(await descriptions()).toEqual(['edited by hand']);
	fs.writeFileSync(copyFile, '{"schema": ');
	expect(await descriptions()).toEqual(['edited by hand']);
	expect(readCopy().data.tasks[0]!.description).toBe('edited by hand');
});

test('a broken db.json is reported as before, whatever the copy holds', async () => {
	fs.writeFileSync(dbFile, fs.readFileSync(dbFile, 'utf8').replace('"PUSH"', '"SIDEWAYS"'));
	await expect(Store.open(home.dir)).rejects.toThrow(/db\.json line \d+: tasks\[0\]\.direction: /);
});

test('a data directory where the copy cannot be kept still reads', async () => {
	fs.rmSync(path.dirname(copyFile), {recursive: true});
	fs.writeFileSync(path.dirname(copyFile), 'a file where the cache folder would be');
	expect(await descriptions()).toEqual(['first']);
});
