import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type BtrfsVolume = {mountPoint: string; cleanup(): void};

/**
 * A real btrfs file system on a loop-mounted image file. Needs root and
 * btrfs-progs; fails with a clear message when either is missing.
 */
export function mountBtrfs(): BtrfsVolume {
	if (process.getuid?.() !== 0) throw new Error('the btrfs snapshot tests need root (to mount a loop device)');
	try {
		execFileSync('mkfs.btrfs', ['--version'], {stdio: 'ignore'});
	} catch {
		throw new Error('mkfs.btrfs is missing: install btrfs-progs (apt-get install btrfs-progs) to run the snapshot tests');
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudsync-btrfs-'));
	const image = path.join(dir, 'fs.img');
	const mountPoint = path.join(dir, 'mnt');
	fs.mkdirSync(mountPoint);
	fs.writeFileSync(image, '');
	fs.truncateSync(image, 160 * 1024 * 1024);
	execFileSync('mkfs.btrfs', ['-q', image], {stdio: 'ignore'});
	execFileSync('mount', ['-o', 'loop', image, mountPoint]);
	return {
		mountPoint,
		cleanup() {
			try {
				execFileSync('umount', [mountPoint]);
			} finally {
				fs.rmSync(dir, {recursive: true, force: true});
			}
		},
	};
}
