import type { EpochReport } from './loop.ts';

export interface ProgressSink {
  onEpoch(report: EpochReport): void;
  /** Ends the bar's line, if one is drawn. */
  finish(): void;
}

export interface ProgressOptions {
  /** Draws a bar redrawn in place on this terminal stream (stderr when it is a TTY). */
  tty?: { write(text: string): unknown; columns?: number };
  /** Without a terminal: receives plain periodic lines. */
  log: (line: string) => void;
  /** Seconds between plain lines (besides every tenth epoch). */
  intervalSeconds?: number;
  now?: () => number;
  /** What a step is called in the line: 'epoch' (default) or 'iteration' (boosting). */
  unit?: string;
}

const BAR_WIDTH = 20;

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
}

function describe(report: EpochReport, unit: string): string {
  const perEpoch = report.elapsedMs / 1000 / report.epoch;
  // An upper bound: early stopping usually ends the run sooner.
  const eta = perEpoch * (report.epochs - report.epoch);
  // Without a validation part (gbdt below its early-stopping size) there is no val loss to show.
  const validation = Number.isFinite(report.valLoss)
    ? `  val loss ${report.valLoss.toFixed(4)}  (best ${report.bestValLoss.toFixed(4)})`
    : '';
  return (
    `${unit} ${String(report.epoch).padStart(String(report.epochs).length)}/${report.epochs}` +
    `  loss ${report.loss.toFixed(4)}${validation}  ETA ≤ ${formatSeconds(eta)}`
  );
}

/**
 * Training progress: on a terminal a one-line bar redrawn in place; elsewhere (CI logs) a plain
 * line at the first epoch, every tenth epoch and at least every `intervalSeconds`.
 */
export function createProgress(options: ProgressOptions): ProgressSink {
  const now = options.now ?? (() => performance.now());
  const interval = (options.intervalSeconds ?? 5) * 1000;
  let lastLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const unit = options.unit ?? 'epoch';
  return {
    onEpoch(report) {
      if (options.tty) {
        const filled = Math.round((BAR_WIDTH * report.epoch) / report.epochs);
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
        const line = `${bar} ${describe(report, unit)}`;
        // A pseudo-terminal may report 0 columns: treat that as unknown.
        const columns = options.tty.columns && options.tty.columns > 0 ? options.tty.columns : 120;
        options.tty.write(`\r\x1b[2K${line.slice(0, Math.max(20, columns - 1))}`);
        drawn = true;
        return;
      }
      const time = now();
      if (report.epoch === 1 || report.epoch % 10 === 0 || time - lastLine >= interval) {
        options.log(describe(report, unit));
        lastLine = time;
      }
    },
    finish() {
      if (options.tty && drawn) options.tty.write('\n');
      drawn = false;
    },
  };
}
