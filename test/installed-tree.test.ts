import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { satisfies } from 'semver';
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

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

describe('locked packages', () => {
  // npm ci warns EBADENGINE for any of them that does not declare the Node it runs on: this
  // machine's, and the oldest of each line that package.json's engines admits.
  it.each([process.versions.node, '20.19.0', '22.13.0', '24.0.0'])('all run on Node %s', (node) => {
    const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
    const packages = lock.packages as Record<string, LockedPackage>;
    const refusing = Object.entries(packages)
      .filter(([path]) => path !== '')
      .filter(([, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range !== undefined && !satisfies(node, range);
      })
      .map(([path, entry]) => `${path}@${entry.version}`);
    expect(refusing).toEqual([]);
  });
});
