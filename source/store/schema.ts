import {z} from 'zod';
import {credentialSchema, taskSchema} from '../core/schemas.js';
import {currentVersion} from './db-version.js';

/** The shape of db.json. Secret values inside it are sealed strings ("enc:v1:..."). */
export const dbSchema = z.object({
	version: z.literal(currentVersion),
	nextTaskId: z.number().int().positive(),
	credentials: z.array(credentialSchema),
	tasks: z.array(taskSchema),
	settings: z
		.object({
			timeZone: z.string().optional(),
			runsKept: z.number().int().min(1).max(10_000).optional(),
		})
		.default({}),
});
export type DbData = z.infer<typeof dbSchema>;

/** "tasks[0].direction: Invalid option ..." for the first schema problem. */
export function describeSchemaError(error: z.ZodError): string {
	const issue = error.issues[0];
	if (!issue) return 'the data does not match the expected shape';
	const where = issue.path
		.map((p, index) => (typeof p === 'number' ? `[${p}]` : index === 0 ? String(p) : `.${String(p)}`))
		.join('');
	return `${where || 'the top level'}: ${issue.message}`;
}
