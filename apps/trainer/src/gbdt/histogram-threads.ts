import { Worker } from 'node:worker_threads';
import { accumulateRows, FEATURE_STRIDE, type Histogram } from './histogram.ts';

/** Builds node histograms: on this thread alone, or with worker threads sharing the features. */
export interface HistogramBuilder {
  /** Output `output`'s histogram of indices[start, end) of its row order (all rows: root). */
  build(out: Histogram, output: number, root: boolean, start: number, end: number): void;
  /** Stops the worker threads (none left running after it). */
  close(): void;
}

/** What every histogram of a boosting run reads; the arrays SharedArrayBuffer-backed with threads. */
export interface HistogramSources {
  /** Row-major bin codes, rows × width. */
  bins: Uint8Array;
  rows: number;
  width: number;
  /** Gradients and hessians, rows × outputs, output-major (output c at c * rows). */
  g: Float32Array;
  h: Float32Array;
  /** Each output's row order, rows × outputs, output-major. */
  indices: Uint32Array;
}

/**
 * Node rows below which the worker threads are not woken: the build then takes a few
 * microseconds, the wake-up as long (measured on credit's 3,563 rows, where threads lost).
 */
export const MIN_THREADED_ROWS = 4096;

// Control words of a worker (Int32Array on a SharedArrayBuffer).
const JOB = 0; // incremented by the main thread for every job
const DONE = 1; // set to the job's number by the worker when it is done
const MODE = 2;
const OUTPUT = 3;
const START = 4;
const END = 5;
const F0 = 6;
const F1 = 7;
const FAILED = 8;
const READY = 9; // set to 1 by the worker once its loop runs
const CONTROL_WORDS = 10;
const MODE_ROOT = 0;
const MODE_INDEXED = 1;
const MODE_EXIT = 2;
/**
 * How long this thread waits for a worker to start, and then for a job. A worker that misses
 * either is abandoned and this thread builds alone from then on: the bits are the same, so a
 * worker that never started (or died) costs time, never a hung or failed training run.
 */
const READY_MS = 5_000;
const WAIT_MS = 30_000;

/**
 * The worker's loop, run from its source: wait for a job, build its features into the scratch
 * histogram, report. `accumulateRows` is histogram.ts's function, the same arithmetic as on
 * the main thread.
 */
function workerLoop(accumulate: typeof accumulateRows): void {
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { control, scratch, bins, width, rows, g, h, indices } = workerData as {
    control: Int32Array;
    scratch: Float64Array;
    bins: Uint8Array;
    width: number;
    rows: number;
    g: Float32Array;
    h: Float32Array;
    indices: Uint32Array;
  };
  let seen = 0;
  Atomics.store(control, 9, 1);
  Atomics.notify(control, 9);
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    const mode = control[2];
    if (mode === 2) break;
    try {
      const at = control[3]! * rows;
      accumulate(
        scratch,
        bins,
        width,
        mode === 1 ? indices.subarray(at, at + rows) : null,
        control[4]!,
        control[5]!,
        g.subarray(at, at + rows),
        h.subarray(at, at + rows),
        control[6]!,
        control[7]!,
      );
    } catch {
      control[8] = 1;
    }
    Atomics.store(control, 1, seen);
    Atomics.notify(control, 1);
  }
}

const WORKER_SOURCE = `(${workerLoop.toString()})(${accumulateRows.toString()});`;

interface HistogramWorker {
  worker: Worker;
  control: Int32Array;
  scratch: Float64Array;
  job: number;
}

/**
 * Histograms over `threads` threads: this one and threads - 1 workers, each building a fixed
 * share of the features (contiguous ranges, as even as the width allows) into its own scratch
 * histogram that this thread then copies; a node with fewer than MIN_THREADED_ROWS rows is
 * built here alone. The main thread blocks in Atomics.wait while the workers finish: boosting is
 * synchronous. Since each (feature, bin) sum runs over the same rows in the same order whichever
 * thread adds it, every thread count gives the same bits.
 */
export function histogramBuilder(
  sources: HistogramSources,
  threads: number,
  minThreadedRows = MIN_THREADED_ROWS,
): HistogramBuilder {
  const { bins, rows, width, g, h, indices } = sources;
  const outputs = g.length / rows;
  const views = Array.from({ length: outputs }, (_, c) => ({
    g: g.subarray(c * rows, (c + 1) * rows),
    h: h.subarray(c * rows, (c + 1) * rows),
    indices: indices.subarray(c * rows, (c + 1) * rows),
  }));
  const shares = Math.max(1, Math.min(threads, width));
  // Feature f0 of share s: the shares split the width as evenly as integers allow.
  const bounds = Array.from({ length: shares + 1 }, (_, s) => Math.round((s * width) / shares));
  const workers: HistogramWorker[] = [];
  for (let s = 1; s < shares; s++) {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const scratch = new Float64Array(new SharedArrayBuffer(width * FEATURE_STRIDE * 8));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { control, scratch, bins, width, rows, g, h, indices },
    });
    worker.unref();
    workers.push({ worker, control, scratch, job: 0 });
  }
  const post = (w: HistogramWorker, mode: number, output = 0, start = 0, end = 0, s = 0): void => {
    const { control } = w;
    control[MODE] = mode;
    control[OUTPUT] = output;
    control[START] = start;
    control[END] = end;
    control[F0] = bounds[s]!;
    control[F1] = bounds[s + 1]!;
    w.job++;
    Atomics.store(control, JOB, w.job);
    Atomics.notify(control, JOB);
  };
  let started = false;
  /** Waits once for every worker to run its loop; false (workers abandoned) when one did not. */
  const workersReady = (): boolean => {
    if (started) return workers.length > 0;
    started = true;
    for (const w of workers) {
      if (Atomics.load(w.control, READY) !== 1) Atomics.wait(w.control, READY, 0, READY_MS);
      if (Atomics.load(w.control, READY) !== 1) {
        abandon();
        return false;
      }
    }
    return true;
  };
  const abandon = (): void => {
    for (const w of workers) void w.worker.terminate();
    workers.length = 0;
  };
  return {
    build(out, output, root, start, end) {
      const view = views[output]!;
      const order = root ? null : view.indices;
      if (workers.length === 0 || end - start < minThreadedRows || !workersReady()) {
        accumulateRows(out.sums, bins, width, order, start, end, view.g, view.h, 0, width);
        return;
      }
      workers.forEach((w, s) => {
        post(w, root ? MODE_ROOT : MODE_INDEXED, output, start, end, s + 1);
      });
      accumulateRows(out.sums, bins, width, order, start, end, view.g, view.h, 0, bounds[1]!);
      const answered = workers.every((w) => {
        while (Atomics.load(w.control, DONE) !== w.job) {
          if (Atomics.wait(w.control, DONE, w.control[DONE]!, WAIT_MS) === 'timed-out') {
            return false;
          }
        }
        return w.control[FAILED] !== 1;
      });
      if (!answered) {
        // A worker failed or went silent: this thread builds every feature, now and from now on.
        abandon();
        accumulateRows(out.sums, bins, width, order, start, end, view.g, view.h, 0, width);
        return;
      }
      workers.forEach((w, s) => {
        const from = bounds[s + 1]! * FEATURE_STRIDE;
        out.sums.set(w.scratch.subarray(from, bounds[s + 2]! * FEATURE_STRIDE), from);
      });
    },
    close() {
      for (const w of workers) post(w, MODE_EXIT);
      workers.length = 0;
    },
  };
}
