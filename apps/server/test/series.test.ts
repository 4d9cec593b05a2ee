import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterFamily, HistogramFamily } from '../src/metrics/series.ts';

const BOUNDS = [0.001, 0.01, 0.1, 1];
// Bounds, values between them, exact bounds and beyond the last: every bucket is exercised.
const OBSERVED: [string, string, number][] = [
  ['/a', 'GET', 0.0005],
  ['/a', 'GET', 0.001],
  ['/a', 'GET', 0.05],
  ['/a', 'POST', 0.7],
  ['/b', 'GET', 3],
  ['/a', 'GET', 0.1],
  ['/b', 'GET', 0.002],
];

/** The same observations in prom-client's own series and in the plain families. */
function both(): { reference: Registry; plain: Registry } {
  const reference = new Registry();
  const plain = new Registry();
  const counter = new Counter({
    name: 'requests_total',
    help: 'h',
    labelNames: ['route', 'method'],
    registers: [reference],
  });
  const histogram = new Histogram({
    name: 'seconds',
    help: 'h',
    labelNames: ['route', 'method'],
    buckets: BOUNDS,
    registers: [reference],
  });
  const counters = new CounterFamily(plain, 'requests_total', 'h', ['route', 'method']);
  const histograms = new HistogramFamily(plain, 'seconds', 'h', ['route', 'method'], BOUNDS);
  for (const [route, method, seconds] of OBSERVED) {
    counter.labels(route, method).inc(2);
    histogram.labels(route, method).observe(seconds);
    counters.labels(route, method).value += 2;
    histograms.labels(route, method).observe(seconds);
  }
  return { reference, plain };
}

describe('plain counter and histogram families', () => {
  it("write the same Prometheus text as prom-client's Counter and Histogram", async () => {
    const { reference, plain } = both();
    const text = await plain.metrics();
    expect(text).toBe(await reference.metrics());
    expect(text).toContain('seconds_bucket{le="0.001",route="/a",method="GET"} 2');
    expect(text).toContain('seconds_bucket{le="+Inf",route="/b",method="GET"} 2');
    expect(text).toContain('seconds_sum{route="/b",method="GET"} 3.002');
    expect(text).toContain('requests_total{route="/a",method="GET"} 8');
  });

  it('aggregate across cluster workers as prom-client sums its own', async () => {
    const a = both();
    const b = both();
    const sum = (registries: Registry[]) =>
      Promise.all(registries.map((r) => r.getMetricsAsJSON())).then((json) =>
        AggregatorRegistry.aggregate(json as never).metrics(),
      );
    const aggregated = await sum([a.plain, b.plain]);
    expect(aggregated).toBe(await sum([a.reference, b.reference]));
    expect(aggregated).toContain('requests_total{route="/a",method="GET"} 16');
  });

  it('keep one child per label set, and refuse a wrong number of label values', () => {
    const plain = new Registry();
    const family = new CounterFamily(plain, 'c_total', 'h', ['model', 'version']);
    expect(family.labels('credit', '1')).toBe(family.labels('credit', '1'));
    expect(family.labels('credit', '1')).not.toBe(family.labels('credit', '2'));
    expect(() => family.labels('credit')).toThrow(/2 label values, got 1/);
    expect(() => new CounterFamily(plain, 'c_total', 'h', [])).toThrow(/already been registered/);
  });

  it('skip a value that is not finite, and reset to zero in place', async () => {
    const plain = new Registry();
    const family = new HistogramFamily(plain, 's', 'h', [], BOUNDS);
    const child = family.labels();
    child.observe(Number.NaN);
    child.observe(0.5);
    const text = await plain.metrics();
    expect(text).toContain('s_count 1');
    expect(text).toContain('s_sum 0.5');
    // A reset zeroes the children in place: a caller's cached child keeps counting where it is read.
    plain.resetMetrics();
    expect(await plain.metrics()).toContain('s_count 0');
    child.observe(0.005);
    const after = await plain.metrics();
    expect(after).toContain('s_count 1');
    expect(after).toContain('s_bucket{le="0.01"} 1');
    expect(after).toContain('s_bucket{le="0.001"} 0');
  });
});
