import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout's two rules (apps import packages, never another app; packages never import apps)
 * and the diagram in docs/architecture.md, both against what the sources import: the diagram is
 * the first thing a newcomer reads, so it must not drift from the code.
 */

const root = join(import.meta.dirname, '..');

interface Workspace {
  dir: string;
  name: string;
  kind: 'packages' | 'apps';
}

function workspaces(): Workspace[] {
  return (['packages', 'apps'] as const).flatMap((kind) =>
    readdirSync(join(root, kind))
      .filter((entry) =>
        statSync(join(root, kind, entry, 'package.json'), { throwIfNoEntry: false }),
      )
      .map((entry) => {
        const manifest = JSON.parse(
          readFileSync(join(root, kind, entry, 'package.json'), 'utf8'),
        ) as { name: string };
        return { dir: `${kind}/${entry}`, name: manifest.name, kind };
      }),
  );
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** The Tandem packages a workspace's src/ imports (static, type-only and re-exports alike). */
function importsOf(workspace: Workspace): Set<string> {
  const names = new Set<string>();
  const src = join(root, workspace.dir, 'src');
  if (!statSync(src, { throwIfNoEntry: false })) return names;
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(@tandem\/[a-z0-9-]+)/g)) {
      if (m[1] !== workspace.name) names.add(m[1] as string);
    }
  }
  return names;
}

/** The diagram's edges as "from -> to" workspace folders. */
function diagramEdges(page: string, all: Workspace[]): string[] {
  const block = /```mermaid\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
  const folderOf = new Map<string, string>();
  for (const m of block.matchAll(/^\s*([a-z]+)\["([^"<]+)/gm)) {
    const label = (m[2] as string).trim();
    const workspace = all.find((w) => w.name === label || w.dir === label);
    if (workspace !== undefined) folderOf.set(m[1] as string, workspace.dir);
  }
  const edges: string[] = [];
  for (const m of block.matchAll(/^\s*([a-z]+)\s*-->\s*(.+)$/gm)) {
    for (const to of (m[2] as string).split('&')) {
      edges.push(`${folderOf.get(m[1] as string)} -> ${folderOf.get(to.trim())}`);
    }
  }
  return edges.sort();
}

describe('the layout', () => {
  const all = workspaces();
  const byName = new Map(all.map((w) => [w.name, w]));

  it('finds the workspaces', () => {
    expect(all.filter((w) => w.kind === 'packages').length).toBeGreaterThanOrEqual(5);
    expect(all.map((w) => w.dir)).toContain('apps/server');
  });

  it('apps import packages, never another app; packages never import apps', () => {
    const wrong = all.flatMap((w) =>
      [...importsOf(w)]
        .filter((name) => byName.get(name)?.kind === 'apps')
        .map((name) => `${w.dir} imports ${name}`),
    );
    expect(wrong).toEqual([]);
  });

  it('no package.json lists an app among its dependencies', () => {
    const wrong = all.flatMap((w) => {
      const manifest = JSON.parse(readFileSync(join(root, w.dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
        .filter((name) => byName.get(name)?.kind === 'apps')
        .map((name) => `${w.dir} depends on ${name}`);
    });
    expect(wrong).toEqual([]);
  });

  it("docs/architecture.md's diagram has exactly the imports of every src/", () => {
    const page = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
    const actual = all
      .flatMap((w) =>
        [...importsOf(w)]
          .filter((name) => byName.has(name))
          .map((name) => `${w.dir} -> ${byName.get(name)?.dir}`),
      )
      .sort();
    expect(actual.length).toBeGreaterThan(10);
    // A new import needs its arrow in the Mermaid block of docs/architecture.md (and back).
    expect(diagramEdges(page, all), 'the arrows of docs/architecture.md').toEqual(actual);
  });
});
