/**
 * Bad user input on every CLI command: empty, overlong, wrong-type and
 * malicious values. Each is refused with one clear line on stderr and a
 * non-zero exit code, and db.json is byte-identical afterwards. Shell
 * metacharacters that are legitimate text (descriptions, scripts) are kept
 * verbatim and never executed by anything but the script itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cloudsync} from '../support/cli.js';
import {startS3rver, type S3rverHandle} from '../support/s3rver.js';
import {makeHome, removeScratch, s3Credential, scratch, taskInput, type Home} from './support/lab.js';
import {recordRow} from './support/summary.js';

let s3: S3rverHandle;
let home: Home;
let folder: string;
let db: () => Buffer;
let taskId: number;

beforeAll(async () => {
	s3 = await startS3rver();
	await s3.createBucket('input');
	folder = scratch('input-folder');
	home = await makeHome([s3Credential('s3', s3.endpoint), {name: 'disk', provider: 'local', attributes: {root: folder}}]);
	taskId = (await home.addTask(taskInput({credential: 's3', path: folder, bucket: 'input', folder: 'f'}))).id;
	db = () => fs.readFileSync(path.join(home.dir, 'db.json'));
	fs.writeFileSync(path.join(folder, 'garbage.json'), '{"credentials": 5, "tasks": "x"');
	fs.writeFileSync(path.join(folder, 'wrong-shape.json'), JSON.stringify({version: 99, credentials: [{name: '../../x', provider: 'ftp'}], tasks: [{id: 'one'}]}));
}, 60_000);
afterAll(async () => {
	await s3?.stop();
	removeScratch();
});

const long = 'x'.repeat(5_000);
const metachars = '"; rm -rf / #$(touch /tmp/cloudsync-pwned)`id`|&;<>\\\'\n\t';
const task = () => String(taskId);
const s3Fields = (...extra: string[]) => ['--provider', 's3', '--field', 'access_key_id=a', '--field', 'secret_access_key=b', '--field', `endpoint=${s3.endpoint}`, ...extra.flatMap(f => ['--field', f]), '--no-verify'];
const addTask = (...extra: string[]) => {
	const base: Record<string, string> = {'--description': 'd', '--credential': 's3', '--direction': 'push', '--mode': 'sync', '--path': folder, '--bucket': 'input', '--folder': 'g'};
	const args = ['task', 'add'];
	for (let i = 0; i < extra.length; i += 2) base[extra[i]!] = extra[i + 1]!;
	for (const [flag, value] of Object.entries(base)) if (value !== '<omit>') args.push(flag, value);
	return [...args, '--no-verify'];
};

type Case = [what: string, args: () => string[], stderr: RegExp, env?: NodeJS.ProcessEnv];

const cases: Case[] = [
	// credential add / edit
	['credential add: empty name', () => ['credential', 'add', '', '--provider', 'local', '--field', `root=${folder}`], /name/],
	['credential add: overlong name', () => ['credential', 'add', long, '--provider', 'local', '--field', `root=${folder}`], /at most 64 characters/],
	['credential add: shell metacharacters in the name', () => ['credential', 'add', metachars, '--provider', 'local', '--field', `root=${folder}`], /credential name uses letters/],
	['credential add: path traversal in the name', () => ['credential', 'add', '../../etc/passwd', '--provider', 'local', '--field', `root=${folder}`], /credential name uses letters/],
	['credential add: unknown provider', () => ['credential', 'add', 'n', '--provider', 'ftp'], /unknown provider "ftp"/],
	['credential add: no provider', () => ['credential', 'add', 'n'], /--provider/],
	['credential add: empty provider', () => ['credential', 'add', 'n', '--provider', ''], /unknown provider ""/],
	['credential add: relative local root', () => ['credential', 'add', 'n', '--provider', 'local', '--field', 'root=relative/dir'], /absolute/],
	['credential add: local root that does not exist', () => ['credential', 'add', 'n', '--provider', 'local', '--field', 'root=/nonexistent/cloudsync/dir'], /does not exist/],
	['credential add: unknown field', () => ['credential', 'add', 'n', '--provider', 'local', '--field', 'rooot=/tmp'], /has no field "rooot"/],
	['credential add: field without =', () => ['credential', 'add', 'n', '--provider', 'local', '--field', 'root'], /is not name=value/],
	['credential add: field with empty name', () => ['credential', 'add', 'n', '--provider', 'local', '--field', '=/tmp'], /is not name=value/],
	['credential add: S3 chunk size not a number', () => ['credential', 'add', 'n', ...s3Fields('chunk_size=abc')], /chunk_size needs a number/],
	['credential add: S3 chunk size too small', () => ['credential', 'add', 'n', ...s3Fields('chunk_size=1')], /chunk_size/],
	['credential add: S3 chunk size overlong', () => ['credential', 'add', 'n', ...s3Fields(`chunk_size=${'9'.repeat(400)}`)], /chunk_size/],
	['credential add: S3 boolean field', () => ['credential', 'add', 'n', ...s3Fields('force_path_style=maybe')], /force_path_style is yes or no/],
	['credential add: S3 unknown preset', () => ['credential', 'add', 'n', ...s3Fields('preset=nosuch')], /preset is one of/],
	['credential add: S3 ftp endpoint', () => ['credential', 'add', 'n', '--provider', 's3', '--field', 'access_key_id=a', '--field', 'secret_access_key=b', '--field', 'endpoint=ftp://example.com', '--no-verify'], /http:\/\/ or https:\/\//],
	['credential add: S3 endpoint with metacharacters', () => ['credential', 'add', 'n', '--provider', 's3', '--field', 'access_key_id=a', '--field', 'secret_access_key=b', '--field', `endpoint=${metachars}`, '--no-verify'], /endpoint/],
	['credential add: S3 without secret', () => ['credential', 'add', 'n', '--provider', 's3', '--field', 'access_key_id=a', '--field', `endpoint=${s3.endpoint}`, '--no-verify'], /secret/i],
	['credential add: S3 wrong secret (verified)', () => ['credential', 'add', 'n', '--provider', 's3', '--field', 'access_key_id=NOSUCHKEY', '--field', 'secret_access_key=b', '--field', `endpoint=${s3.endpoint}`], /key|denied|credential/i],
	['credential add: Dropbox without a token', () => ['credential', 'add', 'n', '--provider', 'dropbox', '--no-verify'], /needs an access token/],
	['credential add: Dropbox chunk size not a multiple of 4', () => ['credential', 'add', 'n', '--provider', 'dropbox', '--field', 'token=t', '--field', 'chunk_size=5', '--no-verify'], /multiple of 4/],
	['credential add: secret from an unset variable', () => ['credential', 'add', 'n', '--provider', 's3', '--field', 'access_key_id=a', '--field-env', 'secret_access_key=CLOUDSYNC_NOT_SET_ANYWHERE', '--no-verify'], /CLOUDSYNC_NOT_SET_ANYWHERE.*is not set/],
	['credential add: name already taken', () => ['credential', 'add', 's3', '--provider', 'local', '--field', `root=${folder}`], /already exists/],
	['credential edit: unknown credential', () => ['credential', 'edit', 'nosuch', '--field', 'root=/tmp'], /nosuch/],
	['credential edit: another provider', () => ['credential', 'edit', 's3', '--provider', 'local', '--field', 'root=/tmp'], /delete it to change its provider/],
	['credential edit: bad value', () => ['credential', 'edit', 's3', '--field', 'chunk_size=-5', '--no-verify'], /chunk_size/],
	['credential show: unknown', () => ['credential', 'show', 'nosuch'], /nosuch/],
	['credential show: missing argument', () => ['credential', 'show'], /missing required argument/],
	['credential verify: unknown', () => ['credential', 'verify', metachars], /credential/],
	['credential rm: unknown', () => ['credential', 'rm', 'nosuch'], /nosuch/],
	['credential rm: in use by a task', () => ['credential', 'rm', 's3'], /task/],
	// task add
	['task add: nothing given', () => ['task', 'add', '--no-verify'], /is required/],
	['task add: empty description', () => addTask('--description', ''), /description/],
	['task add: overlong description', () => addTask('--description', long), /at most 200 characters/],
	['task add: no credential', () => addTask('--credential', '<omit>'), /--credential is required/],
	['task add: unknown credential', () => addTask('--credential', 'nosuch'), /nosuch/],
	['task add: metacharacters as credential', () => addTask('--credential', metachars), /credential/],
	['task add: wrong direction', () => addTask('--direction', 'sideways'), /--direction is push or pull, not "sideways"/],
	['task add: empty direction', () => addTask('--direction', ''), /--direction/],
	['task add: wrong mode', () => addTask('--mode', 'mirror'), /--mode is sync, copy or move/],
	['task add: empty path', () => addTask('--path', ''), /--path is empty/],
	['task add: blank path', () => addTask('--path', '   '), /--path is empty/],
	['task add: cron with too few fields', () => addTask('--schedule', '* * * *'), /schedule|cron/i],
	['task add: cron minute 61', () => addTask('--schedule', '61 * * * *'), /schedule|minute|cron/i],
	['task add: schedule words', () => addTask('--schedule', 'every tuesday'), /schedule|cron/i],
	['task add: schedule with metacharacters', () => addTask('--schedule', metachars), /schedule|cron/i],
	['task add: overlong schedule', () => addTask('--schedule', long), /schedule|cron/i],
	['task add: bwlimit words', () => addTask('--bwlimit', 'fast'), /bwlimit|bandwidth|rate/i],
	['task add: bwlimit negative', () => addTask('--bwlimit', '-5M'), /bwlimit|bandwidth|rate/i],
	['task add: bwlimit hour 25', () => addTask('--bwlimit', '25:00,1M'), /bwlimit|bandwidth|time/i],
	['task add: bwlimit unit', () => addTask('--bwlimit', '10Q'), /bwlimit|bandwidth|rate/i],
	['task add: transfers 0', () => addTask('--transfers', '0'), /--transfers needs a whole number from 1 to 64, not "0"/],
	['task add: transfers 65', () => addTask('--transfers', '65'), /--transfers needs a whole number/],
	['task add: transfers not a number', () => addTask('--transfers', 'many'), /--transfers needs a whole number/],
	['task add: transfers fraction', () => addTask('--transfers', '1.5'), /--transfers needs a whole number/],
	['task add: script timeout 0', () => addTask('--script-timeout', '0'), /--script-timeout needs a whole number/],
	['task add: script timeout words', () => addTask('--script-timeout', 'long'), /--script-timeout needs a whole number/],
	['task add: attribute without value', () => addTask('--attribute', 'storage_class'), /is not name=value/],
	['task add: attribute without name', () => addTask('--attribute', '=x'), /is not name=value/],
	['task add: invalid exclude rule', () => addTask('--exclude', '[z-a'), /exclude|filter|rule|pattern/i],
	['task add: password from an unset variable', () => [...addTask('--password-env', 'CLOUDSYNC_NOT_SET_ANYWHERE'), '--encryption'], /CLOUDSYNC_NOT_SET_ANYWHERE/],
	['task add: salt from an unset variable', () => [...addTask('--password-env', 'HOME', '--salt-env', 'CLOUDSYNC_NOT_SET_ANYWHERE'), '--encryption'], /CLOUDSYNC_NOT_SET_ANYWHERE \(for --salt-env\) is not set/],
	['task add: encryption without a password', () => [...addTask(), '--encryption'], /password/i],
	['task add: snapshot on a plain folder', () => [...addTask(), '--snapshot'], /snapshot/i],
	['task add: snapshot with MOVE', () => [...addTask('--mode', 'move'), '--snapshot'], /snapshot/i],
	['task add: folder that climbs out', () => addTask('--folder', '../../etc'), /folder/],
	['task add: unknown option', () => [...addTask(), '--delete-everything'], /unknown option/],
	// task edit / show / rm / run / restore / logs
	['task edit: unknown task', () => ['task', 'edit', '999', '--description', 'x'], /999/],
	['task edit: id not a number', () => ['task', 'edit', 'one', '--description', 'x'], /"one" is not a task id/],
	['task edit: negative id', () => ['task', 'edit', '-1', '--description', 'x'], /unknown option|not a task id/],
	['task edit: huge id', () => ['task', 'edit', '9'.repeat(400), '--description', 'x'], /not a task id|task/],
	['task edit: nothing to change', () => ['task', 'edit', task()], /nothing to change/],
	['task edit: empty description', () => ['task', 'edit', task(), '--description', ''], /description/],
	['task edit: overlong description', () => ['task', 'edit', task(), '--description', long], /at most 200 characters/],
	['task edit: wrong direction', () => ['task', 'edit', task(), '--direction', '1'], /--direction is push or pull/],
	['task edit: bad cron', () => ['task', 'edit', task(), '--schedule', '* * 32 * *'], /schedule|cron|day/i],
	['task edit: bad bwlimit', () => ['task', 'edit', task(), '--bwlimit', '08:00,1M 07:00'], /bwlimit|bandwidth|time|rate/i],
	['task edit: unknown credential', () => ['task', 'edit', task(), '--credential', 'nosuch'], /nosuch/],
	['task show: id 0', () => ['task', 'show', '0'], /"0" is not a task id/],
	['task show: unknown', () => ['task', 'show', '4242'], /4242/],
	['task rm: unknown', () => ['task', 'rm', '4242'], /4242/],
	['task rm: metacharacters as id', () => ['task', 'rm', metachars], /is not a task id/],
	['task run: unknown', () => ['task', 'run', '4242'], /4242/],
	['task run: not a number', () => ['task', 'run', '1;id'], /is not a task id/],
	['task restore: no description', () => ['task', 'restore', task(), '--path', folder], /--description is required/],
	['task restore: no path', () => ['task', 'restore', task(), '--description', 'r'], /--path is required/],
	['task restore: wrong mode', () => ['task', 'restore', task(), '--description', 'r', '--path', folder, '--mode', 'merge'], /--mode is copy or sync/],
	['task restore: unknown task', () => ['task', 'restore', '4242', '--description', 'r', '--path', folder], /4242/],
	['task restore: overlong description', () => ['task', 'restore', task(), '--description', long, '--path', folder], /at most 200 characters/],
	['task logs: run 0', () => ['task', 'logs', task(), '--run', '0'], /--run needs a number from 1/],
	['task logs: run words', () => ['task', 'logs', task(), '--run', 'last'], /--run needs a number from 1/],
	['task logs: no runs yet', () => ['task', 'logs', task()], /has not run|no run/i],
	// config
	['config export: into a folder that does not exist', () => ['config', 'export', '/nonexistent/cloudsync/export.json'], /nonexistent|folder|directory|write/i],
	['config export: no file', () => ['config', 'export'], /missing required argument/],
	['config import: no such file', () => ['config', 'import', '/nonexistent/cloudsync/import.json'], /nonexistent|not exist|read/i],
	['config import: not JSON', () => ['config', 'import', path.join(folder, 'garbage.json')], /JSON|garbage/i],
	['config import: wrong shape', () => ['config', 'import', path.join(folder, 'wrong-shape.json')], /export|version|invalid|credential|task/i],
	['config import: a folder', () => ['config', 'import', folder], /folder|directory|read|file/i],
	// the program
	['unknown command', () => ['frobnicate'], /unknown command 'frobnicate'/],
	['unknown subcommand', () => ['task', 'destroy'], /unknown command 'destroy'/],
	['unknown global option', () => ['--yes-really', 'task', 'list'], /unknown option/],
];

async function runAll<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
	const queue = [...items];
	await Promise.all(Array.from({length: limit}, async () => {
		for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
	}));
}

describe('bad input on every command', () => {
	test(`${cases.length} refusals: one line, non-zero exit, db.json byte-identical`, async () => {
		const before = db();
		const problems: string[] = [];
		// A read-only run in parallel must not see the store change either.
		await runAll(cases, 3, async ([what, args, stderr, env]) => {
			const result = await cloudsync(home.dir, args(), {env});
			const lines = result.stderr.trim().split('\n');
			const trouble: string[] = [];
			if (result.code === 0) trouble.push(`exit 0 (stdout: ${result.stdout.trim().slice(0, 200)})`);
			if (lines.length !== 1 || !lines[0]!.startsWith('cloudsync: ')) trouble.push(`stderr is not one "cloudsync: ..." line: ${JSON.stringify(result.stderr.slice(0, 600))}`);
			if (/\n\s+at |Error:|node:internal/.test(result.stderr)) trouble.push('a stack trace or raw error name');
			if (!stderr.test(result.stderr)) trouble.push(`stderr ${JSON.stringify(result.stderr.trim().slice(0, 300))} does not match ${stderr}`);
			if (result.stderr.length > 600) trouble.push(`stderr is ${result.stderr.length} characters long`);
			if (trouble.length > 0) problems.push(`${what}: ${trouble.join('; ')}`);
		});
		const same = db().equals(before);
		recordRow({scenario: 'bad CLI input: refusals', runs: cases.length, injected: cases.length, verified: cases.length - problems.length, lost: same ? 0 : 1});
		expect(problems).toEqual([]);
		expect(same).toBe(true);
		expect(fs.existsSync('/tmp/cloudsync-pwned')).toBe(false);
	}, 600_000);

	test('metacharacters in a description and a script are data: stored verbatim, never run by a shell', async () => {
		const canary = path.join(folder, 'canary');
		const description = `"; touch ${canary} #$(touch ${canary})\`touch ${canary}\``;
		// The pre-script prints its description variable; a shell that re-read the value would make the canary.
		const preScript = 'printf "%s\\n" "$CLOUD_SYNC_DESCRIPTION"';
		const added = await cloudsync(home.dir, ['--json', ...addTask('--description', description, '--pre-script', preScript)]);
		expect(added.code, added.stderr).toBe(0);
		const id = (JSON.parse(added.stdout) as {id: number}).id;
		const shown = JSON.parse((await cloudsync(home.dir, ['--json', 'task', 'show', String(id)])).stdout) as {description: string; preScript: string};
		expect(shown).toMatchObject({description, preScript});
		const run = await cloudsync(home.dir, ['task', 'run', String(id)]);
		expect(run.code, run.stdout + run.stderr).toBe(0);
		expect(run.stdout).toContain(`[pre-script] ${description}`);
		expect(fs.existsSync(canary)).toBe(false);
		const removed = await cloudsync(home.dir, ['task', 'rm', String(id)]);
		expect(removed.code).toBe(0);
		recordRow({scenario: 'bad CLI input: metacharacters as data', runs: 1, injected: 1, verified: 1, lost: 0});
	}, 120_000);
});
