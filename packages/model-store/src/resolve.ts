import { StoreError } from './errors.ts';
import { checkLabelName } from './labels.ts';
import type { VersionSelector } from './store.ts';

/**
 * The version a selector names, given a model's versions and labels. `{ version }` must exist;
 * `{ label }` must be set and point at an existing version; `{}` is the `production` label when
 * set, else the highest version.
 */
export function resolveSelector(
  name: string,
  selector: VersionSelector,
  versions: readonly number[],
  labels: Readonly<Record<string, number>>,
): number {
  const { version, label } = selector;
  if (version !== undefined) {
    if (!versions.includes(version)) throw versionNotFound(name, version);
    return version;
  }
  if (label !== undefined) {
    checkLabelName(label, name);
    const target = labels[label];
    if (target === undefined) throw labelNotFound(name, label);
    if (!versions.includes(target)) throw versionNotFound(name, target, label);
    return target;
  }
  const production = labels['production'];
  if (production !== undefined) {
    // A production label pointing nowhere is an error, not a reason to serve something else.
    if (!versions.includes(production)) throw versionNotFound(name, production, 'production');
    return production;
  }
  const highest = versions.at(-1);
  if (highest === undefined) {
    throw new StoreError('TANDEM_VERSION_NOT_FOUND', `model ${name} has no versions`, {
      model: name,
    });
  }
  return highest;
}

/** Both a version and a label: refused before any read. */
export function checkSelector(name: string, selector: VersionSelector): void {
  const { version, label } = selector;
  if (version !== undefined && label !== undefined) {
    throw new StoreError(
      'TANDEM_SELECTOR_INVALID',
      `model ${name}: give a version or a label, not both (version ${version}, label ${label})`,
      { model: name, version, label },
    );
  }
}

export function versionNotFound(name: string, version: number, label?: string): StoreError {
  const message =
    label === undefined
      ? `model ${name} has no version ${version}`
      : `label ${label} of model ${name} points to version ${version}, which does not exist`;
  return new StoreError('TANDEM_VERSION_NOT_FOUND', message, {
    model: name,
    version,
    ...(label === undefined ? {} : { label }),
  });
}

export function labelNotFound(name: string, label: string): StoreError {
  return new StoreError('TANDEM_LABEL_NOT_FOUND', `model ${name} has no label ${label}`, {
    model: name,
    label,
  });
}
