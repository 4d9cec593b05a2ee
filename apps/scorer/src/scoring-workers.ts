import { Worker } from 'node:worker_threads';
import type { PredictorReplica } from '@tandem/runtime/predictor';
import {
  TABULAR_ERRORS,
  TabularError,
  type TabularErrorCode,
  type TextBlock,
} from '@tandem/tabular';
import type { BlockOutput, BlockScorerConfig } from './block-scorer.ts';
import { SCORER_ERRORS, ScorerError, type ScorerErrorCode } from './errors.ts';
import { scoringWorkerUrl } from './worker-bundle.ts';
import type { CarriedError, FromWorker, ToWorker } from './worker-protocol.ts';

/** Blocks queued per worker: one being scored, one waiting, so a worker never idles. */
export const BLOCKS_PER_WORKER = 2;

interface Job {
  resolve: (output: BlockOutput) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  jobs: Map<number, Job>;
  /** Blocks handed to this worker so far. */
  blocks: number;
  /** Settles once the worker is ready, or out of the run. */
  started: Promise<void>;
  settleStarted: () => void;
}

/**
 * Worker threads that score blocks next to the main thread. They start before the model is
 * loaded and rebuild the predictor when `load` sends its replica, so that starting them overlaps
 * with loading the model. Until a worker is ready, and whenever every ready worker has its queue
 * full, `submit` returns undefined and the caller scores the block itself. A worker that cannot
 * start is dropped with one log line (the run goes on without it); one that dies while scoring
 * fails the blocks it held.
 */
export class ScoringWorkers {
  private readonly slots: Slot[];
  private readonly log: (line: string) => void;
  private seq = 0;

  private constructor(url: URL, count: number, log: (line: string) => void) {
    this.log = log;
    this.slots = Array.from({ length: count }, () => this.spawn(url));
  }

  /** Starts `count` workers; throws when their code cannot be built. */
  static async start(count: number, log: (line: string) => void): Promise<ScoringWorkers> {
    return new ScoringWorkers(await scoringWorkerUrl(), count, log);
  }

  /** Workers started (ready or not). */
  get size(): number {
    return this.slots.length;
  }

  /** Workers that have been handed at least one block. */
  get used(): number {
    return this.slots.filter((slot) => slot.blocks > 0).length;
  }

  /** Sends every worker the model to rebuild. */
  load(replica: PredictorReplica): void {
    this.post({ type: 'model', replica });
  }

  configure(config: BlockScorerConfig): void {
    this.post({ type: 'configure', config });
  }

  /** Settles once every worker is ready or out of the run. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.started));
  }

  /** Hands the block to the least busy ready worker, or returns undefined when none has room. */
  submit(block: TextBlock): Promise<BlockOutput> | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready || slot.dead || slot.jobs.size >= BLOCKS_PER_WORKER) continue;
      if (best === undefined || slot.jobs.size < best.jobs.size) best = slot;
    }
    if (best === undefined) return undefined;
    const slot = best;
    const seq = this.seq++;
    slot.blocks++;
    return new Promise<BlockOutput>((resolve, reject) => {
      slot.jobs.set(seq, { resolve, reject });
      slot.worker.postMessage({ type: 'block', seq, block } satisfies ToWorker);
    });
  }

  /** Stops every worker; blocks still held fail. */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        this.drop(slot, new Error('the scoring workers were stopped'));
        await slot.worker.terminate();
      }),
    );
  }

  private post(message: ToWorker): void {
    for (const slot of this.slots) if (!slot.dead) slot.worker.postMessage(message);
  }

  private spawn(url: URL): Slot {
    // No flags from this process: the bundle needs no module loader (tsx's would cost each
    // worker about 40 ms to start), and heap flags such as --max-old-space-size are refused in
    // a worker's execArgv.
    const worker = new Worker(url, { execArgv: [] });
    let settle = (): void => {};
    const started = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const slot: Slot = {
      worker,
      ready: false,
      dead: false,
      jobs: new Map(),
      blocks: 0,
      started,
      settleStarted: settle,
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        slot.ready = true;
        slot.settleStarted();
      } else if (message.type === 'unusable') {
        this.notStarted(slot, message.error.message);
      } else {
        const job = slot.jobs.get(message.seq);
        slot.jobs.delete(message.seq);
        if (message.type === 'done') job?.resolve(message.output);
        else job?.reject(revive(message.error));
      }
    });
    worker.on('error', (error) => {
      if (!slot.ready) this.notStarted(slot, error.message);
      else
        this.drop(slot, new Error(`a scoring worker failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      this.drop(slot, new Error(`a scoring worker exited (code ${code})`));
    });
    return slot;
  }

  private notStarted(slot: Slot, reason: string): void {
    if (slot.dead) return;
    this.log(`a scoring worker could not start (${reason}); going on without it`);
    this.drop(slot, new Error(reason));
    void slot.worker.terminate();
  }

  private drop(slot: Slot, error: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.settleStarted();
    for (const job of slot.jobs.values()) job.reject(error);
    slot.jobs.clear();
  }
}

/** The worker's error as the main thread throws it: a ScorerError or TabularError keeps its class and code. */
function revive(error: CarriedError): Error {
  if (error.code !== undefined && Object.hasOwn(SCORER_ERRORS, error.code)) {
    return new ScorerError(error.code as ScorerErrorCode, error.message);
  }
  if (error.code !== undefined && Object.hasOwn(TABULAR_ERRORS, error.code)) {
    return new TabularError(error.code as TabularErrorCode, error.message);
  }
  const revived = new Error(error.message) as Error & { code?: string };
  if (error.code !== undefined) revived.code = error.code;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}
