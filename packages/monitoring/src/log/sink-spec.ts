import type { LogSink } from './events.ts';
import { PostgresSink } from './postgres-sink.ts';
import { SegmentSink } from './segment-sink.ts';

/**
 * Which sink the log's worker thread opens, as plain data: a sink object cannot cross to a
 * worker thread, its description can.
 */
export type SinkSpec =
  | { kind: 'segments'; folder: string; segmentBytes?: number; segmentMs?: number }
  | { kind: 'postgres'; url: string; table?: string }
  /** A module of the caller's whose `createSink(options)` returns the sink (tests, custom sinks). */
  | { kind: 'module'; url: string; options?: unknown };

/**
 * Opens the sink a spec names, in the log's worker thread; `firstSequence` keeps a restarted
 * worker's segment names apart. Segments are written blocking: the worker has nothing else to do.
 */
export async function openSink(spec: SinkSpec, firstSequence = 0): Promise<LogSink> {
  switch (spec.kind) {
    case 'segments':
      return new SegmentSink({ ...spec, firstSequence, blockingWrites: true });
    case 'postgres':
      return new PostgresSink(spec);
    case 'module': {
      const module = (await import(spec.url)) as {
        createSink?: (options: unknown) => LogSink | Promise<LogSink>;
      };
      if (typeof module.createSink !== 'function') {
        throw new Error(`${spec.url} exports no createSink(options)`);
      }
      return module.createSink(spec.options);
    }
  }
}
