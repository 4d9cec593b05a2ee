import type { ScoreProgress } from './pipeline.ts';

export interface ProgressOptions {
  /** Where lines go (stderr in the CLI). */
  write: (text: string) => void;
  /** A redrawn bar on a terminal; plain periodic lines otherwise (CI logs, files). */
  tty: boolean;
  /** Terminal width for the bar. */
  columns?: number;
  /** Seconds between plain lines. */
  interval?: number;
}

const BAR_REDRAW_MS = 100;

/**
 * Shows scoring progress: rows, rows/s, and an ETA from the share of the input file's bytes
 * consumed so far.
 */
export class ProgressReporter {
  private readonly options: ProgressOptions;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(options: ProgressOptions) {
    this.options = options;
  }

  update(progress: ScoreProgress): void {
    const now = performance.now();
    const every = this.options.tty ? BAR_REDRAW_MS : (this.options.interval ?? 5) * 1000;
    if (now - this.lastDraw < every) return;
    this.lastDraw = now;
    if (this.options.tty) {
      this.options.write(`\r${this.bar(progress)}\x1b[K`);
      this.drawn = true;
    } else {
      this.options.write(`${plainLine(progress)}\n`);
    }
  }

  /** Clears the bar so the summary starts on a clean line. */
  finish(): void {
    if (this.drawn) this.options.write('\r\x1b[K');
    this.drawn = false;
  }

  private bar(progress: ScoreProgress): string {
    const share = fraction(progress);
    const stats = `${percent(share)} ${formatCount(progress.rows)} rows  ${formatRate(progress)} rows/s  ETA ${eta(progress, share)}`;
    const width = Math.max(10, Math.min(40, (this.options.columns ?? 80) - stats.length - 3));
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${stats}`;
  }
}

function fraction(progress: ScoreProgress): number {
  if (progress.totalBytes <= 0) return 1;
  return Math.min(1, progress.bytesRead / progress.totalBytes);
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0).padStart(3)}%`;
}

function formatRate(progress: ScoreProgress): string {
  return progress.seconds > 0 ? formatCount(Math.round(progress.rows / progress.seconds)) : '-';
}

/** Remaining time, assuming the rest of the file goes at the rate so far. */
function eta(progress: ScoreProgress, share = fraction(progress)): string {
  if (share <= 0 || progress.seconds <= 0) return '--:--';
  return formatDuration((progress.seconds * (1 - share)) / share);
}

function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function plainLine(progress: ScoreProgress): string {
  const share = fraction(progress);
  return `scored ${formatCount(progress.rows)} rows (${percent(share).trim()}), ${formatRate(progress)} rows/s, ETA ${eta(progress, share)}`;
}
