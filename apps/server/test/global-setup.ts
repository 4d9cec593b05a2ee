import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARS, CREDIT, PENGUINS, writeFixtureVersion } from '@tandem/fixtures';
import { initBackend } from '@tandem/runtime';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Artifacts written once for every test file: credit 1–2, penguins 1, cars 1. */
    fixtureArtifacts: string;
  }
}

/** Writes the shared fixture models once; test files copy them when they mutate the store. */
export default async function setup(project: TestProject) {
  await initBackend({ log: () => undefined });
  const root = await mkdtemp(join(tmpdir(), 'tandem-server-fixtures-'));
  await writeFixtureVersion(root, { ...CREDIT, seed: 1 });
  await writeFixtureVersion(root, { ...CREDIT, seed: 2 });
  await writeFixtureVersion(root, { ...PENGUINS, seed: 3 });
  await writeFixtureVersion(root, { ...CARS, seed: 4 });
  project.provide('fixtureArtifacts', root);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
