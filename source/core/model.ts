/**
 * The model's types (from the schemas in schemas.ts, as types only) and value
 * lists. Importing this loads no validation code.
 */
import type {z} from 'zod';
import type {credentialSchema, runRecordSchema, scheduleSchema, taskSchema} from './schemas.js';

export {directions, filenameEncodings, providerIds, runStates, runTriggers, schedulePresets, taskSecretFields, transferModes} from './model-values.js';
export type {Direction, RunState, SchedulePreset, TransferMode} from './model-values.js';

export type Credential = z.infer<typeof credentialSchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type Task = z.infer<typeof taskSchema>;
export type TaskInput = z.input<typeof taskSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
