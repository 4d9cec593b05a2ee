import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pageErrors, trainSmall } from './chromium.ts';
import { listening, tempDir } from './support.ts';

const KEY = 'console-test-key-0123456789';

/** Runs in the page: true once the element's SVG holds drawn marks. */
const drawn = (selector: string) =>
  `!!document.querySelector(${JSON.stringify(selector)} + ' svg path, ' + ${JSON.stringify(selector)} + ' svg rect')`;

describe('web console in Chromium', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let open: { app: FastifyInstance; url: string };
  let keyed: { app: FastifyInstance; url: string };
  let browser: BrowserContext;
  let inputs: Array<{ name: string; type: string; levels?: string[] }>;

  beforeAll(async () => {
    dir = await tempDir('console');
    const result = await trainSmall('credit', path.join(dir.dir, 'artifacts'));
    inputs = result.predictor.inputSchema.map((c) => ({ ...c }));
    open = await listening(path.join(dir.dir, 'artifacts'));
    const keys = path.join(dir.dir, 'keys.json');
    const sha256 = createHash('sha256').update(KEY).digest('hex');
    await writeFile(keys, JSON.stringify([{ id: 'console', sha256, scopes: ['predict:credit'] }]));
    keyed = await listening(path.join(dir.dir, 'artifacts'), ['--api-keys', keys]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await open?.app.close();
    await keyed?.app.close();
    await dir?.remove();
  });

  it('loads with no console error, predicts, explains as bars and draws live drift', async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${open.url}/`);
    await page.getByRole('heading', { name: 'credit version 1' }).waitFor();
    expect(await page.locator('#metrics tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('#report-link').getAttribute('href')).toBe(
      '/v1/models/credit/versions/1/report',
    );
    expect(await page.locator('a[href="/docs"]').count()).toBe(1);
    expect(await page.locator('a[href="/openapi.json"]').count()).toBe(1);
    // One labelled control per input column: selects list the training levels.
    for (const column of inputs) {
      const control = page.getByLabel(column.name, { exact: true });
      expect(await control.count()).toBe(1);
      if (column.type === 'numeric') {
        expect(await control.getAttribute('type')).toBe('number');
      } else if (column.type === 'categorical') {
        const options = await control.locator('option').allTextContents();
        expect(options).toEqual(column.levels);
      }
    }
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.locator('#prediction').filter({ hasText: 'Prediction:' }).waitFor();
    await page.waitForFunction(drawn('#explanation-chart'), null, { timeout: 20_000 });
    // One bar per raw column in the explanation chart.
    const bars = await page.locator('#explanation-chart svg .mark-rect path').count();
    expect(bars).toBe(inputs.length);
    await page.waitForFunction(drawn('#drift-chart'), null, { timeout: 20_000 });
    expect(await page.locator('#drift-status').textContent()).toMatch(/Last 1 rows/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is driven by the keyboard: tab order reaches the form, Enter predicts', async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${open.url}/`);
    await page.getByRole('heading', { name: 'credit version 1' }).waitFor();
    const first = `field-0`;
    let focused = '';
    for (let presses = 0; presses < 40 && focused !== first; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate('document.activeElement && document.activeElement.id');
    }
    expect(focused).toBe(first);
    await page.keyboard.press('Enter');
    await page.locator('#prediction').filter({ hasText: 'Prediction:' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with API keys: asks for a key, then sends it as a Bearer token', async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    const sent: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/')) sent.push(request.headers().authorization);
    });
    await page.goto(`${keyed.url}/`);
    await page.locator('#status').filter({ hasText: 'TANDEM_AUTH_REQUIRED' }).waitFor();
    await page.getByLabel('API key').fill(KEY);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'credit version 1' }).waitFor();
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.locator('#prediction').filter({ hasText: 'Prediction:' }).waitFor();
    expect(sent[0]).toBeUndefined();
    expect(sent.slice(1).length).toBeGreaterThan(2);
    expect(sent.slice(1).every((h) => h === `Bearer ${KEY}`)).toBe(true);
    // The only errors are the refused first listing, before the key was entered.
    expect(errors.every((e) => /401/.test(e))).toBe(true);
    await page.close();
  });
});
