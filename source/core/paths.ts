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
	if (path.charCodeAt(0) === 0x2f) return 'the name is an absolute path';
	// One pass (this runs for every listed file); the reasons keep their order:
	// backslash, then control characters, then the first bad segment.
	let backslash = false;
	let control = false;
	let segment: string | undefined;
	let start = 0;
	for (let i = 0; i <= path.length; i++) {
		const c = i < path.length ? path.charCodeAt(i) : 0x2f;
		if (c === 0x2f) {
			segment ??= segmentReason(path, start, i);
			start = i + 1;
		} else if (c === 0x5c) backslash = true;
		else if (c < 0x20 || c === 0x7f) control = true;
	}
	if (backslash) return 'the name contains a backslash';
	if (control) return 'the name contains a NUL or control character';
	return segment;
}

function segmentReason(path: string, start: number, end: number): string | undefined {
	const length = end - start;
	if (length === 0) return 'the name has an empty path segment';
	if (length <= 2 && path.charCodeAt(start) === 0x2e && (length === 1 || path.charCodeAt(start + 1) === 0x2e)) {
		return `the name contains a "${path.slice(start, end)}" segment`;
	}
	// A UTF-16 code unit takes at most 3 bytes of UTF-8, so only a longer segment can pass 255.
	if (length > 85 && Buffer.byteLength(path.slice(start, end)) > 255) return 'a path segment is longer than 255 bytes';
	return undefined;
}
