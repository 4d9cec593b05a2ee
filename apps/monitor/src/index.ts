export { type ModelRef, parseModelRef } from '@tandem/cli';
export type { DriftFileOptions, DriftFileResult } from './drift-file.ts';
export { driftOfFile } from './drift-file.ts';
export { driftTable } from './drift-table.ts';
