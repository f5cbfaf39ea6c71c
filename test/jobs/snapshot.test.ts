import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mountOf, parseMountInfo} from '../../source/jobs/mounts.js';
import {btrfsSnapshotFolder, createSnapshot, snapshotRefusal, snapshotSupport} from '../../source/jobs/snapshot.js';
import {tempDir} from '../support/home.js';
import {mountBtrfs, type BtrfsVolume} from './btrfs.js';

describe('mount detection', () => {
	const info = [
		'27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
		'40 27 0:50 / /tank rw - zfs tank rw',
		'41 40 0:51 / /tank/photos rw - zfs tank/photos rw',
		'42 27 0:52 /@home /home rw shared:1 - btrfs /dev/sdb2 rw,subvol=/@home',
		'43 27 0:53 / /mnt/with\\040space rw - xfs /dev/sdc rw',
		'44 27 0:54 / /tank rw - tmpfs none rw',
	].join('\n');
	const mounts = parseMountInfo(info);

	it('finds the innermost mount, the later of two on the same point, and unescapes names', () => {
		expect(mountOf('/tank/photos/2026', mounts)).toMatchObject({fsType: 'zfs', source: 'tank/photos', mountPoint: '/tank/photos'});
		expect(mountOf('/tank/other', mounts)).toMatchObject({fsType: 'tmpfs'});
		expect(mountOf('/home/ann', mounts)).toMatchObject({fsType: 'btrfs', root: '/@home'});
		expect(mountOf('/mnt/with space/x', mounts)).toMatchObject({fsType: 'xfs'});
		expect(mountOf('/homework', mounts)).toMatchObject({fsType: 'ext4'});
	});
});

describe('snapshot refusals (real file systems)', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await tempDir('cloudsync-snap-');
	});
	afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

	it('names the file system when it has no snapshots', async () => {
		const fsType = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir], {encoding: 'utf8'}).trim();
		expect(['zfs', 'btrfs']).not.toContain(fsType);
		expect(await snapshotSupport(dir)).toEqual({ok: false, reason: `snapshots need ZFS or btrfs; ${dir} is on ${fsType}`});
		await expect(createSnapshot({id: 1, direction: 'PUSH', transferMode: 'SYNC', path: dir}, 'r1')).rejects.toThrow(
			`cannot take a snapshot: snapshots need ZFS or btrfs; ${dir} is on ${fsType}`,
		);
	});

	it('refuses PULL, MOVE and a missing folder', async () => {
		expect(await snapshotRefusal({direction: 'PULL', transferMode: 'COPY', path: dir})).toBe('a snapshot is only for PUSH tasks: a PULL writes into the folder');
		expect(await snapshotRefusal({direction: 'PUSH', transferMode: 'MOVE', path: dir})).toBe(
			'a snapshot cannot be used with MOVE: MOVE deletes the source files, and a snapshot is read-only',
		);
		expect(await snapshotSupport(path.join(dir, 'missing'))).toEqual({ok: false, reason: `snapshots need ZFS or btrfs, and ${dir}/missing does not exist`});
	});
});

describe('btrfs snapshot (a real loop-mounted btrfs)', () => {
	let volume: BtrfsVolume;
	let subvolume: string;
	beforeAll(() => {
		volume = mountBtrfs();
		subvolume = path.join(volume.mountPoint, 'vol');
		execFileSync('btrfs', ['subvolume', 'create', subvolume], {stdio: 'ignore'});
		fs.mkdirSync(path.join(subvolume, 'data/sub'), {recursive: true});
		fs.writeFileSync(path.join(subvolume, 'data/a.txt'), 'before');
		fs.writeFileSync(path.join(subvolume, 'data/sub/b.txt'), 'b');
	});
	afterAll(() => volume?.cleanup());

	it('reads a frozen copy of a folder inside a subvolume and removes it afterwards', async () => {
		const target = path.join(subvolume, 'data');
		expect(await snapshotSupport(target)).toEqual({ok: true});
		const snapshot = await createSnapshot({id: 4, direction: 'PUSH', transferMode: 'SYNC', path: target}, 'run1');
		expect(snapshot.sourcePath).toBe(path.join(subvolume, btrfsSnapshotFolder, 'cloudsync-task4-run1', 'data'));
		expect(snapshot.exclude).toEqual([]);
		fs.writeFileSync(path.join(target, 'a.txt'), 'after');
		fs.writeFileSync(path.join(target, 'new.txt'), 'new');
		expect(fs.readFileSync(path.join(snapshot.sourcePath, 'a.txt'), 'utf8')).toBe('before');
		expect(fs.existsSync(path.join(snapshot.sourcePath, 'new.txt'))).toBe(false);
		expect(fs.readFileSync(path.join(snapshot.sourcePath, 'sub/b.txt'), 'utf8')).toBe('b');
		expect(() => fs.writeFileSync(path.join(snapshot.sourcePath, 'x'), 'x')).toThrow(/EROFS|read-only/);
		await snapshot.release();
		expect(fs.existsSync(path.join(subvolume, btrfsSnapshotFolder))).toBe(false);
		expect(execFileSync('btrfs', ['subvolume', 'list', volume.mountPoint], {encoding: 'utf8'})).not.toContain('cloudsync-task4');
	});

	it('keeps its own folder out of the backup when the task is the whole subvolume', async () => {
		const snapshot = await createSnapshot({id: 5, direction: 'PUSH', transferMode: 'COPY', path: subvolume}, 'run2');
		expect(snapshot.sourcePath).toBe(path.join(subvolume, btrfsSnapshotFolder, 'cloudsync-task5-run2'));
		expect(snapshot.exclude).toEqual([`/${btrfsSnapshotFolder}/**`]);
		expect(fs.readFileSync(path.join(snapshot.sourcePath, 'data/sub/b.txt'), 'utf8')).toBe('b');
		await snapshot.release();
		expect(fs.existsSync(path.join(subvolume, btrfsSnapshotFolder))).toBe(false);
	});
});
