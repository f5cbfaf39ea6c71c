/**
 * Which file system holds a path: the longest mount point in
 * /proc/self/mountinfo that contains it (the later of two equal ones, as a
 * mount on top hides the one below).
 */
import fs from 'node:fs';
import path from 'node:path';

export type Mount = {mountPoint: string; fsType: string; source: string; root: string};

/** Mount points escape space, tab, newline and backslash as \ooo. */
function unescapeMountField(field: string): string {
	return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountInfo(text: string): Mount[] {
	const mounts: Mount[] = [];
	for (const line of text.split('\n')) {
		if (line.trim() === '') continue;
		const separator = line.indexOf(' - ');
		if (separator < 0) continue;
		const before = line.slice(0, separator).split(' ');
		const after = line.slice(separator + 3).split(' ');
		if (before.length < 5 || after.length < 2) continue;
		mounts.push({
			root: unescapeMountField(before[3]!),
			mountPoint: unescapeMountField(before[4]!),
			fsType: after[0]!,
			source: unescapeMountField(after[1]!),
		});
	}
	return mounts;
}

function contains(mountPoint: string, target: string): boolean {
	if (mountPoint === '/') return true;
	return target === mountPoint || target.startsWith(mountPoint + '/');
}

export function mountOf(target: string, mounts: Mount[]): Mount | undefined {
	let best: Mount | undefined;
	for (const mount of mounts) {
		if (!contains(mount.mountPoint, target)) continue;
		if (!best || mount.mountPoint.length >= best.mountPoint.length) best = mount;
	}
	return best;
}

/** The mount holding `target` (resolved through symlinks), or undefined where /proc is missing. */
export function findMount(target: string): Mount | undefined {
	let text: string;
	try {
		text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
	} catch {
		return undefined;
	}
	return mountOf(fs.realpathSync(path.resolve(target)), parseMountInfo(text));
}
