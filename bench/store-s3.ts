/**
 * The S3 model store's costs (`npm run bench:store`), against moto_server on loopback and against
 * the folder store in the same run:
 *
 * - S3 requests and time per poll cycle (what every replica pays every reload interval), for 1
 *   and 10 models of 3 versions each;
 * - reading a version: a cold download, a local-cache hit, and the folder store;
 * - a label move: requests per move, and compare-and-swap conflicts with 1, 2 and 4 writers;
 * - memory per loaded version of the credit MLP.
 *
 *   npm run bench:store -- [--rounds 5]
 *
 * The credit model is trained (data/models/credit.json, 30 epochs) into a temp folder first.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileModelStore, type ModelStore, S3ModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { withTrainedCreditOnS3 } from './s3-harness.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(args.rounds);

await withTrainedCreditOnS3('store', async ({ server, work, version }) => {
  const bytes = Object.values(version.files).reduce((n, f) => n + f.byteLength, 0);

  const bucket = await server.createBucket();
  const env = server.env;
  const cache = () => mkdtemp(join(work, 'cache-'));
  const s3Store = async () =>
    new S3ModelStore(`s3://${bucket}/models`, { env, cacheDir: await cache() });
  const writer = await s3Store();
  const files = version.files as Record<string, Uint8Array>;
  const { files: _listed, ...draft } = version.manifest;
  const copyTo = async (store: ModelStore, name: string) => {
    for (let v = 0; v < 3; v++) {
      await store.writeVersion(name, files, (n) => ({ ...draft, name, version: n }));
    }
    await store.setLabel(name, 'production', 2);
  };
  const folderCopy = new FileModelStore(join(work, 'folder-copy'));
  for (let m = 0; m < 10; m++) {
    await copyTo(writer, `model-${m}`);
    await copyTo(folderCopy, `model-${m}`);
  }
  for (let v = 0; v < 3; v++) {
    await writer.writeVersion('credit', files, (n) => ({ ...draft, version: n }));
  }

  // One poll as the server makes it: models, then per model versions, labels, fingerprints.
  const poll = async (store: ModelStore, only?: number) => {
    const names = (await store.listModels()).filter((n) => n.startsWith('model-'));
    for (const name of names.slice(0, only)) {
      const versions = await store.listVersions(name);
      await store.readLabels(name);
      for (const v of versions) await store.versionFingerprint(name, v);
    }
  };
  const timed = async (work: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await work();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  };
  const requests = (counts: Record<string, number>) =>
    Object.values(counts).reduce((n, c) => n + c, 0);

  console.log(
    `credit MLP version: ${(bytes / 1024).toFixed(1)} KiB in ${Object.keys(files).length} files + manifest`,
  );
  console.log(`medians of ${rounds} rounds; moto_server ${server.endpoint} on loopback\n`);
  console.log('| poll cycle | S3 requests | S3 ms | folder ms | S3 / folder |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const models of [1, 10]) {
    const counter = await s3Store();
    await poll(counter, models);
    const perPoll = requests(await counter.requestCounts());
    const s3Ms = await timed(() => poll(counter, models));
    const folderMs = await timed(() => poll(folderCopy, models));
    console.log(
      `| ${models} model${models > 1 ? 's' : ''} × 3 versions | ${perPoll} | ${s3Ms.toFixed(1)} | ${folderMs.toFixed(1)} | ${(s3Ms / folderMs).toFixed(1)}× |`,
    );
  }

  console.log('\n| read one version | S3 requests | ms | / folder |');
  console.log('| --- | ---: | ---: | ---: |');
  const folderRead = await timed(() => folderCopy.readVersion('model-0', 2));
  const coldStores: S3ModelStore[] = [];
  for (let i = 0; i < rounds; i++) coldStores.push(await s3Store());
  let cold = 0;
  const coldMs = await timed(() => (coldStores[cold++] as S3ModelStore).readVersion('model-0', 2));
  const coldRequests = requests(await (coldStores[0] as S3ModelStore).requestCounts());
  const warm = coldStores[0] as S3ModelStore;
  const before = requests(await warm.requestCounts());
  await warm.readVersion('model-0', 2);
  const warmRequests = requests(await warm.requestCounts()) - before;
  const warmMs = await timed(() => warm.readVersion('model-0', 2));
  console.log(`| folder store | - | ${folderRead.toFixed(1)} | 1.0× |`);
  console.log(
    `| S3, cold (download + verify + cache) | ${coldRequests} | ${coldMs.toFixed(1)} | ${(coldMs / folderRead).toFixed(1)}× |`,
  );
  console.log(
    `| S3, cached (manifest GET + verify) | ${warmRequests} | ${warmMs.toFixed(1)} | ${(warmMs / folderRead).toFixed(1)}× |`,
  );

  console.log(
    '\n| label writers at once | moves each | S3 requests per move | CAS conflicts per move |',
  );
  console.log('| ---: | ---: | ---: | ---: |');
  for (const writers of [1, 2, 4]) {
    const stores: S3ModelStore[] = [];
    for (let i = 0; i < writers; i++) stores.push(await s3Store());
    const moves = 10;
    await Promise.all(
      stores.map(async (store, w) => {
        for (let i = 0; i < moves; i++)
          await store.setLabel('credit', `w${w}-${i % 3}`, (i % 3) + 1);
      }),
    );
    let total = 0;
    let conflicts = 0;
    for (const store of stores) {
      total += requests(await store.requestCounts());
      conflicts += store.labelConflicts;
    }
    const all = writers * moves;
    console.log(
      `| ${writers} | ${moves} | ${(total / all).toFixed(2)} | ${(conflicts / all).toFixed(2)} |`,
    );
  }

  // Memory: the same verified version loaded as K predictors (the server holds one per version).
  const gc = (globalThis as { gc?: () => void }).gc;
  const measure = () => {
    gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
  };
  const loaded = [];
  const first = await predictorFromStoredVersion(version);
  loaded.push(first);
  const start = measure();
  const count = 10;
  for (let i = 0; i < count; i++) loaded.push(await predictorFromStoredVersion(version));
  const end = measure();
  console.log(
    `\nmemory per loaded credit version (${count} more loaded, engine ${first.engine}${gc === undefined ? ', no --expose-gc' : ''}): ` +
      `RSS +${((end.rss - start.rss) / count / 2 ** 20).toFixed(2)} MiB, ` +
      `heap+external +${((end.heap - start.heap) / count / 2 ** 20).toFixed(2)} MiB; ` +
      `files ${(bytes / 2 ** 20).toFixed(2)} MiB`,
  );
  for (const p of loaded) p.dispose?.();
});
