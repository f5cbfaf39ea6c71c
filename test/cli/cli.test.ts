import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {cloudsync} from '../support/cli.js';
import {tempDir, tempHome} from '../support/home.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let disk: string;
beforeEach(async () => {
	home = await tempHome();
	disk = await tempDir('cloudsync-disk-');
});
afterEach(async () => {
	await home.cleanup();
	await fs.rm(disk, {recursive: true, force: true});
});

const dbText = () => fs.readFile(path.join(home.dir, 'db.json'), 'utf8');

/** A failure is one line on stderr and a non-zero exit code. */
function expectOneLineFailure(result: {code: number; stderr: string; stdout: string}, code: number, pattern: RegExp): void {
	expect(result.code).toBe(code);
	expect(result.stderr.trim().split('\n')).toHaveLength(1);
	expect(result.stderr).toMatch(pattern);
	expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('cloudsync CLI', () => {
	test('--version and --help on every command', async () => {
		const version = await cloudsync(home.dir, ['--version']);
		expect(version.code).toBe(0);
		expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
		for (const args of [[], ['credential'], ['credential', 'add'], ['task'], ['task', 'add'], ['task', 'run'], ['task', 'restore'], ['task', 'logs'], ['daemon'], ['config', 'export'], ['config', 'import']]) {
			const help = await cloudsync(home.dir, [...args, '--help']);
			expect(help.code, args.join(' ')).toBe(0);
			expect(help.stdout).toContain('Usage: cloudsync');
		}
	});

	test('wrong usage is one line and exit code 2', async () => {
		expectOneLineFailure(await cloudsync(home.dir, ['frobnicate']), 2, /^cloudsync: unknown command 'frobnicate'/);
		expectOneLineFailure(await cloudsync(home.dir, ['task', 'list', '--bogus']), 2, /unknown option '--bogus'/);
		expectOneLineFailure(await cloudsync(home.dir, ['task', 'show', 'abc']), 2, /"abc" is not a task id/);
		expectOneLineFailure(await cloudsync(home.dir, ['credential', 'add', 'x', '--provider', 'ftp']), 2, /unknown provider "ftp": use one of local, s3, dropbox/);
	});

	test('a local credential is verified, saved, listed, shown and removed', async () => {
		const add = await cloudsync(home.dir, ['credential', 'add', 'disk', '--provider', 'local', '--field', `root=${disk}`]);
		expect(add.stderr).toBe('');
		expect(add.stdout).toContain('Saved credential "disk"');
		expect(add.code).toBe(0);
		const list = await cloudsync(home.dir, ['--json', 'credential', 'list']);
		expect(JSON.parse(list.stdout)).toEqual([{name: 'disk', provider: 'local', tasks: 0, secretsUnusable: false}]);
		const show = await cloudsync(home.dir, ['credential', 'show', 'disk']);
		expect(show.stdout).toContain(disk);
		expect((await cloudsync(home.dir, ['credential', 'verify', 'disk'])).code).toBe(0);
		expect((await cloudsync(home.dir, ['credential', 'rm', 'disk'])).code).toBe(0);
		expect(JSON.parse((await cloudsync(home.dir, ['--json', 'credential', 'list'])).stdout)).toEqual([]);
	});

	test('a credential that does not verify is not saved', async () => {
		const result = await cloudsync(home.dir, ['credential', 'add', 'gone', '--provider', 'local', '--field', `root=${disk}/missing`]);
		expectOneLineFailure(result, 1, /missing/);
		expect(JSON.parse((await cloudsync(home.dir, ['--json', 'credential', 'list'])).stdout)).toEqual([]);
		expectOneLineFailure(await cloudsync(home.dir, ['credential', 'add', 'x', '--provider', 'local', '--field', 'nope=1']), 2, /has no field "nope"/);
	});

	test('task add, list, show, edit and rm', async () => {
		await cloudsync(home.dir, ['credential', 'add', 'disk', '--provider', 'local', '--field', `root=${disk}`]);
		const add = await cloudsync(home.dir, ['task', 'add', '--description', 'docs; rm -rf / $(whoami)', '--credential', 'disk', '--direction', 'push', '--mode', 'sync', '--path', disk, '--folder', 'backup', '--schedule', '30 2 * * 1-5', '--exclude', '*.tmp']);
		expect(add.stderr).toBe('');
		expect(add.code).toBe(0);
		expect(add.stdout).toContain('Added task 1 "docs; rm -rf / $(whoami)"');
		const shown = JSON.parse((await cloudsync(home.dir, ['--json', 'task', 'show', '1'])).stdout);
		expect(shown).toMatchObject({id: 1, direction: 'PUSH', transferMode: 'SYNC', folder: 'backup', exclude: ['*.tmp'], schedule: {minute: '30', hour: '2', dow: '1-5'}});
		const list = await cloudsync(home.dir, ['task', 'list']);
		expect(list.stdout).toMatch(/1\s+docs; rm -rf \/ \$\(whoami\)\s+PUSH\s+SYNC\s+disk/);
		expect((await cloudsync(home.dir, ['task', 'edit', '1', '--mode', 'copy', '--disabled'])).code).toBe(0);
		expect(JSON.parse((await cloudsync(home.dir, ['--json', 'task', 'show', '1'])).stdout)).toMatchObject({transferMode: 'COPY', enabled: false});
		expect((await cloudsync(home.dir, ['task', 'rm', '1'])).code).toBe(0);
		expectOneLineFailure(await cloudsync(home.dir, ['task', 'show', '1']), 1, /there is no task 1/);
	});

	test('a PUSH from a folder that does not exist is saved with a warning on stderr (it may be mounted later)', async () => {
		await cloudsync(home.dir, ['credential', 'add', 'disk', '--provider', 'local', '--field', `root=${disk}`]);
		const missing = path.join(disk, 'not-mounted-yet');
		const add = await cloudsync(home.dir, ['--json', 'task', 'add', '--description', 'later', '--credential', 'disk', '--direction', 'push', '--mode', 'copy', '--path', missing]);
		expect(add.code).toBe(0);
		expect(JSON.parse(add.stdout)).toMatchObject({id: 1, path: missing});
		expect(add.stderr).toBe(`warning: the folder ${missing} does not exist yet: a PUSH run fails until it does\n`);
		// A PULL creates its folder, so it gets no warning; a path changed to a file does.
		const pull = await cloudsync(home.dir, ['task', 'add', '--description', 'restore', '--credential', 'disk', '--direction', 'pull', '--mode', 'copy', '--path', missing]);
		expect(pull.stderr).toBe('');
		await fs.writeFile(path.join(disk, 'a-file'), '');
		const edit = await cloudsync(home.dir, ['task', 'edit', '1', '--path', path.join(disk, 'a-file')]);
		expect(edit.code).toBe(0);
		expect(edit.stderr).toMatch(/^warning: .*a-file is a file, not a folder: a PUSH run fails until it is a folder\n$/);
	});

	test('bad task input is refused with one sentence and leaves the store unchanged', async () => {
		await cloudsync(home.dir, ['credential', 'add', 'disk', '--provider', 'local', '--field', `root=${disk}`]);
		const before = await dbText();
		const base = ['task', 'add', '--description', 'd', '--credential', 'disk', '--direction', 'push', '--mode', 'sync', '--path', disk];
		const cases: Array<[string[], RegExp]> = [
			[['task', 'add', '--description', 'd'], /--credential is required/],
			[[...base, '--schedule', '61 * * * *'], /minute "61"/],
			[[...base, '--schedule', 'sometimes'], /the schedule "sometimes" is neither a preset nor a cron line: use hourly, daily, weekly, monthly or a cron line like "30 2 \* \* 1-5"/],
			[[...base, '--schedule', '0 2 * *'], /a cron line has five fields .* but "0 2 \* \*" has 4/],
			[[...base, '--bwlimit', '12:00,1M 08:00,2M'], /bandwidth limit/i],
			[[...base, '--transfers', 'many'], /--transfers needs a whole number/],
			[[...base, '--encryption'], /encryption needs a password/],
			[['task', 'add', '--description', 'd', '--credential', 'nope', '--direction', 'push', '--mode', 'sync', '--path', disk], /no credential named "nope"/],
			[[...base.slice(0, -6), '--direction', 'sideways', '--mode', 'sync', '--path', disk], /--direction is push or pull, not "sideways"/],
			[[...base, '--description', 'x'.repeat(500)], /description is at most 200 characters/],
		];
		for (const [args, pattern] of cases) {
			const result = await cloudsync(home.dir, args);
			expect(result.code, args.join(' ')).not.toBe(0);
			expectOneLineFailure(result, result.code, pattern);
		}
		expect(await dbText()).toBe(before);
	});

	test('secrets given through the environment or stdin are stored sealed', async () => {
		const add = await cloudsync(home.dir, ['credential', 'add', 's3', '--provider', 's3', '--no-verify', '--field', 'endpoint=http://127.0.0.1:1', '--field-env', 'access_key_id=KEY_ID', '--field', 'secret_access_key=-'], {
			env: {KEY_ID: 'AKIDFROMENV123'},
			input: 'secret-from-stdin\n',
		});
		expect(add.stderr).toBe('');
		expect(add.code).toBe(0);
		const db = await dbText();
		expect(db).not.toContain('AKIDFROMENV123');
		expect(db).not.toContain('secret-from-stdin');
		const show = await cloudsync(home.dir, ['credential', 'show', 's3']);
		expect(show.stdout).not.toContain('secret-from-stdin');
		expect(show.stdout).toContain('••••');
	});

	test('config export without the seed, imported into a fresh home, says the secrets must be entered again', async () => {
		await cloudsync(home.dir, ['credential', 'add', 's3', '--provider', 's3', '--no-verify', '--field', 'endpoint=http://127.0.0.1:1', '--field', 'access_key_id=AKID', '--field-env', 'secret_access_key=SECRET'], {env: {SECRET: 'very-secret-value'}});
		const file = path.join(disk, 'export.json');
		expect((await cloudsync(home.dir, ['config', 'export', file])).code).toBe(0);
		expect(await fs.readFile(file, 'utf8')).not.toContain('very-secret-value');
		const other = await tempHome();
		try {
			const imported = await cloudsync(other.dir, ['config', 'import', file]);
			expect(imported.code).toBe(0);
			expect(imported.stdout).toContain('the secrets of credential "s3" cannot be read here and must be entered again');
			const verify = await cloudsync(other.dir, ['credential', 'verify', 's3']);
			expectOneLineFailure(verify, 1, /imported without the secret seed/);
		} finally {
			await other.cleanup();
		}
	});

	test('a corrupt db.json stops every command with its line, and is left as it was', async () => {
		await cloudsync(home.dir, ['credential', 'list']);
		const broken = '{\n  "version": 1,\n  "tasks": [}\n';
		await fs.writeFile(path.join(home.dir, 'db.json'), broken);
		const result = await cloudsync(home.dir, ['task', 'list']);
		expectOneLineFailure(result, 1, /db\.json line 3, column 13: unexpected "}"/);
		expect((await cloudsync(home.dir, ['credential', 'add', 'd', '--provider', 'local', '--field', `root=${disk}`])).code).toBe(1);
		expect(await dbText()).toBe(broken);
	});
});
