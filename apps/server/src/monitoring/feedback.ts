import { MonitoringError, type MonitoringThread, type RecentPredictions } from '@tandem/monitoring';
import type { MonitoringMetrics } from './prometheus.ts';
import type { VersionStates } from './version-state.ts';

/** One item of POST /v1/models/:name/feedback. */
export interface FeedbackItem {
  /** The answer's id (its `id` field or x-request-id header). */
  id: string;
  /** Row of a bulk request, 0 by default. */
  row?: number;
  /** Classifiers: the true class. */
  label?: string | number | boolean;
  /** Regressors: the true value. */
  value?: number;
}

export interface FeedbackSummary {
  model: string;
  received: number;
  matched: number;
  duplicate: number;
  unknown: number;
  rowOutOfRange: number;
}

/**
 * Joins ground truth to remembered answers, each row once (a repeated item is a duplicate, not
 * counted again), and adds it to the answering version's live performance and counters. Every
 * item is checked before any is applied: a bad item refuses the request and changes nothing.
 */
export function applyFeedback(
  model: string,
  items: readonly FeedbackItem[],
  parts: {
    states: VersionStates;
    recent: RecentPredictions;
    thread: MonitoringThread;
    metrics: MonitoringMetrics;
  },
): FeedbackSummary {
  const { states, recent, thread, metrics } = parts;
  const truths = items.map((item, i) => truthOf(model, item, i, parts));
  const summary: FeedbackSummary = {
    model,
    received: items.length,
    matched: 0,
    duplicate: 0,
    unknown: 0,
    rowOutOfRange: 0,
  };
  const now = Date.now();
  items.forEach((item, i) => {
    const row = item.row ?? 0;
    const match = recent.claim(model, item.id, row);
    metrics.item(model, match.outcome);
    if (match.outcome !== 'matched') {
      if (match.outcome === 'duplicate') summary.duplicate++;
      else if (match.outcome === 'unknown') summary.unknown++;
      else summary.rowOutOfRange++;
      return;
    }
    summary.matched++;
    const { prediction, scores } = match;
    const truth = truths[i] as string | number;
    const state = states.find(model, prediction.version);
    metrics.labelDelay(model, (now - prediction.time) / 1000);
    if (state !== undefined) {
      const perf = state.performance;
      if ('classes' in perf) {
        const actual = perf.classes.indexOf(String(truth));
        const { predicted, logLoss } = perf.add(actual, scores);
        const predictedClass = perf.classes[predicted] as string;
        metrics.classified(
          model,
          prediction.version,
          String(truth),
          predictedClass,
          predicted === actual,
          logLoss,
        );
      } else {
        const { error } = perf.add(truth as number, scores[0] as number);
        metrics.regressed(model, prediction.version, error);
      }
    }
    thread.offer({
      type: 'feedback',
      id: item.id,
      row,
      time: new Date(now).toISOString(),
      model,
      version: prediction.version,
      truth,
    });
  });
  return summary;
}

/** The item's ground truth, checked against the answering version's outputs when it is known. */
function truthOf(
  model: string,
  item: FeedbackItem,
  index: number,
  parts: { states: VersionStates; recent: RecentPredictions },
): string | number | undefined {
  const prediction = parts.recent.peek(model, item.id);
  if (prediction === undefined) return undefined;
  const classes = parts.states.find(model, prediction.version)?.classes;
  const where = `feedback[${index}] (id ${JSON.stringify(item.id)})`;
  if (classes === undefined) {
    if (typeof item.value !== 'number' || !Number.isFinite(item.value)) {
      throw new MonitoringError(
        'TANDEM_FEEDBACK_INVALID',
        `${where}: a regressor's feedback needs a finite "value"`,
      );
    }
    return item.value;
  }
  if (item.label === undefined) {
    throw new MonitoringError(
      'TANDEM_FEEDBACK_INVALID',
      `${where}: a classifier's feedback needs a "label"`,
    );
  }
  const label = String(item.label);
  if (!classes.includes(label)) {
    throw new MonitoringError(
      'TANDEM_FEEDBACK_INVALID',
      `${where}: label ${JSON.stringify(label)} is not a class of version ${prediction.version} (${classes.join(', ')})`,
    );
  }
  return label;
}
