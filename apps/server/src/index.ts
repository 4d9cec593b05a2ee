export { type AppOptions, buildApp } from './app.ts';
export { configFromCommandLine } from './cli.ts';
export { ConfigError, DEFAULT_CONFIG, loadConfig, type ServerConfig, usage } from './config.ts';
export { ERROR_TABLE, type ErrorCode, ServerError, toServerError } from './errors.ts';
export type { ModelState, ReloadSummary, VersionSelector } from './registry/registry.ts';
export { ServedVersion } from './registry/served-version.ts';
export { run } from './run.ts';
export { type RunningServer, startServer } from './server.ts';
