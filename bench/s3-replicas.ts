/**
 * Three servers on different ports serving from one S3 store (`npm run bench:replicas`), against
 * moto_server on loopback. During a 20-second load on all three, the production label moves from
 * version 1 to 2; then a version 3 whose weights were replaced after upload appears. Prints, per
 * replica, how long after the move its answers switched (against the poll interval), whether any
 * answer went back, how many requests failed, and what each replica says about version 3.
 *
 *   npm run bench:replicas -- [--duration 20] [--interval 1000] [--connections 4]
 *
 * The credit model is trained (data/models/credit.json, 30 epochs) into a temp folder first and
 * copied to the bucket as versions 1 and 2. Version 3 is uploaded by hand with zeroed weights (or trees) and
 * the real manifest (written last), as a damaged upload would look.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, waitUntilReady } from '@tandem/fixtures';
import { S3ModelStore } from '@tandem/model-store';
import { ROOT, withTrainedCreditOnS3 } from './s3-harness.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    interval: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '4' },
  },
});
const durationMs = Number(args.duration) * 1000;
const intervalMs = Number(args.interval);
const connections = Number(args.connections);

await withTrainedCreditOnS3('replicas', async ({ server: moto, work, version }) => {
  const children: ChildProcess[] = [];
  try {
    const { files: _digests, ...draft } = version.manifest;
    const bucket = await moto.createBucket();
    const uri = `s3://${bucket}/models`;
    const store = new S3ModelStore(uri, { env: moto.env, cacheDir: join(work, 'writer-cache') });
    for (let i = 0; i < 2; i++) {
      await store.writeVersion('credit', version.files, (n) => ({ ...draft, version: n }));
    }
    await store.setLabel('credit', 'production', 1);

    // Three replicas, each with its own cache, polling the bucket.
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'apps/server/src/main.ts'), '--port', String(port)],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...moto.env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            TANDEM_ARTIFACTS: uri,
            TANDEM_RELOAD_INTERVAL_MS: String(intervalMs),
            TANDEM_MODEL_CACHE: join(work, `cache-${i}`),
            TANDEM_LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      children.push(child);
    }
    await Promise.all(
      ports.map((p) =>
        waitUntilReady(`http://127.0.0.1:${p}`, { timeoutMs: 120_000, pollMs: 200 }),
      ),
    );

    // The load: `connections` loops per replica, for the whole duration.
    const body = JSON.stringify({ instances: [version.manifest.sample] });
    type Answer = { replica: number; at: number; version: number | undefined; ok: boolean };
    const answers: Answer[] = [];
    const started = performance.now();
    let moveAt = Number.NaN;
    let corruptAt = Number.NaN;
    const loop = async (replica: number) => {
      while (performance.now() - started < durationMs) {
        const at = performance.now();
        try {
          const answer = await fetch(
            `http://127.0.0.1:${ports[replica]}/v1/models/credit/predict`,
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            },
          );
          const json = (await answer.json()) as { model?: { version?: number } };
          answers.push({ replica, at, version: json.model?.version, ok: answer.status === 200 });
        } catch {
          answers.push({ replica, at, version: undefined, ok: false });
        }
      }
    };
    const events = (async () => {
      await new Promise((r) => setTimeout(r, durationMs * 0.3));
      await store.setLabel('credit', 'production', 2);
      // From here on every reader of the bucket sees the move.
      moveAt = performance.now();
      await new Promise((r) => setTimeout(r, durationMs * 0.1));
      // Version 3 uploaded with damaged weights (its manifest, written last, records the real
      // digests): every replica must refuse it.
      const stored = await store.readVersion('credit', 2);
      // The model's weights: a tfjs model's weights.bin, or a tree ensemble's trees.bin.
      const damaged = 'weights.bin' in stored.files ? 'weights.bin' : 'trees.bin';
      for (const [file, bytes] of Object.entries(stored.files)) {
        const body = file === damaged ? new Uint8Array(bytes.byteLength) : bytes;
        await moto.putObject(bucket, `models/credit/3/${file}`, body);
      }
      await moto.putObject(
        bucket,
        'models/credit/3/manifest.json',
        JSON.stringify({ ...stored.manifest, version: 3 }),
      );
      corruptAt = performance.now();
    })();
    await Promise.all([
      ...ports.flatMap((_, r) => Array.from({ length: connections }, () => loop(r))),
      events,
    ]);
    // Every replica has seen version 3 (and refused it) before the table is printed.
    const v3Of = async (port: number) => {
      const listing = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as {
        models: {
          name: string;
          versions: { version: number; status: string; reason?: string }[];
        }[];
      };
      return listing.models.find((m) => m.name === 'credit')?.versions.find((v) => v.version === 3);
    };
    const settle = Date.now() + 60_000;
    while (Date.now() < settle) {
      const states = await Promise.all(ports.map(v3Of));
      if (states.every((v) => v !== undefined && v.status !== 'pending')) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    console.log(
      `3 replicas, poll interval ${intervalMs} ms, ${connections} connections each, ${durationMs / 1000} s; label production 1 → 2 at ${((moveAt - started) / 1000).toFixed(1)} s; corrupted version 3 at ${((corruptAt - started) / 1000).toFixed(1)} s\n`,
    );
    console.log(
      '| replica | requests | failed | switched to 2 after the move | / interval | answers of 1 after the switch | version 3 |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    let failedTotal = 0;
    for (const [replica, port] of ports.entries()) {
      const mine = answers.filter((a) => a.replica === replica).sort((a, b) => a.at - b.at);
      const failed = mine.filter((a) => !a.ok).length;
      failedTotal += failed;
      const switched = mine.find((a) => a.at > moveAt && a.version === 2);
      const back =
        switched === undefined
          ? 0
          : mine.filter((a) => a.at > switched.at && a.version === 1).length;
      const v3 = await v3Of(port);
      const delay = switched === undefined ? Number.NaN : switched.at - moveAt;
      console.log(
        `| ${replica + 1} (:${port}) | ${mine.length} | ${failed} | ${delay.toFixed(0)} ms | ${(delay / intervalMs).toFixed(2)} | ${back} | ${v3 === undefined ? 'not listed' : `${v3.status}${v3.reason ? ` (${v3.reason})` : ''}`} |`,
      );
    }
    console.log(`\nfailed requests: ${failedTotal} of ${answers.length}`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
});
