/**
 * MLP training throughput, samples per second per epoch (part of `npm run bench:train`):
 *
 * 1. The shipped credit config, trained end to end by `train()` (its early stopping decides the
 *    epochs): samples/s over the training loop.
 * 2. Tandem's training loop (`fitModel`) against tfjs's own `model.fit` on the same tensors, the
 *    same model shape and batch size, measured in the same run: a credit-sized part and a
 *    500,000-row synthetic part. The ratio is Tandem ÷ model.fit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend, tf } from '@tandem/runtime';
import type { TrainingConfig } from '../src/config/types.ts';
import { buildModel } from '../src/model/build.ts';
import { mulberry32 } from '../src/split/prng.ts';
import { fitModel, type TrainingPart } from '../src/train/loop.ts';
import { train } from '../src/train/run.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const WIDTH = 28; // the credit pipeline's output width
const HIDDEN = [64, 32];

interface Case {
  name: string;
  rows: number;
  batchSize: number;
  epochs: number;
}

const CASES: Case[] = [
  { name: 'credit-sized (2,850 rows)', rows: 2850, batchSize: 32, epochs: 5 },
  { name: 'synthetic (500,000 rows)', rows: 500_000, batchSize: 256, epochs: 1 },
];

/** A binary task with a known logistic structure, so the loss actually falls. */
function syntheticPart(rows: number, seed: number): TrainingPart {
  const random = mulberry32(seed);
  const x = new Float32Array(rows * WIDTH);
  const y = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let logit = 0;
    for (let column = 0; column < WIDTH; column++) {
      const value = random() * 2 - 1;
      x[row * WIDTH + column] = value;
      logit += value * ((column % 5) - 2);
    }
    y[row] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { x, y, rows, width: WIDTH };
}

function trainingConfig(batchSize: number, epochs: number): TrainingConfig {
  return {
    epochs,
    batchSize,
    learningRate: 0.001,
    optimizer: 'adam',
    earlyStopping: false,
    classWeight: 'none',
    seed: 7,
  };
}

function model(): tf.Sequential {
  return buildModel(
    { type: 'mlp', hidden: HIDDEN, activation: 'relu', dropout: 0, l2: 0 },
    'binary',
    WIDTH,
    2,
    7,
  );
}

async function tandemLoop(part: TrainingPart, validation: TrainingPart, c: Case): Promise<number> {
  const network = model();
  try {
    const started = performance.now();
    await fitModel(network, part, validation, {
      task: 'binary',
      classCount: 2,
      training: trainingConfig(c.batchSize, c.epochs),
      l2: 0,
    });
    return (part.rows * c.epochs) / ((performance.now() - started) / 1000);
  } finally {
    network.dispose();
  }
}

async function tfjsFit(part: TrainingPart, c: Case): Promise<number> {
  const network = model();
  const optimizer = tf.train.adam(0.001);
  network.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(part.x, [part.rows, part.width]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from(part.y), 'int32'), 2).toFloat();
  try {
    const started = performance.now();
    await network.fit(x, y, {
      batchSize: c.batchSize,
      epochs: c.epochs,
      shuffle: true,
      verbose: 0,
    });
    return (part.rows * c.epochs) / ((performance.now() - started) / 1000);
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    network.dispose();
  }
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Prints the MLP figures: the shipped credit config end to end, then loop against model.fit. */
export async function mlpFigures(): Promise<void> {
  const backend = await initBackend({ log: (line) => process.stderr.write(`${line}\n`) });
  console.log(`backend: ${backend.name}, tfjs ${backend.tfjsVersion}\n`);

  const artifacts = await mkdtemp(path.join(tmpdir(), 'tandem-train-bench-'));
  try {
    const result = await train({
      config: path.join(REPO_ROOT, 'data/models/credit.json'),
      artifacts,
    });
    const samples = result.split.train.length * result.history.epochsRun;
    console.log('| shipped config | train rows | epochs | training s | samples/s per epoch |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(
      `| credit MLP ${HIDDEN.join('×')} | ${result.split.train.length} | ${result.history.epochsRun} | ` +
        `${result.trainSeconds.toFixed(1)} | ${format(samples / result.trainSeconds)} |`,
    );
    result.predictor.dispose();
    console.log(`\ntensors allocated after train(): ${tf.memory().numTensors}`);
  } finally {
    await rm(artifacts, { recursive: true, force: true });
  }

  console.log(
    '\n| part | batch | epochs | Tandem loop samples/s | tfjs model.fit samples/s | ratio |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const c of CASES) {
    const part = syntheticPart(c.rows, 1);
    const validation = syntheticPart(Math.min(5000, Math.ceil(c.rows / 10)), 2);
    // Alternate the two so that machine noise falls on both; keep the better of two rounds.
    let ours = 0;
    let theirs = 0;
    for (let round = 0; round < 2; round++) {
      ours = Math.max(ours, await tandemLoop(part, validation, c));
      theirs = Math.max(theirs, await tfjsFit(part, c));
    }
    console.log(
      `| ${c.name} | ${c.batchSize} | ${c.epochs} | ${format(ours)} | ${format(theirs)} | ` +
        `${(ours / theirs).toFixed(2)} |`,
    );
  }
}
