/**
 * The prediction log's worker thread: rebuilds each logged request's events from its columns,
 * serializes and writes them through an in-thread PredictionLog and its sink, and reports its
 * counts after every write. Started by ThreadedPredictionLog (through log-worker-entry.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool } from './buffer-pool.ts';
import { batchLines } from './logged-request.ts';
import { PredictionLog } from './prediction-log.ts';
import { openSink } from './sink-spec.ts';
import type {
  FromLogWorker,
  LogWorkerSetup,
  ToLogWorker,
  WorkerCounts,
} from './thread-messages.ts';

const port = parentPort;
if (port === null) throw new Error('log-worker.ts runs as a worker thread');
const setup = workerData as LogWorkerSetup;
const post = (message: FromLogWorker): void => port.postMessage(message);

const log = new PredictionLog({
  sink: await openSink(setup.sink, setup.firstSequence),
  capacity: setup.capacity,
  batchSize: setup.batchSize,
  lingerMs: setup.lingerMs,
  onError: (error) => post({ type: 'error', message: (error as Error).message ?? String(error) }),
  onWrite: () => post({ type: 'counts', counts: counts() }),
});

/** The lines' buffers, used again once the sink has written them (sinks that keep no bytes). */
const pool = new BufferPool();

function counts(): WorkerCounts {
  const { written, dropped, failed } = log.counts();
  return { written, dropped, failed };
}

port.on('message', (message: ToLogWorker) => {
  switch (message.type) {
    case 'batch':
      if (message.batch.count > 0) log.offer(batchLines(message.batch, undefined, pool));
      for (const event of message.events) log.offer(event);
      break;
    case 'flush':
      void log.flush().then(() => post({ type: 'flushed', seq: message.seq, counts: counts() }));
      break;
    case 'close':
      void log.close().then(
        () => {
          post({ type: 'closed', counts: counts() });
          port.close();
        },
        (error: unknown) => {
          post({ type: 'error', message: (error as Error).message ?? String(error) });
          post({ type: 'closed', counts: counts() });
          port.close();
        },
      );
      break;
  }
});
