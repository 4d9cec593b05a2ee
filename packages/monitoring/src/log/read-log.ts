import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { MonitoringError } from '../errors.ts';
import type { FeedbackEvent, LogEvent, PredictionEvent } from './events.ts';
import { SEGMENT_PATTERN } from './segment-sink.ts';

/** One sealed segment that contributed events, for a manifest's lineage. */
export interface SegmentLineage {
  file: string;
  sha256: string;
  events: number;
}

export interface LoggedTrainingRows {
  /** The logged inputs of every labelled prediction, with the ground truth in `target`. */
  rows: RawRow[];
  lineage: {
    folder: string;
    model: string;
    /** ISO times of the window: events at or after `since`, before `until`. */
    since: string;
    until: string;
    segments: SegmentLineage[];
    predictions: number;
    labelled: number;
    /** Labelled rows per version that answered them (a version number's text as key). */
    versions: Record<string, number>;
  };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "30m", "12h", "7d", "2w" → milliseconds. */
export function parseWindow(text: string): number {
  const match = /^(\d+)(m|h|d|w)$/.exec(text.trim());
  if (match === null) {
    throw new MonitoringError(
      'TANDEM_LOG_READ_FAILED',
      `a log window is a number and m, h, d or w ("7d"), got ${JSON.stringify(text)}`,
    );
  }
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/**
 * Training rows from what was served: the prediction log's sealed segments in `folder`, its
 * prediction events of `model` in the window joined with their feedback by (id, row). The first
 * feedback for a row wins (feedback is idempotent). Segments still being written (`.open-…`) are
 * not read: their content is not final, and a lineage hash must name final bytes.
 */
export async function readLoggedTrainingRows(options: {
  folder: string;
  model: string;
  target: string;
  /** Look-back window ("7d") or a start time in epoch ms. */
  since: string | number;
  now?: number;
}): Promise<LoggedTrainingRows> {
  const until = options.now ?? Date.now();
  const since =
    typeof options.since === 'number' ? options.since : until - parseWindow(options.since);
  let files: string[];
  try {
    files = (await readdir(options.folder)).filter((f) => SEGMENT_PATTERN.test(f)).sort();
  } catch (error) {
    throw new MonitoringError(
      'TANDEM_LOG_READ_FAILED',
      `cannot list the prediction log ${options.folder}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const predictions = new Map<string, PredictionEvent>();
  const truths = new Map<string, FeedbackEvent>();
  const segments: SegmentLineage[] = [];
  for (const file of files) {
    const bytes = await readFile(join(options.folder, file));
    let used = 0;
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      let event: LogEvent;
      try {
        event = JSON.parse(line) as LogEvent;
      } catch {
        throw new MonitoringError(
          'TANDEM_LOG_READ_FAILED',
          `${file} line ${index + 1} is not JSON`,
        );
      }
      if (event.model !== options.model) return;
      const time = Date.parse(event.time);
      if (!(time >= since && time < until)) return;
      const key = `${event.id}\u0000${event.row}`;
      if (event.type === 'prediction') predictions.set(key, event);
      else if (!truths.has(key)) truths.set(key, event);
      used++;
    });
    if (used > 0)
      segments.push({
        file,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        events: used,
      });
  }
  const rows: RawRow[] = [];
  const versions: Record<string, number> = {};
  for (const [key, prediction] of predictions) {
    const truth = truths.get(key);
    if (truth === undefined) continue;
    rows.push({ ...prediction.input, [options.target]: truth.truth });
    versions[prediction.version] = (versions[prediction.version] ?? 0) + 1;
  }
  return {
    rows,
    lineage: {
      folder: options.folder,
      model: options.model,
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      segments,
      predictions: predictions.size,
      labelled: rows.length,
      versions,
    },
  };
}
