import { labelNotFound } from './resolve.ts';

/**
 * A change to a model's labels (label → version), the same in every store; each store supplies
 * the atomic read-modify-write around it (a lock and a rename, a conditional put).
 */
export type LabelsEdit = (labels: Record<string, number>) => void;

/** Points `label` at `version`, creating or moving it. */
export function pointLabel(label: string, version: number): LabelsEdit {
  return (labels) => {
    labels[label] = version;
  };
}

/** Removes `label` from model `name`'s labels; TANDEM_LABEL_NOT_FOUND when it is not set. */
export function dropLabel(name: string, label: string): LabelsEdit {
  return (labels) => {
    if (!(label in labels)) throw labelNotFound(name, label);
    delete labels[label];
  };
}
