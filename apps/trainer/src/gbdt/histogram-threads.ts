import { Worker } from 'node:worker_threads';
import { accumulateRows, type Histogram } from './histogram.ts';
import { type HistogramKernel, histogramKernel, histogramModuleBytes } from './histogram-kernel.ts';
import type { KernelArena } from './kernel-arena.ts';
import { gradientRows } from './losses.ts';

/** Builds node histograms: on this thread alone, or with worker threads sharing the features. */
export interface HistogramBuilder {
  /** Output `output`'s histogram of indices[start, end) of its row order (all rows: root). */
  build(out: Histogram, output: number, root: boolean, start: number, end: number): void;
  /** Gradients, hessians and loss terms of every row (gradientRows), rows shared by the threads. */
  gradients(): void;
  /** Stops the worker threads (none left running after it). */
  close(): void;
}

/** What the gradient pass reads and writes, views of the kernel memory; see gradientRows. */
export interface GradientSources {
  /** losses.ts's LOSS_CODE. */
  code: number;
  outputs: number;
  y: Float64Array;
  margins: Float64Array;
  terms: Float64Array;
}

/** What every histogram of a boosting run reads. */
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
  /**
   * The kernel memory that bins, g, h, indices and the histograms are views of (WebAssembly
   * kernel, worker threads); null: JavaScript on this thread alone.
   */
  arena: KernelArena | null;
  gradients: GradientSources;
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
const SUMS = 6; // byte address of the histogram
const FAILED = 7;
/**
 * The last job claimed, by the worker or by this thread (compare-and-swap from job - 1 to job):
 * whoever claims a share computes it. This thread claims a share the worker has not started
 * once its own is done, so a worker that is not scheduled (a loaded machine) or not yet started
 * costs nothing; a job's share is computed whole by one thread either way, so the bits are the
 * same.
 */
const CLAIMED = 8;
const CONTROL_WORDS = 9;
const MODE_ROOT = 0;
const MODE_INDEXED = 1;
const MODE_EXIT = 2;
const MODE_GRADIENTS = 3;
/**
 * How long this thread waits for a share a worker claimed: a last resort. A worker that misses
 * it is abandoned and this thread computes alone from then on (the bits are the same), so a
 * worker that died mid-job costs time, never a hung training run. (A worker still alive after
 * 30 s without answering would be terminated but could still write its share late into the
 * shared memory; nothing here has been seen to stall a live worker that long.)
 */
const WAIT_MS = 30_000;

/**
 * Waits until control[index] holds `value`; false when `timeoutMs` pass first. Atomics.wait is
 * given the very value that was compared: re-reading the word for it would let a store (and its
 * notify) that lands between the two reads go unseen, and the wait would then sleep on the new
 * value, already there, until the timeout. That was the silent worker of the histogram threads.
 * `load` is Atomics.load (a test makes the store land in that gap).
 */
export function waitForWord(
  control: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  load: (control: Int32Array, index: number) => number = Atomics.load,
): boolean {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = load(control, index);
    if (seen === value) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(control, index, seen, left);
  }
}

/**
 * The worker's loop, run from its source (so self-contained): instantiate its share's kernel
 * on the shared memory, wait for a job (a histogram: build its features into the job's
 * histogram; gradients: compute rows start … end - 1 with `rowsOf`, losses.ts's gradientRows),
 * report. It waits on the job number it last compared (`seen`), never on a fresh read.
 */
function workerLoop(rowsOf: typeof gradientRows): void {
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { control, memory, bytes, rows, bins, g, h, indices, loss } = workerData as {
    control: Int32Array;
    memory: { buffer: ArrayBuffer };
    bytes: Uint8Array;
    rows: number;
    bins: number;
    g: number;
    h: number;
    indices: number;
    loss: { code: number; outputs: number; y: number; margins: number; terms: number };
  };
  const cells = rows * loss.outputs;
  const views = {
    y: new Float64Array(memory.buffer, loss.y, rows),
    margins: new Float64Array(memory.buffer, loss.margins, cells),
    terms: new Float64Array(memory.buffer, loss.terms, rows),
    g: new Float32Array(memory.buffer, g, cells),
    h: new Float32Array(memory.buffer, h, cells),
  };
  type Call = (...args: number[]) => void;
  const api = (
    globalThis as unknown as {
      WebAssembly: {
        Module: new (bytes: Uint8Array) => unknown;
        Instance: new (module: unknown, imports: unknown) => { exports: Record<string, Call> };
      };
    }
  ).WebAssembly;
  const kernel = new api.Instance(new api.Module(bytes), { env: { memory } }).exports;
  let seen = 0;
  for (;;) {
    Atomics.wait(control, 0, seen);
    seen = Atomics.load(control, 0);
    // The main thread took this share (and every one before it): nothing to do.
    if (Atomics.compareExchange(control, 8, seen - 1, seen) !== seen - 1) continue;
    const mode = control[2];
    if (mode === 2) break;
    try {
      if (mode === 3) {
        const { y, margins, terms } = views;
        rowsOf(
          loss.code,
          y,
          margins,
          loss.outputs,
          views.g,
          views.h,
          terms,
          control[4]!,
          control[5]!,
        );
      } else {
        const at = control[3]! * rows * 4;
        const build = mode === 1 ? kernel.indexed! : kernel.rows!;
        build(control[6]!, bins, indices + at, g + at, h + at, control[4]!, control[5]!);
      }
    } catch {
      control[7] = 1;
    }
    Atomics.store(control, 1, seen);
    Atomics.notify(control, 1);
  }
}

const WORKER_SOURCE = `(${workerLoop.toString()})(${gradientRows.toString()});`;

interface HistogramWorker {
  worker: Worker;
  control: Int32Array;
  job: number;
}

/**
 * Histograms over `threads` threads: this one and threads - 1 workers, each building a fixed
 * share of the features (contiguous ranges, as even as the width allows) straight into the
 * node's histogram in the shared kernel memory; a node with fewer than minThreadedRows rows is
 * built here alone. The main thread blocks in Atomics.wait while the workers finish: boosting is
 * synchronous. Since each (feature, bin) sum runs over the same rows in the same order whichever
 * thread adds it, every thread count gives the same bits. Without a kernel arena: JavaScript on
 * this thread.
 */
export function histogramBuilder(
  sources: HistogramSources,
  threads: number,
  minThreadedRows = MIN_THREADED_ROWS,
): HistogramBuilder {
  const { arena } = sources;
  const whole = arena ? histogramKernel(arena.memory, sources.width, 0, sources.width) : null;
  if (arena === null || whole === null) return javascriptBuilder(sources);
  const { bins, rows, width, g, h, indices, gradients: loss } = sources;
  const shares = Math.max(1, Math.min(threads, width));
  // Feature f0 of share s: the shares split the width as evenly as integers allow.
  const bounds = Array.from({ length: shares + 1 }, (_, s) => Math.round((s * width) / shares));
  // This thread's kernel for each share: its own (share 0), and the workers' when it claims them.
  const kernels = Array.from({ length: shares }, (_, s) =>
    shares > 1 ? histogramKernel(arena.memory, width, bounds[s]!, bounds[s + 1]!)! : whole,
  );
  const workers: HistogramWorker[] = [];
  for (let s = 1; s < shares; s++) {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: {
        control,
        memory: arena.memory,
        bytes: histogramModuleBytes(width, bounds[s]!, bounds[s + 1]!),
        rows,
        bins: bins.byteOffset,
        g: g.byteOffset,
        h: h.byteOffset,
        indices: indices.byteOffset,
        loss: {
          code: loss.code,
          outputs: loss.outputs,
          y: loss.y.byteOffset,
          margins: loss.margins.byteOffset,
          terms: loss.terms.byteOffset,
        },
      },
    });
    worker.unref();
    workers.push({ worker, control, job: 0 });
  }
  const post = (w: HistogramWorker, mode: number, output = 0, start = 0, end = 0, sums = 0) => {
    const { control } = w;
    control[MODE] = mode;
    control[OUTPUT] = output;
    control[START] = start;
    control[END] = end;
    control[SUMS] = sums;
    w.job++;
    Atomics.store(control, JOB, w.job);
    Atomics.notify(control, JOB);
  };
  const abandon = (): void => {
    for (const w of workers) void w.worker.terminate();
    workers.length = 0;
  };
  /**
   * After this thread's share: computes each worker's share it can still claim, waits for the
   * others; false (workers abandoned) when a worker failed or did not answer.
   */
  const finish = (share: (s: number) => void): boolean => {
    const answered = workers.every((w, s) => {
      if (Atomics.compareExchange(w.control, CLAIMED, w.job - 1, w.job) === w.job - 1) {
        share(s + 1);
        return true;
      }
      return waitForWord(w.control, DONE, w.job, WAIT_MS) && w.control[FAILED] !== 1;
    });
    if (!answered) abandon();
    return answered;
  };
  const run = (
    kernel: HistogramKernel,
    out: Histogram,
    output: number,
    root: boolean,
    start: number,
    end: number,
  ) => {
    const at = output * rows * 4;
    const call = root ? kernel.rows : kernel.indexed;
    call(
      out.address,
      bins.byteOffset,
      indices.byteOffset + at,
      g.byteOffset + at,
      h.byteOffset + at,
      start,
      end,
    );
  };
  return {
    build(out, output, root, start, end) {
      if (out.address < 0) {
        javascriptBuild(sources, out, output, root, start, end);
        return;
      }
      if (workers.length === 0 || end - start < minThreadedRows) {
        run(whole, out, output, root, start, end);
        return;
      }
      for (const w of workers) {
        post(w, root ? MODE_ROOT : MODE_INDEXED, output, start, end, out.address);
      }
      const share = (s: number) => run(kernels[s]!, out, output, root, start, end);
      share(0);
      // A worker failed or went silent: this thread builds every feature, now and from now on.
      if (!finish(share)) run(whole, out, output, root, start, end);
    },
    gradients() {
      // Rows split evenly; share 0 is this thread's.
      const cut = (s: number) => Math.round((s * rows) / (workers.length + 1));
      workers.forEach((w, s) => {
        post(w, MODE_GRADIENTS, 0, cut(s + 1), cut(s + 2));
      });
      const share = (s: number) => gradientRowsOf(sources, cut(s), cut(s + 1));
      share(0);
      if (!finish(share)) gradientRowsOf(sources, 0, rows);
    },
    close() {
      for (const w of workers) post(w, MODE_EXIT);
      workers.length = 0;
    },
  };
}

function gradientRowsOf(sources: HistogramSources, start: number, end: number): void {
  const { code, outputs, y, margins, terms } = sources.gradients;
  gradientRows(code, y, margins, outputs, sources.g, sources.h, terms, start, end);
}

function javascriptBuild(
  sources: HistogramSources,
  out: Histogram,
  output: number,
  root: boolean,
  start: number,
  end: number,
): void {
  const { bins, rows, width, g, h, indices } = sources;
  const at = output * rows;
  const order = root ? null : indices.subarray(at, at + rows);
  const gc = g.subarray(at, at + rows);
  const hc = h.subarray(at, at + rows);
  accumulateRows(out.sums, bins, width, order, start, end, gc, hc, 0, width);
}

/** accumulateRows on this thread: where WebAssembly SIMD or shared memory is unavailable. */
function javascriptBuilder(sources: HistogramSources): HistogramBuilder {
  return {
    build: (out, output, root, start, end) =>
      javascriptBuild(sources, out, output, root, start, end),
    gradients: () => gradientRowsOf(sources, 0, sources.rows),
    close() {},
  };
}
