import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '@tandem/model-store';
import {
  ClassifierAccumulator,
  type DriftSettings,
  driftSettings,
  type MonitoringThread,
  parseProfile,
  type ReferenceProfile,
  RegressorAccumulator,
} from '@tandem/monitoring';
import type { ServedVersion } from '../registry/served-version.ts';

export const PROFILE_FILE = 'profile.json';

/**
 * A served version's drift windows, which live in the monitoring thread: the monitor its answers
 * are tagged with, and what its report needs on this side.
 */
export interface DriftWatch {
  readonly monitor: number;
  readonly profile: ReferenceProfile;
  readonly settings: DriftSettings;
}

/** What the server keeps per served version: its drift watch and its live performance. */
export interface VersionState {
  readonly name: string;
  readonly version: number;
  readonly classes: readonly string[] | undefined;
  /** undefined when the version has no usable profile.json (see `profileProblem`). */
  readonly drift: DriftWatch | undefined;
  readonly profileProblem: string | undefined;
  readonly performance: ClassifierAccumulator | RegressorAccumulator;
  /** The served version it was built for: a reload that replaces it gets a new state. */
  readonly served: ServedVersion;
}

export interface DriftWindows {
  rowWindow: number;
  timeWindowMs: number;
  minRows: number;
}

/**
 * One state per served version, built when the version first answers: profile.json is read once
 * from the version folder and checked against the manifest's sha256, so drift is always measured
 * against the profile of the version that answered, across reloads and label moves. States of
 * versions that left the registry are dropped when a new one is built.
 */
export class VersionStates {
  private readonly states = new Map<string, VersionState>();
  /** The same states by served version: found without building a key per request. */
  private readonly byServed = new WeakMap<ServedVersion, VersionState>();
  private last: VersionState | undefined;
  private readonly windows: DriftWindows;
  private readonly thread: MonitoringThread;
  private readonly warn: (message: string) => void;

  constructor(windows: DriftWindows, thread: MonitoringThread, warn: (message: string) => void) {
    this.windows = windows;
    this.thread = thread;
    this.warn = warn;
  }

  of(served: ServedVersion): VersionState {
    const last = this.last;
    if (last !== undefined && last.served === served) return last;
    const known = this.byServed.get(served);
    if (known !== undefined) {
      this.last = known;
      return known;
    }
    for (const [k, state] of this.states) {
      if (!state.served.isDisposed) continue;
      this.states.delete(k);
      if (state.drift !== undefined) this.thread.unwatch(state.drift.monitor);
    }
    const state = this.build(served);
    this.states.set(`${served.name}\u0000${served.version}`, state);
    this.byServed.set(served, state);
    this.last = state;
    return state;
  }

  /** The state of a version that answered, if it did (feedback for a version still in memory). */
  find(name: string, version: number): VersionState | undefined {
    return this.states.get(`${name}\u0000${version}`);
  }

  all(): VersionState[] {
    return [...this.states.values()];
  }

  private build(served: ServedVersion): VersionState {
    const classes = served.predictor.classes;
    const base = {
      name: served.name,
      version: served.version,
      classes,
      served,
      performance:
        classes === undefined ? new RegressorAccumulator() : new ClassifierAccumulator(classes),
    };
    const expected = served.manifest.files[PROFILE_FILE];
    if (expected === undefined) {
      return {
        ...base,
        drift: undefined,
        profileProblem: `version ${served.version} has no ${PROFILE_FILE}`,
      };
    }
    try {
      const bytes = readFileSync(join(served.path, PROFILE_FILE));
      if (sha256Hex(bytes) !== expected)
        throw new Error(`${PROFILE_FILE} does not match its sha256 in the manifest`);
      const profile = parseProfile(bytes);
      const options = {
        rowWindow: this.windows.rowWindow,
        timeWindowMs: this.windows.timeWindowMs,
        settings: { minRows: this.windows.minRows },
      };
      const drift: DriftWatch = {
        monitor: this.thread.watch(bytes, options),
        profile,
        settings: driftSettings(options.settings),
      };
      return { ...base, drift, profileProblem: undefined };
    } catch (error) {
      const problem = `${served.name} version ${served.version}: ${(error as Error).message}`;
      this.warn(`drift monitoring off for ${problem}`);
      return { ...base, drift: undefined, profileProblem: problem };
    }
  }
}
