/**
 * Is a process still the one we recorded? A pid alone can be reused after a
 * crash, so records and locks also keep the process's start time (Linux
 * /proc/<pid>/stat field 22); elsewhere only the pid is checked.
 */
import fs from 'node:fs';

type ProcStat = {state: string; startTicks: number};

function readProcStat(pid: number): ProcStat | undefined {
	let text: string;
	try {
		text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	// The command name (field 2) is in parentheses and may contain spaces or ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	const startTicks = Number(fields[19]);
	return {state: fields[0] ?? '', startTicks: Number.isFinite(startTicks) ? startTicks : -1};
}

/** The start time of `pid` in clock ticks since boot, or undefined where /proc has none. */
export function processStartTicks(pid: number): number | undefined {
	return readProcStat(pid)?.startTicks;
}

/** True while `pid` runs and (when `startTicks` is known) is the same process; zombies count as ended. */
export function processAlive(pid: number, startTicks?: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
	}
	const stat = readProcStat(pid);
	if (!stat) return !fs.existsSync('/proc/self/stat');
	if (stat.state === 'Z' || stat.state === 'X') return false;
	return startTicks === undefined || stat.startTicks === startTicks;
}

/** Sends `signal` to a process group, ignoring one that is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
}

export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(pid, signal);
		return true;
	} catch {
		return false;
	}
}
