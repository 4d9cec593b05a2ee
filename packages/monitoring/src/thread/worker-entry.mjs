// The monitoring worker's entry: a worker thread does not inherit the TypeScript loader (tsx) of the
// thread that starts it, so it registers its own before loading the worker's code.
import { register } from 'tsx/esm/api';

register();
await import('./monitoring-worker.ts');
