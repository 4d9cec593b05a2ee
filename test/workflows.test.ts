import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..');
const workflowsDir = join(root, '.github', 'workflows');
const scripts: Record<string, string> =
  (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    }
  ).scripts ?? {};

/** npm commands that need no script in package.json. */
const BUILTIN = new Set(['ci', 'install', 'i', 'ls', 'audit', 'exec', 'pack', 'version', 'prune']);
/** npm shorthands that run the script of the same name. */
const SCRIPT_ALIASES = new Set(['test', 't', 'start', 'stop', 'restart']);

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps?: Step[];
  strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  on?: unknown;
  jobs?: Record<string, Job>;
}

interface NpmCall {
  command: string;
  script?: string;
  line: string;
}

/**
 * Every npm invocation in a shell snippet: `npm ci`, `npm test`, `npm run --silent train -- …`.
 * Continuation lines are joined first; `$(npm …)` and quoted forms are recognised.
 */
function npmCalls(shell: string): NpmCall[] {
  const calls: NpmCall[] = [];
  for (const line of shell.replace(/\\\n/g, ' ').split('\n')) {
    const tokens = line
      .trim()
      .split(/\s+|;|&&|\|\|?|\$\(|=/)
      .map((token) => token.replace(/^[$("'`]+|[)"'`]+$/g, ''))
      .filter((token) => token.length > 0);
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i] !== 'npm') continue;
      let j = i + 1;
      while (tokens[j]?.startsWith('-')) j++;
      const command = tokens[j];
      if (command === undefined) continue;
      if (command === 'run' || command === 'run-script') {
        let k = j + 1;
        while (tokens[k]?.startsWith('-')) k++;
        calls.push({ command, script: tokens[k], line });
      } else {
        calls.push({ command, script: SCRIPT_ALIASES.has(command) ? command : undefined, line });
      }
    }
  }
  return calls;
}

function loadWorkflows(): Array<{ file: string; workflow: Workflow }> {
  return readdirSync(workflowsDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => ({
      file,
      workflow: parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow,
    }));
}

function steps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
}

const workflows = loadWorkflows();

describe('the npm-call scanner', () => {
  it('finds scripts behind flags, continuations and command substitution', () => {
    const calls = npmCalls(
      'npm ci\nx=$(npm run --silent train -- --json)\nnpm run gate -- \\\n  --model a && npm test',
    );
    expect(calls.map((call) => [call.command, call.script])).toEqual([
      ['ci', undefined],
      ['run', 'train'],
      ['run', 'gate'],
      ['test', 'test'],
    ]);
  });
});

describe('GitHub workflows', () => {
  it('has the ci, train and score workflows', () => {
    expect(workflows.map((entry) => entry.file)).toEqual(
      expect.arrayContaining(['ci.yml', 'score.yml', 'train.yml']),
    );
  });

  for (const { file, workflow } of workflows) {
    it(`${file} parses, has jobs, and every npm command it runs exists`, () => {
      expect(workflow.jobs, `${file} has no jobs`).toBeTypeOf('object');
      const calls = steps(workflow).flatMap((step) => npmCalls(step.run ?? ''));
      expect(calls.length, `${file} runs no npm command`).toBeGreaterThan(0);
      for (const call of calls) {
        if (call.script !== undefined) {
          expect(
            scripts,
            `${file}: "${call.line.trim()}" needs script "${call.script}"`,
          ).toHaveProperty([call.script]);
        } else {
          expect(BUILTIN.has(call.command), `${file}: unexpected "npm ${call.command}"`).toBe(true);
        }
      }
    });
  }

  it('ci.yml runs npm ci, lint, type-check and test on Node 20, 22 and 24, on push and pull request', () => {
    const ci = workflows.find((entry) => entry.file === 'ci.yml')?.workflow;
    expect(ci).toBeDefined();
    const triggers = Object.keys(ci?.on as Record<string, unknown>);
    expect(triggers).toEqual(expect.arrayContaining(['push', 'pull_request']));

    const jobs = Object.values(ci?.jobs ?? {});
    const job = jobs.find(
      (candidate) => candidate.strategy?.matrix?.['node-version'] !== undefined,
    );
    expect(job).toBeDefined();
    expect(job?.strategy?.matrix?.['node-version']).toEqual(expect.arrayContaining([20, 22, 24]));
    const setupNode = job?.steps?.find((step) => step.uses?.startsWith('actions/setup-node'));
    expect(setupNode?.with?.['node-version']).toMatch(/^\$\{\{\s*matrix\.node-version\s*\}\}$/);

    const run = (job?.steps ?? []).flatMap((step) => npmCalls(step.run ?? ''));
    const names = run.map((call) => call.script ?? call.command);
    expect(names).toEqual(['ci', 'lint', 'type-check', 'test']);
  });

  it('train.yml trains on dispatch, schedule and data changes, gates, uploads and labels', () => {
    const train = workflows.find((entry) => entry.file === 'train.yml')?.workflow;
    const on = train?.on as Record<string, { paths?: string[] } | null>;
    expect(Object.keys(on)).toEqual(
      expect.arrayContaining(['workflow_dispatch', 'schedule', 'push']),
    );
    expect(on['push']?.paths).toEqual(expect.arrayContaining(['data/**', 'data/models/**']));
    const all = steps(train ?? {});
    const scriptsRun = all.flatMap((step) => npmCalls(step.run ?? '')).map((call) => call.script);
    expect(scriptsRun).toEqual(expect.arrayContaining(['train', 'gate', 'label']));
    expect(all.some((step) => step.uses?.startsWith('actions/upload-artifact'))).toBe(true);
  });

  it('score.yml is scheduled and uploads the scored file', () => {
    const score = workflows.find((entry) => entry.file === 'score.yml')?.workflow;
    expect(Object.keys(score?.on as Record<string, unknown>)).toContain('schedule');
    const all = steps(score ?? {});
    expect(all.flatMap((step) => npmCalls(step.run ?? '')).map((c) => c.script)).toContain('score');
    expect(all.some((step) => step.uses?.startsWith('actions/upload-artifact'))).toBe(true);
  });
});
