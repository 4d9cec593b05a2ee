// Bootstrap of a scoring worker. Worker threads do not inherit tsx's module hooks on Node 20,
// so a TypeScript entry needs them registered here before it is imported.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
