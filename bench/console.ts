/**
 * npm run bench:console: the console's weight over the wire and its time to first render on
 * loopback, beside the Swagger UI page at /docs measured in the same run; writes the screenshots
 * under docs/images/. Models: small versions of the shipped credit and cars configs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, trainSmall } from '../test/e2e/chromium.ts';
import { listening } from '../test/e2e/support.ts';

const RUNS = 5;
const IMAGES = path.resolve(import.meta.dirname, '..', 'docs', 'images');

/** Bytes of every response body a page load fetched, and milliseconds until `ready` holds. */
async function load(page: Page, url: string, ready: string) {
  let bytes = 0;
  const count = (response: { body(): Promise<Buffer> }) =>
    response.body().then(
      (b) => {
        bytes += b.length;
      },
      () => {},
    );
  const pending: Promise<void>[] = [];
  const listener = (response: { body(): Promise<Buffer> }) => pending.push(count(response));
  page.on('response', listener);
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction(ready, null, { timeout: 30_000 });
  const ms = performance.now() - started;
  await Promise.all(pending);
  page.off('response', listener);
  return { bytes, ms };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = await mkdtemp(path.join(tmpdir(), 'tandem-bench-console-'));
try {
  const credit = await trainSmall('credit', dir);
  const cars = await trainSmall('cars', dir);
  const { app, url } = await listening(dir);
  const browser = await launchChromium();
  const consoleReady = `!!document.querySelector('#fields select, #fields input') && !!document.getElementById('metrics').tBodies[0].rows.length`;
  const docsReady = `!!document.querySelector('.opblock')`;
  const figures = { console: [] as number[], docs: [] as number[], consoleBytes: 0, docsBytes: 0 };
  for (let run = 0; run <= RUNS; run++) {
    // Run 0 is the cold load (fresh profile, empty cache): its bytes are reported; its time is not.
    const page = await browser.newPage();
    const c = await load(page, `${url}/`, consoleReady);
    const d = await load(page, `${url}/docs`, docsReady);
    if (run > 0) {
      figures.console.push(c.ms);
      figures.docs.push(d.ms);
    }
    if (run === 0) {
      figures.consoleBytes = c.bytes;
      figures.docsBytes = d.bytes;
    }
    await page.close();
  }
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 1100 });
  await page.goto(`${url}/`);
  await page.waitForFunction(consoleReady);
  await page.getByRole('button', { name: 'Predict' }).click();
  await page.waitForFunction(`!!document.querySelector('#explanation-chart svg path')`);
  await page.waitForFunction(`!!document.querySelector('#drift-chart svg path')`);
  await page.screenshot({ path: path.join(IMAGES, 'console.png'), fullPage: true });
  for (const version of [credit, cars]) {
    await page.goto(`${url}/v1/models/${version.name}/versions/${version.version}/report`);
    await page.waitForFunction(
      `[...document.querySelectorAll('.chart')].every((c) => c.querySelector('svg'))`,
    );
    await page.screenshot({
      path: path.join(IMAGES, `report-${version.name}.png`),
      clip: { x: 0, y: 0, width: 1200, height: 1800 },
    });
  }
  await browser.close();
  await app.close();
  const mc = median(figures.console);
  const md = median(figures.docs);
  console.log(
    `console (/): ${(figures.consoleBytes / 1024).toFixed(0)} KiB over the wire, first render (form and metrics drawn) median ${mc.toFixed(0)} ms over ${RUNS} loads`,
  );
  console.log(
    `Swagger UI (/docs): ${(figures.docsBytes / 1024).toFixed(0)} KiB, first render (operations listed) median ${md.toFixed(0)} ms`,
  );
  console.log(
    `ratio console / docs: bytes ${(figures.consoleBytes / figures.docsBytes).toFixed(2)}, time ${(mc / md).toFixed(2)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
