import { readFileSync } from 'node:fs';
import { vegaAssets } from '@tandem/report';
import type { FastifyInstance } from 'fastify';

/** The console's files, read once at start: served from memory, nothing fetched from elsewhere. */
function consoleFiles(): Map<string, { type: string; body: string }> {
  const asset = (file: string) =>
    readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');
  const files = new Map([
    ['/', { type: 'text/html; charset=utf-8', body: asset('index.html') }],
    ['/console/console.js', { type: 'text/javascript; charset=utf-8', body: asset('console.js') }],
    ['/console/console.css', { type: 'text/css; charset=utf-8', body: asset('console.css') }],
  ]);
  for (const library of vegaAssets()) {
    files.set(`/console/vega/${library.name}.js`, {
      type: 'text/javascript; charset=utf-8',
      body: library.source,
    });
  }
  return files;
}

/**
 * The web console at `/`: a static page and its scripts (Vega-Lite from node_modules). It calls
 * the API like any client, with the API key the user enters, so it needs no route of its own.
 */
export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const files = consoleFiles();
  for (const [url, file] of files) {
    app.get(url, { schema: { hide: true } }, (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(file.body),
    );
  }
}
