import cluster from 'node:cluster';
import { ConfigError, loadConfig, type ServerConfig, usage } from './config.ts';
import { startServer } from './server.ts';

/**
 * `npm run serve -- [--artifacts dir] [--port 3000] [--host 127.0.0.1] [--workers N] …`
 * One process serves by default; with --workers N a primary forks N workers sharing the port.
 */

function readConfig(): ServerConfig {
  const argv = process.argv.slice(2);
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

/** Stops accepting, lets in-flight requests finish, exits 0; a stuck shutdown exits 1. */
async function serve(config: ServerConfig): Promise<void> {
  const { app } = await startServer({ config });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => {
        app.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A bug in one request must not take the server down silently: log it and keep serving.
  process.on('unhandledRejection', (reason) =>
    app.log.error({ err: reason }, 'unhandled rejection'),
  );
}

/** The cluster primary: forks workers, replaces crashed ones, forwards shutdown signals. */
function supervise(config: ServerConfig): void {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); restarting\n`);
    setTimeout(fork, 500).unref();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 1_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const config = readConfig();
if (config.workers > 1 && cluster.isPrimary) {
  supervise(config);
} else {
  serve(config).catch((error: unknown) => {
    process.stderr.write(`cannot start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
