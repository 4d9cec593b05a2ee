import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  artifactsRoot,
  displayPath,
  EXIT,
  fileProblem,
  integerOption,
  isCodedError,
  parseCommandLine,
  printHelp,
  requiredOption,
  runCli,
  UsageError,
} from '../src/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tandem-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseCommandLine', () => {
  it('parses known flags and refuses unknown ones as one usage line', () => {
    const { values } = parseCommandLine(['--json', '--seed', '3'], {
      json: { type: 'boolean', default: false },
      seed: { type: 'string' },
    });
    expect(values).toMatchObject({ json: true, seed: '3' });
    let error: unknown;
    try {
      parseCommandLine(['--nope'], { json: { type: 'boolean' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('TANDEM_CLI_USAGE');
    expect((error as Error).message).toMatch(/--nope.*\(see --help\)$/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reads non-negative integers only', () => {
    expect(integerOption('42', '--seed')).toBe(42);
    expect(integerOption(undefined, '--seed')).toBeUndefined();
    expect(() => integerOption('-1', '--seed')).toThrow(/--seed expects a non-negative integer/);
    expect(() => integerOption('1.5', '--seed')).toThrow(UsageError);
    expect(() => integerOption('9007199254740993', '--seed')).toThrow(UsageError);
  });

  it('requires a flag by name, keeping an empty value', () => {
    expect(requiredOption('credit', '--model')).toBe('credit');
    expect(requiredOption('', '--model')).toBe('');
    expect(() => requiredOption(undefined, '--model')).toThrow(
      new UsageError('--model is required (see --help)'),
    );
  });

  it('prints the help text on stdout and ends with exit code 0', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(printHelp('Usage: npm run x')).toBe(EXIT.ok);
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['Usage: npm run x\n']);
  });
});

describe('paths and files', () => {
  it('resolves the store root from the flag, then TANDEM_ARTIFACTS, then ./artifacts', () => {
    expect(artifactsRoot('store', { TANDEM_ARTIFACTS: 'env' })).toBe('store');
    expect(artifactsRoot(undefined, { TANDEM_ARTIFACTS: 'env' })).toBe('env');
    expect(artifactsRoot('', {})).toBe('artifacts');
  });

  it('shows paths under the working directory relatively, others absolutely', () => {
    expect(displayPath('/work/a/b.csv', '/work')).toBe('a/b.csv');
    expect(displayPath('/elsewhere/b.csv', '/work')).toBe('/elsewhere/b.csv');
  });

  it('says why a path is not a readable regular file', async () => {
    const file = path.join(dir, 'data.csv');
    await writeFile(file, 'a\n1\n');
    expect(await fileProblem(file)).toBeUndefined();
    expect(await fileProblem(dir)).toBe('is a directory');
    expect(await fileProblem(path.join(dir, 'missing.csv'))).toBe('not found');
  });
});

describe('runCli', () => {
  it('maps a usage error to exit 2, another coded error to 1, success to its code', async () => {
    const previous = process.exitCode;
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await runCli('demo', async () => {
        throw new UsageError('--x is unknown');
      });
      expect(process.exitCode).toBe(EXIT.usage);
      const coded = Object.assign(new Error('no such model'), { code: 'TANDEM_MODEL_NOT_FOUND' });
      expect(isCodedError(coded)).toBe(true);
      await runCli('demo', async () => {
        throw coded;
      });
      expect(process.exitCode).toBe(EXIT.failed);
      await runCli('demo', async () => EXIT.ok);
      expect(process.exitCode).toBe(EXIT.ok);
    } finally {
      process.stderr.write = write;
      process.exitCode = previous;
    }
    expect(written).toEqual(['demo: error: --x is unknown\n', 'demo: error: no such model\n']);
  });
});
