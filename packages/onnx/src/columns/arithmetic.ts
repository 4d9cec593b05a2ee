import type { GraphBuilder } from '../graph-builder.ts';

/** Tandem's scale rule: a spread of 0 scales by 1, so a constant column gives 0, not NaN. */
export function scaleOf(spread: number): number {
  return spread > 0 ? spread : 1;
}

/** y < low ? low : y > high ? high : y, the same comparisons as Tandem's (NaN stays NaN). */
export function clamp(g: GraphBuilder, y: string, low: number, high: number): string {
  const lowC = g.scalar(low);
  const highC = g.scalar(high);
  return g.where(g.less(y, lowC), lowC, g.where(g.greater(y, highC), highC, y));
}

/** y clamped to [0, 1]. */
export function clampUnit(g: GraphBuilder, y: string): string {
  return clamp(g, y, 0, 1);
}

/**
 * log1p(x) in float64 without a log1p operator: with u = 1 + x, log(u) · x / (u − 1) cancels the
 * rounding of 1 + x (Goldberg's method), and x itself where u rounds to 1. A few ulps of a double
 * from Math.log1p: the float32 result Tandem stores is the same but for rare ties.
 */
export function log1p(g: GraphBuilder, x: string): string {
  const one = g.scalar(1);
  const u = g.add(x, one);
  const corrected = g.div(g.mul(g.op('Log', [u]), x), g.sub(u, one));
  return g.where(g.op('Equal', [u, one]), x, corrected);
}
