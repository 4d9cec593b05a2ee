import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface NpmTreeNode {
  version?: string;
  dependencies?: Record<string, NpmTreeNode>;
}

function collectVersions(node: NpmTreeNode, name: string, found: Set<string>): void {
  for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
    if (dependency === name && child.version) found.add(child.version);
    collectVersions(child, name, found);
  }
}

describe('installed dependency tree', () => {
  it('holds exactly one version of @tensorflow/tfjs-core', () => {
    const output = execFileSync('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const versions = new Set<string>();
    collectVersions(JSON.parse(output) as NpmTreeNode, '@tensorflow/tfjs-core', versions);
    expect([...versions]).toEqual(['4.22.0']);
  });
});
