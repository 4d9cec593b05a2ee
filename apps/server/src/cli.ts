import { ConfigError, loadConfig, type ServerConfig, usage } from './config.ts';

/** The config from the command line and environment; prints help or the problems and exits. */
export function configFromCommandLine(argv: readonly string[]): ServerConfig {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  try {
    return loadConfig({ argv, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\n${usage()}\n`);
      process.exit(2);
    }
    throw error;
  }
}
