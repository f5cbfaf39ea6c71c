/** Stores with tasks for the TUI tests, screenshots and benchmarks. */
import {presetSchedule} from '../../source/core/schedule.js';
import type {Task} from '../../source/core/model.js';
import type {Store} from '../../source/store/store.js';

/** Adds `count` tasks in one write (addTask one by one takes the lock each time). */
export async function seedTasks(store: Store, count: number, credential: string, base: {path: string; folder?: string} = {path: '/srv/data'}): Promise<void> {
	const now = new Date().toISOString();
	const kinds = ['Photos', 'Documents', 'Mail archive', 'Database dumps', 'Web root', 'Home folders', 'Music', 'Projects'];
	await store.update(data => {
		for (let i = 0; i < count; i++) {
			const id = data.nextTaskId++;
			const task: Task = {
				id,
				description: `${kinds[i % kinds.length]} ${Math.floor(i / kinds.length) + 1}`,
				credential,
				direction: i % 4 === 3 ? 'PULL' : 'PUSH',
				transferMode: (['SYNC', 'COPY', 'SYNC', 'MOVE'] as const)[i % 4]!,
				path: `${base.path}/${id}`,
				bucket: '',
				folder: `${base.folder ?? 'backup'}/${id}`,
				schedule: presetSchedule((['daily', 'hourly', 'weekly', 'monthly'] as const)[i % 4]),
				enabled: i % 7 !== 6,
				preScript: '',
				postScript: '',
				scriptTimeoutSec: 3600,
				encryption: false,
				filenameEncryption: true,
				filenameEncoding: 'base32',
				directoryNameEncryption: true,
				encryptionPassword: '',
				encryptionSalt: '',
				snapshot: false,
				exclude: [],
				include: [],
				transfers: 4,
				bwlimit: '',
				followSymlinks: false,
				createEmptySrcDirs: false,
				attributes: {},
				createdAt: now,
			};
			data.tasks.push(task);
		}
	});
}
