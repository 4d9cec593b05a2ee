import type { Manifest } from '@tandem/model-store';
import type { Predictor } from '@tandem/runtime';

/**
 * One verified, warmed-up model version. A request leases it for its whole life, so a reload
 * that removes or replaces the version defers disposal until the last lease is released.
 */
export class ServedVersion {
  readonly name: string;
  readonly version: number;
  readonly predictor: Predictor;
  readonly manifest: Manifest;
  readonly path: string;
  readonly loadedAt: string;
  /** The tfjs backend active when it was loaded. */
  readonly backend: string;
  /** Identifies the files on disk it was loaded from; a change triggers re-verification. */
  readonly fingerprint: string;
  private leases = 0;
  private retired = false;
  private disposed = false;

  constructor(fields: {
    name: string;
    version: number;
    predictor: Predictor;
    manifest: Manifest;
    path: string;
    fingerprint: string;
    backend: string;
  }) {
    this.name = fields.name;
    this.version = fields.version;
    this.predictor = fields.predictor;
    this.manifest = fields.manifest;
    this.path = fields.path;
    this.fingerprint = fields.fingerprint;
    this.backend = fields.backend;
    this.loadedAt = new Date().toISOString();
  }

  acquire(): void {
    this.leases++;
  }

  release(): void {
    this.leases--;
    if (this.leases === 0 && this.retired) this.dispose();
  }

  /** No longer selectable; disposed now, or when the last in-flight request releases it. */
  retire(): void {
    this.retired = true;
    if (this.leases === 0) this.dispose();
  }

  get inFlight(): number {
    return this.leases;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.predictor.dispose();
  }
}

/** A version that failed a check at load; kept so it is not retried until its files change. */
export interface FailedVersion {
  readonly name: string;
  readonly version: number;
  readonly code: string;
  readonly reason: string;
  readonly fingerprint: string;
  readonly failedAt: string;
}
