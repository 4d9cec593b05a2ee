const { buildApp } = await import('./src/app.ts');
const { loadConfig } = await import('./src/config.ts');
const t0 = performance.now();
const app = await buildApp({ config: loadConfig({ argv: ['--artifacts', '/tmp/bench-art', '--port', '0'] }), logger: false });
const t1 = performance.now();
await app.ready();
const t2 = performance.now();
console.log('build', (t1 - t0).toFixed(0), 'ready', (t2 - t1).toFixed(0));
await app.close();
