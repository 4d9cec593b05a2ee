import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig, type ServerConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

/** A real credit row (data/credit.csv, line 2) as a JSON client would send it. */
export const CREDIT_ROW = {
  Seniority: 9,
  Home: 'rent',
  Time: 60,
  Age: 30,
  Marital: 'married',
  Records: 'no',
  Job: 'freelance',
  Expenses: 73,
  Income: 129,
  Assets: 0,
  Debt: 0,
  Amount: 800,
  Price: 846,
};

export const PENGUIN_ROW = {
  island: 'Torgersen',
  bill_length_mm: 39.1,
  bill_depth_mm: 18.7,
  flipper_length_mm: 181,
  body_mass_g: 3750,
  sex: 'male',
  year: 2007,
};

export const CAR_ROW = {
  Cylinders: 8,
  Displacement: 307,
  Horsepower: 130,
  Weight_in_lbs: 3504,
  Acceleration: 12,
  Year: '1970-01-01',
  Origin: 'USA',
};

/** A private copy of the shared fixture artifacts, for tests that change the store. */
export async function copyFixtures(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-server-test-'));
  await cp(inject('fixtureArtifacts'), dir, { recursive: true });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function testConfig(artifacts: string, argv: string[] = []): ServerConfig {
  return loadConfig({
    argv: ['--artifacts', artifacts, '--port', '0', '--reload-interval', '0', ...argv],
    env: {},
  });
}

/** An app on a real loopback port with its models loaded. */
export async function listening(
  artifacts: string,
  argv: string[] = [],
): Promise<{ app: FastifyInstance; url: string }> {
  const { app, url } = await startServer({
    config: testConfig(artifacts, argv),
    logger: false,
    defaultMetrics: false,
  });
  return { app, url };
}

/** An app whose models are loaded, not listening: for app.inject. */
export async function loaded(artifacts: string, argv: string[] = []): Promise<FastifyInstance> {
  const app = await buildApp({
    config: testConfig(artifacts, argv),
    logger: false,
    defaultMetrics: false,
  });
  await app.tandem.registry.start();
  return app;
}

/** POSTs JSON over real HTTP; T is what the test expects the answer to look like. */
export async function postJson<T>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export interface NativeAnswer {
  model: { name: string; version: number };
  predictions: ({ label: string; probabilities: Record<string, number> } | { value: number })[];
  warnings: { row: number; column: string; kind: string }[];
}

export interface NativeErrorAnswer {
  error: { code: string; message: string; details: Record<string, unknown>[] };
}

export interface V2Answer {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: {
    name: string;
    datatype: string;
    shape: number[];
    data: (number | string)[];
    parameters?: Record<string, unknown>;
  }[];
}
