import type { ModelStore } from './store.ts';

/** What `npm run label` asks of a store, once its arguments are parsed. */
export type LabelAction =
  | { kind: 'show'; model: string }
  | { kind: 'set'; model: string; label: string; version: number }
  | { kind: 'remove'; model: string; label: string };

/**
 * Carries out a label action on any store (folder or S3) and returns the lines to print:
 * `show` lists versions and labels, `set` points (or moves) a label, `remove` deletes one.
 * Errors are the store's coded errors (TANDEM_VERSION_NOT_FOUND, TANDEM_LABEL_NOT_FOUND, …).
 *
 * @example
 *   await runLabelAction(openModelStore('artifacts'), { kind: 'set', model: 'credit', label: 'production', version: 3 });
 *   // → ['credit: production → version 3']
 */
export async function runLabelAction(store: ModelStore, action: LabelAction): Promise<string[]> {
  const { model } = action;
  switch (action.kind) {
    case 'show': {
      const versions = await store.listVersions(model);
      const labels = await store.readLabels(model);
      return [
        `${model}: versions ${versions.join(', ') || '(none)'}`,
        ...Object.entries(labels).map(([name, version]) => `  ${name} → ${version}`),
      ];
    }
    case 'remove':
      await store.removeLabel(model, action.label);
      return [`${model}: removed label ${action.label}`];
    case 'set':
      await store.setLabel(model, action.label, action.version);
      return [`${model}: ${action.label} → version ${action.version}`];
  }
}
