/** "1 file", "2 files": a count and its noun (plural with an s unless given). */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
	return `${n} ${n === 1 ? noun : plural}`;
}
