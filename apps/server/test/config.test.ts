import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig, usage } from '../src/config.ts';

describe('config', () => {
  it('has defaults, resolves the artifacts folder and is frozen', () => {
    const config = loadConfig({ argv: [], env: {} });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      maxRows: 10_000,
      bodyLimit: 10 * 1024 * 1024,
      reloadIntervalMs: 2_000,
      workers: 1,
      benchRoutes: false,
    });
    expect(config.artifacts).toBe(`${process.cwd()}/artifacts`);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads environment variables, and flags win over them', () => {
    const env = {
      TANDEM_ARTIFACTS: '/srv/models',
      PORT: '8080',
      HOST: '0.0.0.0',
      TANDEM_MAX_ROWS: '500',
      TANDEM_BODY_LIMIT: '2mb',
      TANDEM_RELOAD_INTERVAL_MS: '0',
      TANDEM_WORKERS: '2',
      TANDEM_BENCH_ROUTES: 'true',
    };
    const fromEnv = loadConfig({ argv: [], env });
    expect(fromEnv).toMatchObject({
      artifacts: '/srv/models',
      port: 8080,
      host: '0.0.0.0',
      maxRows: 500,
      bodyLimit: 2 * 1024 * 1024,
      reloadIntervalMs: 0,
      workers: 2,
      benchRoutes: true,
    });
    const flags = loadConfig({
      argv: [
        '--port',
        '9000',
        '--artifacts',
        '/tmp/x',
        '--body-limit',
        '512kb',
        '--engine',
        'tfjs',
      ],
      env,
    });
    expect(flags).toMatchObject({
      port: 9000,
      artifacts: '/tmp/x',
      bodyLimit: 512 * 1024,
      engine: 'tfjs',
    });
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        argv: ['--port', '70000', '--max-rows', 'many', '--backend', 'gpu', '--nope'],
        env: { TANDEM_BODY_LIMIT: '10 parsecs' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.some((p) => p.includes("'--nope'"))).toBe(true);
    const again = (() => {
      try {
        loadConfig({
          argv: ['--port', '70000', '--max-rows', 'many', '--backend', 'gpu'],
          env: { TANDEM_BODY_LIMIT: '10 parsecs' },
        });
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    })();
    expect(again).toHaveLength(4);
    expect(again.join('\n')).toMatch(/--port.*0\.\.65535, got 70000/);
    expect(again.join('\n')).toMatch(/--max-rows.*"many"/);
    expect(again.join('\n')).toMatch(/--backend.*tensorflow, wasm, cpu/);
    expect(again.join('\n')).toMatch(/--body-limit \/ TANDEM_BODY_LIMIT/);
  });

  it('documents every option with its environment variable', () => {
    const text = usage();
    for (const word of [
      '--artifacts',
      'TANDEM_ARTIFACTS',
      '--port',
      'PORT',
      '--reload-interval',
      'TANDEM_RELOAD_INTERVAL_MS',
      '--workers',
      '--bench-routes',
    ]) {
      expect(text).toContain(word);
    }
  });
});
