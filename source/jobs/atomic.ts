import {randomBytes} from 'node:crypto';
import fs from 'node:fs';

/** Writes `file` through a temp file and a rename, so readers see the old or the new content, never half. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
	const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
	try {
		fs.writeFileSync(temp, content, {mode: 0o600});
		fs.renameSync(temp, file);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		throw error;
	}
}
