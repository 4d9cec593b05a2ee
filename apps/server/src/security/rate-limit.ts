/**
 * A token bucket per caller (API key id, else client address): `perSecond` requests a second on
 * average with bursts of `burst`. Buckets idle for a minute are dropped, so memory follows the
 * callers of the last minute, not every address ever seen.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private sweptAt = Date.now();

  constructor(perSecond: number, burst: number) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
  }

  /** Takes one token for `caller`; returns the seconds to wait when there is none. */
  take(caller: string, now = Date.now()): number {
    if (now - this.sweptAt > 60_000) this.sweep(now);
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    bucket.at = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [caller, bucket] of this.buckets) {
      if (now - bucket.at > 60_000) this.buckets.delete(caller);
    }
  }
}
