/**
 * Remote paths are '/'-separated, relative to the remote's root, with no
 * leading or trailing slash. Listings are ordered byte-wise by the UTF-8
 * encoding of the path, the order S3 returns keys in; JavaScript's `<` on
 * strings compares UTF-16 code units, which differs above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
	if (a === b) return 0;
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) {
		const ca = a.charCodeAt(i);
		const cb = b.charCodeAt(i);
		if (ca === cb) continue;
		// Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort
		// after every BMP character in UTF-8; lift them above 0xE000-0xFFFF.
		const wa = ca >= 0xd800 && ca <= 0xdfff ? ca + 0x2000 : ca >= 0xe000 ? ca - 0x800 : ca;
		const wb = cb >= 0xd800 && cb <= 0xdfff ? cb + 0x2000 : cb >= 0xe000 ? cb - 0x800 : cb;
		return wa < wb ? -1 : 1;
	}
	return a.length - b.length;
}

export function joinPath(...parts: string[]): string {
	return parts
		.flatMap(p => p.split('/'))
		.filter(p => p.length > 0)
		.join('/');
}

export function parentPath(path: string): string {
	const i = path.lastIndexOf('/');
	return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Why a remote name must not become a local file, or undefined when it is safe.
 * A safe name has no empty, '.' or '..' segment, no backslash, no NUL or other
 * control character, and does not start with '/'.
 */
export function unsafeNameReason(path: string): string | undefined {
	if (path.length === 0) return 'the name is empty';
	if (path.startsWith('/')) return 'the name is an absolute path';
	if (path.includes('\\')) return 'the name contains a backslash';
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(path)) return 'the name contains a NUL or control character';
	for (const segment of path.split('/')) {
		if (segment === '' ) return 'the name has an empty path segment';
		if (segment === '.' || segment === '..') return `the name contains a "${segment}" segment`;
		if (Buffer.byteLength(segment) > 255) return 'a path segment is longer than 255 bytes';
	}
	return undefined;
}
