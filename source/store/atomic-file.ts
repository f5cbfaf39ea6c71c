import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` with `content` so that a reader sees either the old or the
 * new content, never a mix, and a crash leaves one of the two on disk.
 */
export async function writeFileAtomic(file: string, content: string | Buffer, mode = 0o600): Promise<void> {
	const dir = path.dirname(file);
	const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
	const handle = await fs.open(temp, 'wx', mode);
	try {
		await handle.writeFile(content);
		await handle.sync();
	} catch (error) {
		await handle.close();
		await fs.rm(temp, {force: true});
		throw error;
	}
	await handle.close();
	try {
		await fs.rename(temp, file);
	} catch (error) {
		await fs.rm(temp, {force: true});
		throw error;
	}
	const dirHandle = await fs.open(dir, 'r');
	try {
		await dirHandle.sync();
	} finally {
		await dirHandle.close();
	}
}
