import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import {
  type AnsweredRequest,
  buildReferenceProfile,
  DriftMonitor,
  encodeProfile,
  type LogEvent,
  MonitoringThread,
  PostgresSink,
  parseProfile,
  SEGMENT_PATTERN,
  type SinkSpec,
} from '../src/index.ts';
import { ndjson } from '../src/log/segment-sink.ts';
import { creditSplit, FEEDBACK, fakeOutputs, fakeScores, useTempFolder } from './data.ts';
import { usePostgres } from './postgres.ts';

const TEST_SINKS = new URL('./sinks/test-sinks.ts', import.meta.url).href;
const CLASSES = ['bad', 'good'];
const { test: rows, train, inputs } = creditSplit();
const profileBytes = encodeProfile(buildReferenceProfile(train, inputs, fakeOutputs(train)));

/** A request of `n` credit rows (some cells made numbers, null or odd) as the server answers it. */
function answered(id: string, from: number, n: number): AnsweredRequest & { sent: RawRow[] } {
  const sent = rows.slice(from, from + n).map((row, i) => {
    const copy: Record<string, unknown> = { ...row, Income: Number(row.Income) };
    if (i % 3 === 0) copy.Age = null;
    if (i % 4 === 0) copy.Records = true;
    return copy as RawRow;
  });
  return {
    id,
    time: 1_764_583_200_000 + from,
    model: 'credit',
    version: 3,
    label: from % 2 === 0 ? 'production' : null,
    route: 'native',
    rows: sent,
    outputs: fakeScores(sent),
    classes: CLASSES,
    sent,
  };
}

/** The events the server built for a request before the log had a worker thread. */
function eventsOf(request: ReturnType<typeof answered>): LogEvent[] {
  return request.sent.map((input, row) => {
    const bad = request.outputs[row * 2] as number;
    const good = request.outputs[row * 2 + 1] as number;
    return {
      type: 'prediction',
      id: request.id,
      row,
      time: new Date(request.time).toISOString(),
      model: request.model,
      version: request.version,
      label: request.label,
      route: request.route,
      input,
      output: { label: good > bad ? 'good' : 'bad', probabilities: { bad, good } },
    };
  });
}

async function segmentText(folder: string): Promise<string> {
  const files = (await readdir(folder)).filter((f) => SEGMENT_PATTERN.test(f)).sort();
  let text = '';
  for (const f of files) text += await readFile(join(folder, f), 'utf8');
  return text;
}

describe('MonitoringThread', () => {
  const dir = useTempFolder('tandem-monitoring-thread-');

  it('counts drift in its worker exactly as a DriftMonitor in this thread, logged or not', async () => {
    const folder = join(dir(), 'drift');
    const thread = new MonitoringThread({ sink: { kind: 'segments', folder }, batchSize: 64 });
    const options = { rowWindow: 250, timeWindowMs: 3_600_000 };
    const monitor = thread.watch(profileBytes, options);
    const here = new DriftMonitor(parseProfile(profileBytes), options);
    const requests = [answered('a', 0, 1), answered('b', 1, 100), answered('c', 101, 200)];
    // Rows of other shapes among them: a key missing, an extra key.
    const { Income: _, ...short } = rows[400] as RawRow;
    const odd = [short, { ...(rows[401] as RawRow), Extra: 'x' }, rows[402] as RawRow];
    requests.push({
      ...answered('d', 400, 3),
      rows: odd,
      outputs: fakeScores(odd),
      sent: odd,
    });
    requests.forEach((request, i) => {
      // Every other request is logged; all are counted in drift.
      const logged = i % 2 === 1;
      expect(thread.offerRequest(request, logged, monitor)).toBe(logged ? request.sent.length : 0);
      here.observe(request.sent, request.outputs);
    });
    const reading = await thread.drift(monitor);
    expect(reading?.rowsSeen).toBe(304);
    expect(reading?.rowWindow).toEqual(here.snapshot().rowWindow);
    expect(reading?.timeWindow).toEqual(here.snapshot().timeWindow);
    expect(thread.driftRowsDropped).toBe(0);
    await thread.close();
    // Only the logged requests were written.
    expect(thread.counts()).toEqual({ sent: 103, written: 103, dropped: 0, failed: 0, pending: 0 });
    expect(await segmentText(folder)).toBe(
      ndjson([requests[1], requests[3]].flatMap((r) => eventsOf(r as ReturnType<typeof answered>))),
    );
  });

  it('without a log counts drift only, and drops the rows past its drift capacity', async () => {
    const thread = new MonitoringThread({ driftCapacity: 150 });
    expect(thread.logs).toBe(false);
    expect(thread.sample()).toBe(false);
    const monitor = thread.watch(profileBytes, { rowWindow: 1000 });
    // Both wait here until the post: the second has no room.
    expect(thread.offerRequest(answered('a', 0, 100), false, monitor)).toBe(0);
    thread.offerRequest(answered('b', 100, 100), false, monitor);
    expect(thread.driftRowsDropped).toBe(100);
    expect((await thread.drift(monitor))?.rowsSeen).toBe(100);
    // Counted: the room is back.
    thread.offerRequest(answered('c', 200, 100), false, monitor);
    expect((await thread.drift(monitor))?.rowWindow.rows).toBe(200);
    thread.unwatch(monitor);
    expect(await thread.drift(monitor)).toBeUndefined();
    await thread.close();
    expect(thread.counts()).toMatchObject({ sent: 0, written: 0 });
  });

  it('writes, from its worker, the same NDJSON as the in-thread log, and all of it on close', async () => {
    const folder = join(dir(), 'same');
    const log = new MonitoringThread({ sink: { kind: 'segments', folder }, batchSize: 64 });
    const requests = [answered('a', 0, 1), answered('b', 1, 100), answered('c', 101, 7)];
    const feedback = FEEDBACK;
    for (const request of requests) expect(log.offerRequest(request)).toBe(request.sent.length);
    expect(log.offer(feedback)).toBe(true);
    // Closed at once: the queued events must still all be written.
    await log.close();
    expect(log.counts()).toEqual({ sent: 109, written: 109, dropped: 0, failed: 0, pending: 0 });
    const expected = [...requests.flatMap(eventsOf), feedback];
    expect(await segmentText(folder)).toBe(ndjson(expected));
    expect(log.offer(feedback)).toBe(false);
    expect(log.counts()).toMatchObject({ sent: 110, dropped: 1 });
  });

  it('writes odd cells, odd shapes and integer-like class names as JSON.stringify does', async () => {
    const folder = join(dir(), 'odd');
    const sent = [
      { Home: 'rent "cheap"\nÿ', Income: -0, Age: Number.NaN, Job: { nested: [1, 'two'] } },
      { Home: '0012', Income: 1e21, Age: '129', Job: undefined },
      // A string longer than the batch shares (64 characters), twice.
      { Age: 3, Home: 'other order', Job: 'long '.repeat(20), Extra: 'long '.repeat(20) },
      { Home: 'owner', Income: 2.5, Age: null, Job: false, Extra: 'more keys' },
    ] as unknown as RawRow[];
    const classes = ['1', '0', 'b'];
    const outputs = new Float32Array([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4]);
    const log = new MonitoringThread({ sink: { kind: 'segments', folder } });
    const request = {
      id: 'odd "id"',
      time: 1_764_583_200_000,
      model: 'credit',
      version: 4,
      label: null,
      route: 'native-csv',
      rows: sent,
      outputs,
      classes,
    };
    log.offerRequest(request);
    await log.close();
    const expected: LogEvent[] = sent.map((input, row) => {
      const probabilities: Record<string, number> = {};
      for (let k = 0; k < 3; k++)
        probabilities[classes[k] as string] = outputs[row * 3 + k] as number;
      const scores = [...outputs.subarray(row * 3, row * 3 + 3)];
      const label = classes[scores.indexOf(Math.max(...scores))] as string;
      return {
        type: 'prediction',
        id: request.id,
        row,
        time: new Date(request.time).toISOString(),
        model: 'credit',
        version: 4,
        label: null,
        route: 'native-csv',
        input,
        output: { label, probabilities },
      };
    });
    expect(await segmentText(folder)).toBe(expected.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });

  it('with a stalled sink, holds at most capacity events, and written + dropped = sent', async () => {
    const release = join(dir(), 'release');
    const sink: SinkSpec = {
      kind: 'module',
      url: TEST_SINKS,
      options: { kind: 'stalled', release },
    };
    const log = new MonitoringThread({ sink, capacity: 500, batchSize: 100 });
    const monitor = log.watch(profileBytes, {});
    let sent = 0;
    for (let i = 0; i < 400; i++) {
      const request = answered(`s${i}`, i % 1000, 25);
      log.offerRequest(request, true, monitor);
      sent += 25;
      expect(log.counts().pending).toBeLessThanOrEqual(500);
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const stalled = log.counts();
    expect(stalled.sent).toBe(sent);
    expect(stalled.written).toBe(0);
    expect(stalled.dropped).toBeGreaterThanOrEqual(sent - 500);
    // Drift does not wait for the log: every row is counted while the sink is stalled.
    expect((await log.drift(monitor))?.rowsSeen).toBe(sent);
    expect(log.driftRowsDropped).toBe(0);
    await writeFile(release, '');
    await log.flush();
    const after = log.counts();
    expect(after.pending).toBe(0);
    expect(after.failed).toBe(0);
    expect(after.written).toBeGreaterThan(0);
    expect(after.written + after.dropped).toBe(after.sent);
    await log.close();
  });

  it('answers a drift reading within its timeout while the worker is blocked, and after', async () => {
    const marker = join(dir(), 'blocked');
    const thread = new MonitoringThread({
      sink: {
        kind: 'module',
        url: TEST_SINKS,
        options: { kind: 'blocking', blockMs: 1500, marker },
      },
      readTimeoutMs: 200,
    });
    const monitor = thread.watch(profileBytes, {});
    thread.offerRequest(answered('a', 0, 10), true, monitor);
    await thread.flush();
    expect((await thread.drift(monitor))?.rowsSeen).toBe(10);
    // The second write blocks the worker's thread for 1.5 s.
    thread.offerRequest(answered('b', 10, 10), true, monitor);
    void thread.flush();
    while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 10));
    thread.offerRequest(answered('c', 20, 10), true, monitor);
    const started = Date.now();
    expect(await thread.drift(monitor)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    // Unblocked, the worker has counted what was queued meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await thread.drift(monitor))?.rowsSeen).toBe(30);
    await thread.close();
  });

  it('restarts a worker that dies, counts what it held as failed, and keeps logging', async () => {
    const folder = join(dir(), 'dying');
    const marker = join(dir(), 'died');
    const errors: unknown[] = [];
    const log = new MonitoringThread({
      sink: { kind: 'module', url: TEST_SINKS, options: { kind: 'dying', folder, marker } },
      onError: (error) => errors.push(error),
    });
    const monitor = log.watch(profileBytes, {});
    log.offerRequest(answered('lost', 0, 10), true, monitor);
    // The first worker dies on its first write; flush resolves when it is gone.
    await log.flush();
    while (log.counts().failed < 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(existsSync(marker)).toBe(true);
    const later = answered('kept', 10, 5);
    log.offerRequest(later, true, monitor);
    // The new worker watches the same profile, in windows of its own.
    expect((await log.drift(monitor))?.rowsSeen).toBe(5);
    await log.close();
    expect(log.counts()).toEqual({ sent: 15, written: 5, dropped: 0, failed: 10, pending: 0 });
    expect(await segmentText(folder)).toBe(ndjson(eventsOf(later)));
    expect(String(errors.find((e) => /restarting/.test(String(e))))).toMatch(/exit code 7/);
  });

  it('stops restarting a worker that keeps dying, and counts new events as failed', async () => {
    const errors: unknown[] = [];
    const log = new MonitoringThread({
      sink: { kind: 'module', url: join(dir(), 'no-such-module.ts') },
      maxRestarts: 1,
      onError: (error) => errors.push(error),
    });
    log.offerRequest(answered('x', 0, 3));
    while (!errors.some((e) => /within a minute/.test(String(e))))
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.offerRequest(answered('y', 3, 2))).toBe(0);
    await log.close();
    const counts = log.counts();
    expect(counts).toMatchObject({ sent: 5, written: 0, pending: 0 });
    expect(counts.failed + counts.dropped).toBe(5);
    expect(counts.failed).toBeGreaterThanOrEqual(2);
  });
});

describe('MonitoringThread to PostgreSQL', () => {
  const postgres = usePostgres();

  it('writes every row of every request from its worker to a real PostgreSQL', async () => {
    const table = `threaded_${process.pid}_${Date.now()}`;
    const log = new MonitoringThread({ sink: { kind: 'postgres', url: postgres(), table } });
    const requests = [answered('p', 0, 3), answered('q', 3, 40)];
    for (const request of requests) log.offerRequest(request);
    await log.close();
    expect(log.counts()).toMatchObject({ sent: 43, written: 43, failed: 0 });
    const reader = new PostgresSink({ url: postgres(), table });
    const back = await reader.read('credit');
    await reader.close();
    // jsonb normalises the text; the events are the same values.
    expect(back).toEqual(
      JSON.parse(`[${ndjson(requests.flatMap(eventsOf)).trim().split('\n').join(',')}]`),
    );
  });
});
