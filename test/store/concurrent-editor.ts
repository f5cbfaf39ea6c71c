// Run by store.test.ts in two real processes at once: each adds N tasks, one store edit per task.
import {Store} from '../../source/store/store.js';

const [dir, label, countText] = process.argv.slice(2);
const store = await Store.open(dir!);
for (let i = 0; i < Number(countText); i++) {
	await store.addTask({
		description: `${label}-${i}`,
		credential: 'disk',
		direction: 'PUSH',
		transferMode: 'COPY',
		path: '/tmp',
		schedule: {preset: 'daily', minute: '0', hour: '0', dom: '*', month: '*', dow: '*'},
		enabled: true,
	});
}
