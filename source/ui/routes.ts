import type {TaskInput} from '../core/model.js';

export type Route =
	| {name: 'tasks'; selectTaskId?: number}
	| {name: 'credentials'; selectName?: string}
	| {name: 'credential-form'; editName?: string}
	| {name: 'task-form'; taskId?: number; initial?: Partial<TaskInput>}
	| {name: 'logs'; taskId?: number};
