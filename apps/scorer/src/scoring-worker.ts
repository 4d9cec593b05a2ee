/**
 * A scoring worker thread: rebuilds the main thread's predictor from its replica (without
 * TensorFlow.js, so it starts in a fraction of a second) and scores the blocks it is sent with
 * the same BlockScorer as the main thread. Started by ScoringWorkers, bundled (worker-bundle.ts).
 */
import { parentPort } from 'node:worker_threads';
import { Predictor } from '@tandem/runtime/predictor';
import { BlockScorer } from './block-scorer.ts';
import { PredictorScorer } from './chunk-scorer.ts';
import type { CarriedError, FromWorker, ToWorker } from './worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('scoring-worker.ts runs as a worker thread only');

const encoder = new TextEncoder();
let scorer: PredictorScorer | undefined;
let blocks: BlockScorer | undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'model') {
    try {
      scorer = new PredictorScorer(Predictor.fromReplica(message.replica));
      port.postMessage({ type: 'ready' } satisfies FromWorker);
    } catch (error) {
      port.postMessage({ type: 'unusable', error: carried(error) } satisfies FromWorker);
    }
    return;
  }
  if (message.type === 'configure') {
    if (scorer !== undefined) blocks = new BlockScorer(message.config, scorer);
    return;
  }
  try {
    if (blocks === undefined) throw new Error('a block arrived before the model and configuration');
    const output = blocks.score(message.block);
    const text = encoder.encode(output.text as string);
    const rejectedText = encoder.encode(output.rejectedText as string);
    const answer: FromWorker = {
      type: 'done',
      seq: message.seq,
      output: { ...output, text, rejectedText },
    };
    port.postMessage(answer, [text.buffer, rejectedText.buffer]);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      seq: message.seq,
      error: carried(error),
    } satisfies FromWorker);
  }
});

function carried(error: unknown): CarriedError {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as Error & { code?: unknown }).code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}
