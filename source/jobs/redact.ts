/**
 * Removes secret values from log lines. Built from every secret of a task and
 * its credential; every line a run writes or emits passes through it.
 */
export const redactionMark = '****';

export type Redactor = (line: string) => string;

export function makeRedactor(secrets: Iterable<string | undefined>): Redactor {
	const values = new Set<string>();
	for (const secret of secrets) {
		if (!secret) continue;
		values.add(secret);
		// The same secret as it appears in URLs and JSON.
		values.add(encodeURIComponent(secret));
		values.add(JSON.stringify(secret).slice(1, -1));
	}
	if (values.size === 0) return line => line;
	// Longest first, so a secret that contains another is removed whole.
	const pattern = new RegExp(
		[...values]
			.sort((a, b) => b.length - a.length)
			.map(value => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
			.join('|'),
		'g',
	);
	return line => line.replace(pattern, redactionMark);
}
