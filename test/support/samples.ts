/**
 * Deterministic pseudo-random strings for tests that compare our code with a
 * library's: `count` strings of 0 to `maxLength - 1` items drawn from `pool`,
 * the same on every run for the same seed.
 */
export function* seededSamples(pool: readonly string[], seed: number, maxLength: number, count = 3000): Generator<string> {
	const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
	for (let i = 0; i < count; i++) {
		let text = '';
		for (let j = next() % maxLength; j > 0; j--) text += pool[next() % pool.length];
		yield text;
	}
}
