/**
 * The monitoring thread's worker: counts each batch's rows in the drift windows of the version
 * that answered them, and rebuilds the logged requests' events from the same columns, serializes
 * and writes them through an in-thread PredictionLog and its sink. Reports its counts after every
 * batch and write. Started by MonitoringThread (through worker-entry.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool } from '../log/buffer-pool.ts';
import { batchLines, requestsOf } from '../log/logged-request.ts';
import { PredictionLog } from '../log/prediction-log.ts';
import { openSink } from '../log/sink-spec.ts';
import { DriftHost } from './drift-host.ts';
import type {
  FromMonitoringWorker,
  MonitoringWorkerSetup,
  ToMonitoringWorker,
  WorkerCounts,
} from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('monitoring-worker.ts runs as a worker thread');
const setup = workerData as MonitoringWorkerSetup;
const post = (message: FromMonitoringWorker): void => port.postMessage(message);
const reportError = (error: unknown) =>
  post({ type: 'error', message: (error as Error).message ?? String(error) });

const log =
  setup.sink === undefined
    ? undefined
    : new PredictionLog({
        sink: await openSink(setup.sink, setup.firstSequence),
        capacity: setup.capacity,
        batchSize: setup.batchSize,
        lingerMs: setup.lingerMs,
        onError: reportError,
        onWrite: () => post({ type: 'counts', counts: counts() }),
      });
const drift = new DriftHost(reportError);
let driftRows = 0;

/** The lines' buffers, used again once the sink has written them (sinks that keep no bytes). */
const pool = new BufferPool();

function counts(): WorkerCounts {
  const { written, dropped, failed } = log?.counts() ?? { written: 0, dropped: 0, failed: 0 };
  return { written, dropped, failed, driftRows };
}

const closed = (): void => {
  post({ type: 'closed', counts: counts() });
  port.close();
};

port.on('message', (message: ToMonitoringWorker) => {
  switch (message.type) {
    case 'batch': {
      const { batch } = message;
      if (batch.count > 0) {
        // Rebuilt once, for drift and the log alike.
        const requests = requestsOf(batch);
        const counted = drift.count(batch, requests);
        if (log !== undefined && requests.some((r) => r.logged > 0)) {
          log.offer(batchLines(batch, undefined, pool, requests));
        }
        if (counted > 0) {
          driftRows += counted;
          post({ type: 'counts', counts: counts() });
        }
      }
      for (const event of message.events) log?.offer(event);
      break;
    }
    case 'watch':
      drift.watch(message.monitor, message.profile, message.options);
      break;
    case 'unwatch':
      drift.unwatch(message.monitor);
      break;
    case 'drift':
      post({ type: 'drift', seq: message.seq, reading: drift.read(message.monitor) });
      break;
    case 'flush':
      void (log?.flush() ?? Promise.resolve()).then(() =>
        post({ type: 'flushed', seq: message.seq, counts: counts() }),
      );
      break;
    case 'close':
      if (log === undefined) {
        closed();
        break;
      }
      void log.close().then(closed, (error: unknown) => {
        reportError(error);
        closed();
      });
      break;
  }
});
