import type { DataFormat, RecordChunk, TextBlock } from '@tandem/tabular';
import { parseBlock } from '@tandem/tabular';
import type { RecordScorer } from './chunk-scorer.ts';
import { ScorerError } from './errors.ts';
import { OutputEncoder, type OutputEncoderOptions, RejectsEncoder } from './output-encoder.ts';
import { checkNoClash } from './prediction-columns.ts';

/** How blocks become output: plain data, so that scoring workers receive it as is. */
export interface BlockScorerConfig {
  encoder: OutputEncoderOptions;
  /** Format of the rejects file; undefined when bad rows stay in the output (error column). */
  rejectsFormat?: DataFormat;
  /** Stop at the first bad record. */
  strict: boolean;
  /** Names an NDJSON object may not carry: they would shadow an added column. */
  clashNames: readonly string[];
}

/**
 * What one block gives: its output and rejects text, in record order, and its counts. Workers
 * send the text as UTF-8 bytes: encoding it there spares the main thread, and bytes cross
 * threads without a copy.
 */
export interface BlockOutput {
  text: string | Uint8Array;
  rejectedText: string | Uint8Array;
  /** Records read (scored + rejected). */
  rows: number;
  scored: number;
  rejected: number;
  /** Values handled by a recorded rule (out of range, unseen category, imputed missing). */
  warnings: number;
  /** Input bytes consumed once the block was framed. */
  bytesRead: number;
}

/**
 * Turns a text block into output lines: parses it, scores it (without a scorer the records are
 * copied: the benchmark's baseline), and encodes every record, bad ones to the rejects text.
 * The same code runs on the main thread and in scoring workers, so where a block is scored never
 * changes its output. Throws TANDEM_SCORE_ROW_INVALID in strict mode, naming the first bad line.
 */
export class BlockScorer {
  private readonly config: BlockScorerConfig;
  private readonly scorer: RecordScorer | undefined;
  private readonly encoder: OutputEncoder;
  private readonly rejects: RejectsEncoder | undefined;

  constructor(config: BlockScorerConfig, scorer?: RecordScorer) {
    this.config = config;
    this.scorer = scorer;
    this.encoder = new OutputEncoder(config.encoder);
    this.rejects =
      config.rejectsFormat === undefined ? undefined : new RejectsEncoder(config.rejectsFormat);
  }

  /** The output file's first line (the CSV header) and the rejects file's. */
  headers(): { output: string; rejects: string } {
    return { output: this.encoder.header(), rejects: this.rejects?.header() ?? '' };
  }

  score(block: TextBlock): BlockOutput {
    const chunk = block.parsed ?? parseBlock(block);
    const clashNames = this.config.clashNames;
    if (chunk.format === 'ndjson' && clashNames.length > 0) checkObjectKeys(chunk, clashNames);
    const result = this.scorer?.score(chunk, this.config.encoder.explain !== undefined);
    const reasons = result ? result.reasons : chunk.hasProblems ? chunk.problems : undefined;
    const output: BlockOutput = {
      text: '',
      rejectedText: '',
      rows: chunk.count,
      scored: 0,
      rejected: 0,
      warnings: result?.warnings ?? 0,
      bytesRead: block.bytesRead,
    };
    let text = '';
    let rejectedText = '';
    for (let i = 0; i < chunk.count; i++) {
      const reason = reasons?.[i];
      if (reason !== undefined) {
        output.rejected++;
        if (this.config.strict) {
          throw new ScorerError('TANDEM_SCORE_ROW_INVALID', `line ${chunk.lines[i]}: ${reason}`);
        }
        if (this.rejects) {
          rejectedText += this.rejects.line(chunk, i, reason);
          continue;
        }
      } else {
        output.scored++;
      }
      text += this.encoder.line(chunk, i, result, reason);
    }
    output.text = text;
    output.rejectedText = rejectedText;
    return output;
  }
}

/** NDJSON objects may each carry other keys: none may shadow an added column. */
function checkObjectKeys(
  chunk: RecordChunk & { format: 'ndjson' },
  names: readonly string[],
): void {
  for (let i = 0; i < chunk.count; i++) {
    const object = chunk.objects[i];
    if (object === undefined) continue;
    for (const name of names) {
      if (Object.hasOwn(object, name)) checkNoClash([name], names, `line ${chunk.lines[i]}`);
    }
  }
}
