import { execFileSync, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertRules } from '../src/index.ts';
import { useTempFolder } from './data.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('alertRules', () => {
  const dir = useTempFolder('tandem-alerts-');

  it('writes feature, dataset and output drift, accuracy drop, log dropping and no-traffic rules', () => {
    const text = alertRules({ model: 'credit', task: 'binary', test: { accuracy: 0.8 } });
    const doc = parse(text) as {
      groups: { name: string; rules: { alert: string; expr: string }[] }[];
    };
    const rules = doc.groups[0]?.rules ?? [];
    expect(rules.map((r) => r.alert)).toEqual([
      'TandemFeatureDrift',
      'TandemDatasetDrift',
      'TandemOutputDrift',
      'TandemAccuracyDrop',
      'TandemPredictionLogDropping',
      'TandemDriftRowsDropped',
      'TandemNoTraffic',
    ]);
    expect(rules[3]?.expr).toContain('< 0.75');
    expect(rules[0]?.expr).toContain('tandem_feature_drift_detected{model="credit"}');
  });

  it('regressors get an RMSE rule instead of accuracy; a quote in a name cannot break the YAML', () => {
    const text = alertRules({ model: 'ca"rs', task: 'regression', test: { rmse: 2.5 } });
    const doc = parse(text) as {
      groups: {
        name: string;
        rules: { alert: string; expr: string; labels: { model: string } }[];
      }[];
    };
    const rules = doc.groups[0]?.rules ?? [];
    expect(rules.map((r) => r.alert)).toContain('TandemErrorRise');
    expect(rules.find((r) => r.alert === 'TandemErrorRise')?.expr).toContain('> 3');
    expect(rules[0]?.labels.model).toBe('ca"rs');
  });

  it.skipIf(!promtool)('passes promtool check rules', async () => {
    for (const [name, options] of [
      ['credit', { model: 'credit', task: 'binary' as const, test: { accuracy: 0.79 } }],
      ['cars', { model: 'cars', task: 'regression' as const, test: { rmse: 3.1 } }],
    ] as const) {
      const file = join(dir(), `${name}.rules.yml`);
      await writeFile(file, alertRules(options));
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    }
  });
});
