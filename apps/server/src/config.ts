import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isS3Uri } from '@tandem/model-store';
import { BACKENDS, type BackendName, type EngineChoice } from '@tandem/runtime';

/** Every setting of the server, from flags and environment, validated once and frozen. */
export interface ServerConfig {
  /** Root of the model store (artifacts/<name>/<version>/…). */
  readonly artifacts: string;
  readonly host: string;
  readonly port: number;
  /** Most rows one prediction request may carry. */
  readonly maxRows: number;
  /** Most bytes of one request body. */
  readonly bodyLimit: number;
  /** How often the store is polled for new / removed versions and label moves; 0 disables. */
  readonly reloadIntervalMs: number;
  /** Processes serving the port (node:cluster); 1 serves from this process. */
  readonly workers: number;
  /** tfjs backend to prefer; undefined lets the runtime choose. */
  readonly backend: BackendName | undefined;
  /** Predictor engine: 'auto' (the runtime's dense path when it matches tfjs), 'tfjs', 'dense'. */
  readonly engine: EngineChoice | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Adds the constant-answer route the serving benchmark compares against. */
  readonly benchRoutes: boolean;
  /** How long shutdown waits for in-flight requests before giving up. */
  readonly shutdownTimeoutMs: number;
  /**
   * After SIGTERM, how long the listener keeps accepting (with /readyz already 503 and every
   * answer carrying `Connection: close`) so load balancers stop routing before it closes.
   */
  readonly drainDelayMs: number;
  /** Most time to receive one whole request, headers and body; 0 disables. */
  readonly requestTimeoutMs: number;
  /** Most time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no activity at all for this long is closed; 0 disables. */
  readonly idleTimeoutMs: number;
  /** Most open connections; more are refused at accept. */
  readonly maxConnections: number;
  /** Most cells (rows × columns) one request may carry. */
  readonly maxCells: number;
  /** Prediction requests being received or answered at once, server-wide; over it, 503. */
  readonly maxInFlight: number;
  /** Prediction requests one client (address) may have in flight; over it, 429. */
  readonly maxInFlightPerClient: number;
  /** Cells (rows × columns) being decoded or predicted at once, server-wide; over it, 503. */
  readonly maxInFlightCells: number;
  /** Models that must be servable for /readyz to say ready; empty: at least one model. */
  readonly requireModels: readonly string[];
  /** Most time to read and verify one version (a hung file read is a failed version). */
  readonly loadTimeoutMs: number;
  /** Versions loaded per model: every labelled one plus the latest N; 0 loads every version. */
  readonly keepLatest: number;
  /** A JSON file of API keys (hashes and scopes, see docs/security.md); '' serves without keys. */
  readonly apiKeys: string;
  /** Requests per second per API key (or client address); 0 disables the rate limit. */
  readonly rateLimit: number;
  /** Requests a caller may send at once above the rate. */
  readonly rateBurst: number;
  /** Origins browsers may call from (CORS); empty: no CORS headers at all. '*' allows any. */
  readonly corsOrigins: readonly string[];
}

export const DEFAULT_CONFIG: ServerConfig = Object.freeze({
  artifacts: 'artifacts',
  host: '127.0.0.1',
  port: 3000,
  maxRows: 10_000,
  bodyLimit: 10 * 1024 * 1024,
  reloadIntervalMs: 2_000,
  workers: 1,
  backend: undefined,
  engine: undefined,
  logLevel: 'info',
  benchRoutes: false,
  shutdownTimeoutMs: 10_000,
  drainDelayMs: 5_000,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 2_048,
  maxCells: 2_000_000,
  maxInFlight: 64,
  maxInFlightPerClient: 16,
  maxInFlightCells: 8_000_000,
  requireModels: Object.freeze([]) as readonly string[],
  loadTimeoutMs: 60_000,
  keepLatest: 5,
  apiKeys: '',
  rateLimit: 0,
  rateBurst: 50,
  corsOrigins: Object.freeze([]) as readonly string[],
});

/** A setting that cannot be used; lists every problem at once. */
export class ConfigError extends Error {
  readonly code = 'TANDEM_SERVER_CONFIG_INVALID' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Flag name, environment variable, and how to read one setting from text. */
interface Setting<K extends keyof ServerConfig> {
  flag: string;
  env: string;
  parse: (text: string) => Parsed<ServerConfig[K]>;
  bool?: true;
}

const ENGINES: readonly EngineChoice[] = ['auto', 'tfjs', 'dense'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = (text: string): Parsed<never> => ({ ok: false, problem: text });

function integer(min: number, max: number) {
  return (text: string): Parsed<number> => {
    const t = text.trim();
    if (!/^\d+$/.test(t)) return problem(`expected an integer, got "${text}"`);
    const n = Number(t);
    if (n < min || n > max) return problem(`expected ${min}..${max}, got ${n}`);
    return ok(n);
  };
}

/** "10485760", "10mb", "10MiB", "512kb": binary units, since limits are about memory. */
function bytes(text: string): Parsed<number> {
  const m = /^\s*(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(text);
  if (m === null) return problem(`expected a size like 10485760 or 10mb, got "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const n = Number(m[1]) * scale;
  if (n < 1024) return problem(`expected at least 1kb, got ${n} bytes`);
  return ok(n);
}

function oneOf<T extends string>(values: readonly T[]) {
  return (text: string): Parsed<T> =>
    (values as readonly string[]).includes(text)
      ? ok(text as T)
      : problem(`expected one of ${values.join(', ')}, got "${text}"`);
}

function boolean(text: string): Parsed<boolean> {
  if (/^(1|true|yes|on)$/i.test(text)) return ok(true);
  if (/^(0|false|no|off)$/i.test(text)) return ok(false);
  return problem(`expected true or false, got "${text}"`);
}

/** "credit,penguins": names (models, origins), comma separated; "" is none. */
function nameList(text: string): Parsed<readonly string[]> {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return ok(Object.freeze(names));
}

function nonEmpty(text: string): Parsed<string> {
  return text.trim() === '' ? problem('expected a non-empty value') : ok(text);
}

/** The environment variable of a flag: TANDEM_ and the flag in capitals (`--max-rows`, TANDEM_MAX_ROWS). */
function envOf(flag: string): string {
  return `TANDEM_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** A setting read from `--flag`, else from envOf(flag). */
function setting<T>(flag: string, parse: (text: string) => Parsed<T>) {
  return { flag, env: envOf(flag), parse };
}

/** A duration in milliseconds, min to max; its variable ends in _MS (TANDEM_DRAIN_DELAY_MS). */
function milliseconds(flag: string, min: number, max: number) {
  return { flag, env: `${envOf(flag)}_MS`, parse: integer(min, max) };
}

const SETTINGS: { [K in keyof ServerConfig]: Setting<K> } = {
  artifacts: setting('artifacts', nonEmpty),
  host: { flag: 'host', env: 'HOST', parse: nonEmpty },
  port: { flag: 'port', env: 'PORT', parse: integer(0, 65_535) },
  maxRows: setting('max-rows', integer(1, 10_000_000)),
  bodyLimit: setting('body-limit', bytes),
  reloadIntervalMs: milliseconds('reload-interval', 0, 86_400_000),
  workers: setting('workers', integer(1, 256)),
  backend: setting('backend', oneOf(BACKENDS)),
  engine: setting('engine', oneOf(ENGINES)),
  logLevel: setting('log-level', oneOf(LOG_LEVELS)),
  benchRoutes: { ...setting('bench-routes', boolean), bool: true },
  shutdownTimeoutMs: milliseconds('shutdown-timeout', 0, 600_000),
  drainDelayMs: milliseconds('drain-delay', 0, 600_000),
  requestTimeoutMs: milliseconds('request-timeout', 0, 3_600_000),
  headersTimeoutMs: milliseconds('headers-timeout', 1, 600_000),
  keepAliveTimeoutMs: milliseconds('keep-alive-timeout', 1, 600_000),
  idleTimeoutMs: milliseconds('idle-timeout', 0, 3_600_000),
  maxConnections: setting('max-connections', integer(1, 1_000_000)),
  maxCells: setting('max-cells', integer(1, 1_000_000_000)),
  maxInFlight: setting('max-in-flight', integer(1, 100_000)),
  maxInFlightPerClient: setting('max-in-flight-per-client', integer(1, 100_000)),
  maxInFlightCells: setting('max-in-flight-cells', integer(1, 10_000_000_000)),
  requireModels: setting('require-models', nameList),
  loadTimeoutMs: milliseconds('load-timeout', 1, 3_600_000),
  keepLatest: setting('keep-latest', integer(0, 1_000_000)),
  apiKeys: setting('api-keys', (text) => ok(text.trim())),
  rateLimit: setting('rate-limit', integer(0, 1_000_000)),
  rateBurst: setting('rate-burst', integer(1, 1_000_000)),
  corsOrigins: setting('cors-origins', nameList),
};

/** The command-line help, generated from the same table that parses. */
export function usage(): string {
  const lines = Object.entries(SETTINGS).map(([key, s]) => {
    const def = DEFAULT_CONFIG[key as keyof ServerConfig];
    const flag = s.bool === true ? `--${s.flag}` : `--${s.flag} <value>`;
    return `  ${flag.padEnd(28)} env ${s.env.padEnd(28)} default ${Array.isArray(def) ? def.join(',') || 'none' : String(def ?? 'auto')}`;
  });
  return ['usage: npm run serve -- [options]', ...lines].join('\n');
}

/**
 * Reads flags (which win) and environment variables into one validated, frozen config.
 * Example: loadConfig({ argv: ['--port', '0'], env: {} }).port === 0
 */
export function loadConfig(
  input: { argv?: readonly string[]; env?: Readonly<Record<string, string | undefined>> } = {},
): ServerConfig {
  const env = input.env ?? {};
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of Object.values(SETTINGS)) {
    options[s.flag] = { type: s.bool === true ? 'boolean' : 'string' };
  }
  const problems: string[] = [];
  let flags: Record<string, string | boolean | undefined> = {};
  try {
    flags = parseArgs({ args: [...(input.argv ?? [])], options, strict: true }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }

  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(SETTINGS) as (keyof ServerConfig)[]) {
    const s = SETTINGS[key] as Setting<keyof ServerConfig>;
    const flag = flags[s.flag];
    const text = typeof flag === 'boolean' ? String(flag) : (flag ?? env[s.env]);
    if (text === undefined) continue;
    const parsed = s.parse(text);
    if (parsed.ok) out[key] = parsed.value;
    else problems.push(`--${s.flag} / ${s.env}: ${parsed.problem}`);
  }
  const request = out.requestTimeoutMs as number;
  if (request > 0 && (out.headersTimeoutMs as number) > request) {
    problems.push('--headers-timeout must not exceed --request-timeout');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // A folder becomes absolute; an s3:// store stays the URI it is.
  if (!isS3Uri(String(out.artifacts))) out.artifacts = resolve(String(out.artifacts));
  return Object.freeze(out) as unknown as ServerConfig;
}
