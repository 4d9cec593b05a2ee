import cluster from 'node:cluster';
import type { ServerConfig } from './config.ts';
import { serveClusterMetrics } from './metrics/cluster-metrics.ts';
import { type RunningServer, startServer } from './server.ts';

/**
 * Runs the server until SIGTERM / SIGINT: one process, or with `workers > 1` a node:cluster
 * primary that forks that many workers sharing the port (each loads every model).
 */
export async function run(
  config: ServerConfig,
  onReady?: (server: RunningServer) => void | Promise<void>,
): Promise<void> {
  if (config.workers > 1 && cluster.isPrimary) {
    supervise(config);
    return;
  }
  const server = await startServer({ config, listenFirst: cluster.isPrimary });
  handleSignals(server, config);
  if (onReady !== undefined && cluster.isPrimary) await onReady(server);
}

/** Stops accepting, lets in-flight requests finish, exits 0; a stuck shutdown exits 1. */
function handleSignals({ app }: RunningServer, config: ServerConfig): void {
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
  // A worker whose primary died (killed, crashed) must not live on holding the port.
  if (cluster.isWorker) process.on('disconnect', () => stop('primary gone'));
  // A bug behind one request must not take the server down: log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    app.log.error({ err: reason }, 'unhandled rejection');
  });
}

/** The cluster primary: forks workers, replaces crashed ones, forwards shutdown signals. */
function supervise(config: ServerConfig): void {
  let stopping = false;
  serveClusterMetrics();
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited (${signal ?? code}); restarting\n`);
    setTimeout(() => cluster.fork(), 500).unref();
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
