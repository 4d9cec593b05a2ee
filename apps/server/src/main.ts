import { configFromCommandLine } from './cli.ts';
import { run } from './run.ts';

// `npm run serve -- [--artifacts dir] [--port 3000] [--host 127.0.0.1] [--workers N] …`
// (`--help` lists every option with its environment variable and default).
run(configFromCommandLine(process.argv.slice(2))).catch((error: unknown) => {
  process.stderr.write(`cannot start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
