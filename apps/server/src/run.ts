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

/**
 * Graceful shutdown on SIGTERM / SIGINT, for Kubernetes' preStop and terminationGracePeriod:
 * /readyz turns 503 at once, the listener keeps accepting for the drain delay (load balancers
 * need that long to stop routing here) with every answer carrying `Connection: close`, then the
 * listener closes, idle sockets close, in-flight requests finish, and the process exits 0. Past
 * the shutdown timeout it exits 1.
 */
function handleSignals({ app }: RunningServer, config: ServerConfig): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.tandem.lifecycle.drain();
    app.log.info(
      { signal, drainDelayMs: config.drainDelayMs },
      'shutting down: not ready, draining connections',
    );
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, config.drainDelayMs + config.shutdownTimeoutMs);
    timer.unref();
    // Not unref'd: the drain delay must run out even when nothing else is pending.
    setTimeout(() => {
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
    }, config.drainDelayMs);
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

/** Consecutive worker failures (none listening meanwhile) after which the primary gives up. */
const MAX_FAILED_STARTS = 5;

/**
 * The cluster primary: forks workers, restarts dead ones with exponential backoff (0.5 s doubling
 * to 30 s, reset once a worker listens), forwards shutdown signals. When workers keep dying
 * without any listening (a busy port, a broken store), it exits 1 so that a restart policy or an
 * orchestrator sees the failure instead of a live primary with nothing behind it.
 */
function supervise(config: ServerConfig): void {
  let stopping = false;
  let failures = 0;
  const listening = new Set<number>();
  serveClusterMetrics();
  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      listening.add(worker.id);
      failures = 0;
    });
  };
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    failures++;
    if (listening.size === 0 && failures >= MAX_FAILED_STARTS) {
      process.stderr.write(
        `worker ${worker.process.pid} exited (${signal ?? code}); ${failures} workers failed in a row and none is serving: giving up\n`,
      );
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      process.exit(1);
    }
    const delay = Math.min(30_000, 500 * 2 ** (failures - 1));
    process.stderr.write(
      `worker ${worker.process.pid} exited (${signal ?? code}); restarting in ${delay} ms\n`,
    );
    // Not unref'd: with every worker dead this timer is what keeps the primary alive.
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    setTimeout(
      () => process.exit(1),
      config.drainDelayMs + config.shutdownTimeoutMs + 1_000,
    ).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
