/**
 * The fixed value lists of the model, without zod: modules that only need
 * these (the CLI's flag definitions) do not load the schemas at start-up.
 */
export const providerIds = ['local', 's3', 'dropbox'] as const;
export const directions = ['PUSH', 'PULL'] as const;
export const transferModes = ['SYNC', 'COPY', 'MOVE'] as const;
export const filenameEncodings = ['base32', 'base64', 'base32768'] as const;
/** Task fields that are secrets: encrypted at rest, never logged. */
export const taskSecretFields = ['encryptionPassword', 'encryptionSalt'] as const;
export const runStates = ['QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'ABORTED', 'SKIPPED'] as const;
export const runTriggers = ['manual', 'schedule', 'cli', 'daemon'] as const;
export const schedulePresets = ['hourly', 'daily', 'weekly', 'monthly', 'custom'] as const;
export type SchedulePreset = (typeof schedulePresets)[number];
export type RunState = (typeof runStates)[number];
export type Direction = (typeof directions)[number];
export type TransferMode = (typeof transferModes)[number];
