/**
 * Recognises a plain `cloudsync [--json] task run ID [--dry-run] [--json]`
 * so the entry can start the run without commander and the other command
 * modules (loading them was a tenth of a no-op run's time). Anything else,
 * help and mistakes included, goes through commander as before.
 */
export type TaskRunArgs = {taskId: number; dryRun: boolean; json: boolean};

const plainId = /^[1-9][0-9]{0,14}$/;

export function taskRunArgv(argv: readonly string[]): TaskRunArgs | undefined {
	// Commander takes the global --json anywhere on the line.
	const rest = argv.filter(arg => arg !== '--json');
	if (rest[0] !== 'task' || rest[1] !== 'run') return undefined;
	const tail = rest.slice(2);
	const ids = tail.filter(arg => arg !== '--dry-run');
	if (ids.length !== 1 || !plainId.test(ids[0]!)) return undefined;
	return {taskId: Number(ids[0]), dryRun: tail.includes('--dry-run'), json: rest.length !== argv.length};
}
