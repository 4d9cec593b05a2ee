import { readFile } from 'node:fs/promises';
import { StoreError } from './errors.ts';

/** A label name: lower-case letters, digits, '_' and '-' ("production", "staging", "canary-2"). */
export const LABEL_NAME = /^[a-z0-9_-]+$/;

export function checkLabelName(label: string, model: string): void {
  if (typeof label !== 'string' || !LABEL_NAME.test(label)) {
    throw new StoreError(
      'TANDEM_LABEL_INVALID',
      `label ${JSON.stringify(label)} of model ${model} must match ${LABEL_NAME}`,
      { model, label },
    );
  }
}

/** Reads labels.json ({ "production": 3 }); an absent file means no labels. */
export async function readLabelsFile(path: string, model: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseLabels(text, path, model);
}

/** Parses labels.json text; `where` names the file in messages (a path or an s3:// URI). */
export function parseLabels(text: string, where: string, model: string): Record<string, number> {
  const corrupt = (why: string) =>
    new StoreError('TANDEM_LABELS_CORRUPT', `${where}: ${why}`, { model, file: 'labels.json' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt('expected an object of label → version');
  }
  const labels: Record<string, number> = {};
  for (const [label, version] of Object.entries(value)) {
    if (!LABEL_NAME.test(label)) throw corrupt(`invalid label name ${JSON.stringify(label)}`);
    if (!Number.isSafeInteger(version) || (version as number) < 0) {
      throw corrupt(`label ${label} must map to a version number, got ${JSON.stringify(version)}`);
    }
    labels[label] = version as number;
  }
  return labels;
}

/** Stable bytes for labels.json: labels sorted by name, one per line. */
export function encodeLabels(labels: Record<string, number>): Uint8Array {
  const sorted: Record<string, number> = {};
  for (const label of Object.keys(labels).sort()) sorted[label] = labels[label] as number;
  return new TextEncoder().encode(`${JSON.stringify(sorted, null, 2)}\n`);
}
