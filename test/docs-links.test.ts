import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documentation points only at what the repository holds: every relative markdown link in
 * README.md, docs/*.md and each package's or app's README resolves to a file or folder in the
 * repository (and a `#fragment` into a markdown file to one of its headings), and every path
 * written in backticks that starts at a top-level folder (`apps/server/src/dataplane.ts`) or at
 * the README's own `src/` or `test/` exists.
 */

const root = resolve(import.meta.dirname, '..');

function markdownFiles(): string[] {
  const files = ['README.md'];
  for (const name of readdirSync(join(root, 'docs'))) {
    if (name.endsWith('.md')) files.push(`docs/${name}`);
  }
  for (const area of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, area))) {
      if (existsSync(join(root, area, name, 'README.md'))) files.push(`${area}/${name}/README.md`);
    }
  }
  return files;
}

/** The text outside fenced code blocks, line by line (links in code are examples, not links). */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) lines.push({ line: i + 1, text: line });
  });
  return lines;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats -1, -2. */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Problem {
  file: string;
  line: number;
  target: string;
  why: string;
}

const TOP_LEVEL = new Set(
  readdirSync(root).filter((name) => name !== 'node_modules' && !name.startsWith('.git')),
);
/** Folders a README may name relative to itself. */
const LOCAL = new Set(['src', 'test', 'bench', 'testing', 'schema', 'scripts']);

function inRepository(path: string): boolean {
  const rel = relative(root, path);
  return (
    rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes('node_modules'))
  );
}

/** Broken links and paths of one markdown text; `file` is its path relative to the root. */
function checkMarkdown(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const folder = dirname(join(root, file));
  const anchorsOf = (path: string) => headingAnchors(readFileSync(path, 'utf8'));
  for (const { line, text: prose } of proseLines(text)) {
    // Inline links and images `[text](target "title")`, and reference definitions `[x]: target`.
    const withoutCode = prose.replace(/`[^`]*`/g, '');
    const targets = [
      ...[...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)].map((m) => m[1]),
    ];
    for (const target of targets as string[]) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [pathPart = '', fragment] = target.split('#', 2);
      const path = decodeURIComponent(pathPart.split('?', 1)[0] ?? '');
      const resolved =
        path === ''
          ? join(root, file)
          : path.startsWith('/')
            ? join(root, path)
            : resolve(folder, path);
      if (!inRepository(resolved)) {
        problems.push({ file, line, target, why: 'points outside the repository' });
      } else if (!existsSync(resolved)) {
        problems.push({ file, line, target, why: 'no such file or folder' });
      } else if (
        fragment !== undefined &&
        resolved.endsWith('.md') &&
        statSync(resolved).isFile() &&
        !anchorsOf(resolved).has(fragment)
      ) {
        problems.push({ file, line, target, why: `no heading #${fragment}` });
      }
    }
    // Paths written as code: `apps/scorer/src/cli.ts`, `src/file-store.ts`.
    // Each word of a code span counts, so `npx tsx apps/scorer/src/cli.ts …` is checked too.
    const words = [...prose.matchAll(/`([^`]+)`/g)].flatMap((m) => (m[1] as string).split(/\s+/));
    for (const word of words) {
      const token = word.replace(/[.,:;)]+$/, '');
      if (!/^\.?[\w@-]+(\/[\w.@-]+)+\/?$/.test(token)) continue;
      const first = token.split('/', 1)[0] as string;
      const readme = file.endsWith('/README.md');
      if (!TOP_LEVEL.has(first) && !(readme && LOCAL.has(first))) continue;
      // A README names its own files first (`test/…` of the package), then the repository's.
      if (!existsSync(join(folder, token)) && !existsSync(join(root, token))) {
        problems.push({ file, line, target: token, why: 'no such file or folder' });
      }
    }
  }
  return problems;
}

describe('documentation links', () => {
  it('finds a broken link, a missing heading and a missing path (the check can fail)', () => {
    const text = [
      '[ok](docs/errors.md) [ok](docs/errors.md#server-appsserver) [ok](packages/tabular/)',
      '[gone](docs/no-such-page.md) [anchor](docs/errors.md#no-such-heading)',
      '[out](../outside.md) `apps/server/src/no-such-file.ts` `apps/server/src/app.ts`',
      '```',
      '[in a code block](not-checked.md)',
      '```',
      '[site](https://example.com/x.md) `text/csv` `@tandem/runtime/predictor`',
      '`npx tsx apps/trainer/src/cli/score.ts --model x` `data/splits/*.json`',
    ].join('\n');
    expect(checkMarkdown('README.md', text).map((p) => `${p.line} ${p.target}: ${p.why}`)).toEqual([
      '2 docs/no-such-page.md: no such file or folder',
      '2 docs/errors.md#no-such-heading: no heading #no-such-heading',
      '3 ../outside.md: points outside the repository',
      '3 apps/server/src/no-such-file.ts: no such file or folder',
      '8 apps/trainer/src/cli/score.ts: no such file or folder',
    ]);
  });

  it('anchors headings as GitHub does', () => {
    const anchors = headingAnchors('# Model store (`@tandem/model-store`)\n## Tests\n## Tests\n');
    expect([...anchors]).toEqual(['model-store-tandemmodel-store', 'tests', 'tests-1']);
  });

  const files = markdownFiles();

  it('covers the root README, docs/ and every package and app README', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/architecture.md');
    expect(files.filter((f) => f.startsWith('packages/')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s points only at what the repository holds', (file) => {
    const problems = checkMarkdown(file, readFileSync(join(root, file), 'utf8'));
    expect(problems.map((p) => `${p.file}:${p.line} ${p.target}: ${p.why}`)).toEqual([]);
  });
});
