import {z} from 'zod';
import {runRecordSchema} from '../core/schemas.js';

/**
 * A run's record file: the public RunRecord and what the runner keeps
 * besides. The type of every record; history.ts reads files with
 * parseRunFile (run-file.ts), which a test holds to this schema.
 */
export const runFileSchema = runRecordSchema.extend({
	/** Start time of `pid` (clock ticks since boot) so a reused pid is not taken for the run. */
	pidStartTicks: z.number().optional(),
	description: z.string().optional(),
	unsaved: z.boolean().optional(),
	filesUpdated: z.number().int().optional(),
	filesSkipped: z.number().int().optional(),
	/** The first few per-file errors. */
	errorList: z.array(z.object({path: z.string(), message: z.string()})).optional(),
});
export type RunFile = z.infer<typeof runFileSchema>;
