/**
 * A temporary read-only snapshot of a PUSH task's folder, so the backup sees
 * one consistent moment: on ZFS a dataset snapshot read through
 * `<mountpoint>/.zfs/snapshot/<name>/`, on btrfs a read-only snapshot of the
 * subvolume holding the folder. Other file systems have none, and PULL and
 * MOVE runs are refused (a snapshot is read-only, so neither could work).
 */
import fs from 'node:fs';
import path from 'node:path';
import {CloudSyncError} from '../core/errors.js';
import type {Task} from '../core/model.js';
import {findMount, type Mount} from './mounts.js';

export type SnapshotSupport = {ok: true} | {ok: false; reason: string};

/** The folder btrfs snapshots go in, inside the subvolume they are taken of. */
export const btrfsSnapshotFolder = '.cloudsync-snapshots';
const btrfsSubvolumeRootInode = 256;
const commandTimeoutMs = 120_000;

async function commandExists(name: string): Promise<boolean> {
	for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
		try {
			fs.accessSync(path.join(dir, name), fs.constants.X_OK);
			return true;
		} catch {
			// next
		}
	}
	return false;
}

function mountFor(target: string): Mount | {error: string} {
	try {
		const stats = fs.statSync(target);
		if (!stats.isDirectory()) return {error: `${target} is not a folder`};
	} catch {
		return {error: `${target} does not exist`};
	}
	const mount = findMount(target);
	if (!mount) return {error: `the file system of ${target} cannot be determined (no /proc/self/mountinfo)`};
	return mount;
}

/** Whether a snapshot can be taken of `target`; the reason when not. */
export async function snapshotSupport(target: string): Promise<SnapshotSupport> {
	const mount = mountFor(target);
	if ('error' in mount) return {ok: false, reason: `snapshots need ZFS or btrfs, and ${mount.error}`};
	if (mount.fsType === 'zfs') {
		return (await commandExists('zfs')) ? {ok: true} : {ok: false, reason: `${target} is on ZFS but the zfs command is not installed`};
	}
	if (mount.fsType === 'btrfs') {
		return (await commandExists('btrfs')) ? {ok: true} : {ok: false, reason: `${target} is on btrfs but the btrfs command is not installed (install btrfs-progs)`};
	}
	return {ok: false, reason: `snapshots need ZFS or btrfs; ${target} is on ${mount.fsType}`};
}

/** Why `task` cannot use a snapshot, or undefined when it can (for forms and the CLI). */
export async function snapshotRefusal(task: Pick<Task, 'direction' | 'transferMode' | 'path'>): Promise<string | undefined> {
	if (task.direction === 'PULL') return 'a snapshot is only for PUSH tasks: a PULL writes into the folder';
	if (task.transferMode === 'MOVE') return 'a snapshot cannot be used with MOVE: MOVE deletes the source files, and a snapshot is read-only';
	const support = await snapshotSupport(task.path);
	return support.ok ? undefined : support.reason;
}

export type Snapshot = {
	/** The folder to read instead of the task's path. */
	sourcePath: string;
	/** Filter rules that keep the snapshot machinery out of the backup. */
	exclude: string[];
	/** Shown in the log. */
	description: string;
	release(): Promise<void>;
};

async function run(command: string, args: string[]): Promise<void> {
	const {execa} = await import('execa');
	const result = await execa(command, args, {reject: false, timeout: commandTimeoutMs, stdin: 'ignore', all: true});
	if (result.exitCode !== 0) {
		const output = String(result.all ?? '').trim().split('\n')[0] ?? '';
		throw new CloudSyncError('permanent', `\`${command} ${args.join(' ')}\` failed${output ? `: ${output}` : ` (exit status ${result.exitCode ?? result.signal})`}`);
	}
}

function btrfsSubvolumeRoot(realTarget: string, mountPoint: string): string {
	let dir = realTarget;
	for (;;) {
		if (fs.statSync(dir).ino === btrfsSubvolumeRootInode) return dir;
		if (dir === mountPoint || dir === path.dirname(dir)) return dir;
		dir = path.dirname(dir);
	}
}

/** Takes the snapshot for a run; throws a CloudSyncError saying why when it cannot. */
export async function createSnapshot(task: Pick<Task, 'id' | 'direction' | 'transferMode' | 'path'>, runId: string): Promise<Snapshot> {
	const refusal = await snapshotRefusal(task);
	if (refusal) throw new CloudSyncError('permanent', `cannot take a snapshot: ${refusal}`);
	const realTarget = fs.realpathSync(task.path);
	const mount = findMount(realTarget)!;
	const name = `cloudsync-task${task.id}-${runId}`;
	if (mount.fsType === 'zfs') {
		const dataset = mount.source;
		await run('zfs', ['snapshot', `${dataset}@${name}`]);
		const relative = path.relative(mount.mountPoint, realTarget);
		return {
			sourcePath: path.join(mount.mountPoint, '.zfs', 'snapshot', name, relative),
			exclude: [],
			description: `ZFS snapshot ${dataset}@${name}`,
			release: () => run('zfs', ['destroy', `${dataset}@${name}`]),
		};
	}
	const subvolume = btrfsSubvolumeRoot(realTarget, mount.mountPoint);
	const folder = path.join(subvolume, btrfsSnapshotFolder);
	fs.mkdirSync(folder, {recursive: true, mode: 0o700});
	const snapshotPath = path.join(folder, name);
	try {
		await run('btrfs', ['subvolume', 'snapshot', '-r', subvolume, snapshotPath]);
	} catch (error) {
		removeIfEmpty(folder);
		throw error;
	}
	const relative = path.relative(subvolume, realTarget);
	return {
		sourcePath: path.join(snapshotPath, relative),
		// Inside the snapshot the snapshot folder shows up as an empty folder.
		exclude: relative === '' ? [`/${btrfsSnapshotFolder}/**`] : [],
		description: `btrfs snapshot ${snapshotPath}`,
		async release() {
			await run('btrfs', ['subvolume', 'delete', snapshotPath]);
			removeIfEmpty(folder);
		},
	};
}

function removeIfEmpty(dir: string): void {
	try {
		fs.rmdirSync(dir);
	} catch {
		// not empty (another run's snapshot) or already gone
	}
}
