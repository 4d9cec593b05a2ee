import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { train } from '@tandem/trainer';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { DATA } from './support.ts';

/** Debian's Chromium, which .ci/run installs: the browser tests fail without it, never skip. */
export const CHROMIUM = '/usr/bin/chromium';

export const SHIPPED = ['cars', 'credit', 'penguins', 'titanic'] as const;

/** Headless Chromium with a fresh profile; no network service or update check of its own. */
export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install it (apt-get install -y chromium), as .ci/run does`,
    );
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'tandem-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1200, height: 900 },
  });
}

/** Console errors and uncaught exceptions of a page, collected from the start. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** A shipped config with few boosting iterations: the same data, columns and split, faster. */
export async function trainSmall(name: (typeof SHIPPED)[number], artifacts: string) {
  const file = path.join(DATA, 'models', `${name}.json`);
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.data = path.resolve(path.dirname(file), config.data);
  if (config.split?.file) config.split.file = path.resolve(path.dirname(file), config.split.file);
  config.model = { type: 'gbdt', maxIter: 15 };
  return train({ config, artifacts });
}
