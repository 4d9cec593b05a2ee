import { readFileSync } from 'node:fs';
import { CLI_ERRORS } from '@tandem/cli';
import { EXPORTER_ERRORS } from '@tandem/exporter';
import { FEATURES_ERRORS } from '@tandem/features';
import { STORE_ERRORS } from '@tandem/model-store';
import { MONITORING_ERRORS } from '@tandem/monitoring';
import { ONNX_ERRORS } from '@tandem/onnx';
import { RUNTIME_ERRORS } from '@tandem/runtime';
import { SCORER_ERRORS } from '@tandem/scorer';
import { ConfigError, ERROR_TABLE } from '@tandem/server';
import { SOURCE_ERRORS } from '@tandem/sources';
import { TABULAR_ERRORS } from '@tandem/tabular';
import { TRAINER_ERRORS } from '@tandem/trainer';
import { describe, expect, it } from 'vitest';

/**
 * docs/errors.md against every package's table of codes, in both directions: a code raised
 * anywhere is documented, a documented code is raised somewhere, and the server's statuses are
 * the ones the page gives.
 */

const TABLES: Record<string, Readonly<Record<string, unknown>>> = {
  '@tandem/cli': CLI_ERRORS,
  '@tandem/tabular': TABULAR_ERRORS,
  '@tandem/features': FEATURES_ERRORS,
  '@tandem/model-store': STORE_ERRORS,
  '@tandem/runtime': RUNTIME_ERRORS,
  '@tandem/onnx': ONNX_ERRORS,
  '@tandem/monitoring': MONITORING_ERRORS,
  '@tandem/sources': SOURCE_ERRORS,
  'apps/trainer': TRAINER_ERRORS,
  'apps/scorer': SCORER_ERRORS,
  'apps/exporter': EXPORTER_ERRORS,
  'apps/server': ERROR_TABLE,
  'apps/server config': { [new ConfigError(['x']).code]: 'invalid server option' },
};

const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = [...page.matchAll(/^\| `(TANDEM_[A-Z0-9_]+)` \| (\d{3}|-) \| (.+?) \| (.+?) \|$/gm)];
const documented = new Map(rows.map((m) => [m[1] as string, m[2] as string]));

describe('docs/errors.md', () => {
  it('lists each code once, with a meaning and what to do', () => {
    const codes = rows.map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(40);
    expect(new Set(codes).size).toBe(codes.length);
    for (const m of rows) {
      expect(m[3]?.trim().length, m[1]).toBeGreaterThan(5);
      expect(m[4]?.trim().length, m[1]).toBeGreaterThan(5);
    }
  });

  it('documents every code of every package table', () => {
    const missing = Object.entries(TABLES).flatMap(([owner, table]) =>
      Object.keys(table)
        .filter((code) => !documented.has(code))
        .map((code) => `${owner}: ${code}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents no code that no table holds', () => {
    const raised = new Set(Object.values(TABLES).flatMap((table) => Object.keys(table)));
    expect([...documented.keys()].filter((code) => !raised.has(code))).toEqual([]);
  });

  it("gives the server's HTTP status for each code the server answers with", () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      expect(`${code} ${documented.get(code)}`).toBe(`${code} ${entry.status}`);
    }
  });

  it('names every code TANDEM_<SUBJECT>_<PROBLEM>', () => {
    for (const code of documented.keys()) expect(code).toMatch(/^TANDEM_[A-Z0-9]+(_[A-Z0-9]+)+$/);
  });
});
