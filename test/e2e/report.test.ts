import { createHash } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, pageErrors, SHIPPED, trainSmall } from './chromium.ts';
import { listening, tempDir } from './support.ts';

/** Runs in the page: true once every chart holds drawn SVG marks. */
const ALL_CHARTS_DRAWN = `(() => {
  const charts = document.querySelectorAll('.chart');
  return charts.length > 0 && [...charts].every((c) => c.querySelector('svg path, svg rect'));
})()`;

// Every shipped config trains a small version; its report.html is in the manifest, served by
// the route and drawn by Chromium with every chart an SVG, offline and without errors.
describe('training report of each shipped model', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let app: FastifyInstance;
  let url: string;
  let browser: BrowserContext;
  const trained: Array<{ name: string; version: number; path: string }> = [];

  beforeAll(async () => {
    dir = await tempDir('report');
    for (const name of SHIPPED) trained.push(await trainSmall(name, dir.dir));
    // Version 2 of credit: version 1's files less the report, as a version trained before reports.
    const old = trained[1] as (typeof trained)[number];
    const copy = path.join(path.dirname(old.path), '2');
    await cp(old.path, copy, { recursive: true });
    await rm(path.join(copy, 'report.html'));
    const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8'));
    delete manifest.files['report.html'];
    manifest.version = 2;
    await writeFile(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    ({ app, url } = await listening(dir.dir));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await dir?.remove();
  });

  it('lists report.html in each manifest with its sha256, and the route serves those bytes', async () => {
    for (const version of trained) {
      const manifest = JSON.parse(await readFile(path.join(version.path, 'manifest.json'), 'utf8'));
      const bytes = await readFile(path.join(version.path, 'report.html'));
      expect(manifest.files['report.html']).toBe(createHash('sha256').update(bytes).digest('hex'));
      const response = await fetch(
        `${url}/v1/models/${version.name}/versions/${version.version}/report`,
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('answers 404 TANDEM_REPORT_NOT_FOUND for a version without a report', async () => {
    const response = await fetch(`${url}/v1/models/credit/versions/2/report`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'TANDEM_REPORT_NOT_FOUND',
    );
  });

  it('answers 404 TANDEM_VERSION_NOT_FOUND for an unknown version', async () => {
    const response = await fetch(`${url}/v1/models/credit/versions/99/report`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'TANDEM_VERSION_NOT_FOUND',
    );
  });

  for (const [index, name] of SHIPPED.entries()) {
    it(`${name}: every chart renders as a non-empty SVG, offline, with no console error`, async () => {
      const version = trained[index] as (typeof trained)[number];
      const page = await browser.newPage();
      const errors = pageErrors(page);
      // The file opened from disk with every request refused: nothing may come from a network.
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        const address = route.request().url();
        if (address.startsWith('file:')) return route.continue();
        requests.push(address);
        return route.abort();
      });
      await page.goto(`file://${path.join(version.path, 'report.html')}`);
      await page.waitForFunction(ALL_CHARTS_DRAWN, null, { timeout: 30_000 });
      const charts = await page.locator('.chart').count();
      const task = name === 'cars' ? 'regression' : 'classifier';
      expect(await page.locator(`section#${task}`).count()).toBe(1);
      // Profile (one per input column) + learning curve + task charts + importance (2).
      expect(charts).toBeGreaterThanOrEqual(6);
      expect(await page.locator('section#learning svg').count()).toBe(1);
      expect(await page.locator('section#importance svg').count()).toBe(2);
      if (task === 'classifier') {
        expect(await page.locator('section#classifier svg').count()).toBe(4);
        const auc = await page.locator('section#classifier table').first().textContent();
        expect(auc).toMatch(/ROC AUC/);
      }
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
