import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

// The manifests under deploy/k8s/, validated offline: Kubernetes kinds against the API schemas
// kubernetes-models compiles (types, required fields, enums), the InferenceService against
// KServe's CRD schema (test/fixtures/kserve) with unknown fields refused, as `kubectl apply`'s
// strict field validation would. Then the checks no schema makes: that the pieces agree.

const root = fileURLToPath(new URL('..', import.meta.url));
const k8s = join(root, 'deploy', 'k8s');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<
  string,
  unknown
>;

/**
 * What `kustomize build <dir>` gives for the subset of kustomization these directories use:
 * `resources` (files in the directory) and `images` (name → newName:newTag). Any other field
 * fails the test, so this reading cannot silently drift from kustomize's.
 */
function build(dir: string): Manifest[] {
  const kustomization = parseYaml(readFileSync(join(k8s, dir, 'kustomization.yaml'), 'utf8')) as {
    apiVersion: string;
    kind: string;
    resources: string[];
    images?: { name: string; newName?: string; newTag?: string }[];
  };
  expect(Object.keys(kustomization).sort()).toEqual(
    ['apiVersion', 'images', 'kind', 'resources'].filter(
      (key) => key !== 'images' || kustomization.images !== undefined,
    ),
  );
  expect(kustomization.kind).toBe('Kustomization');
  // Every YAML file of the directory is a listed resource, and every resource exists.
  const files = readdirSync(join(k8s, dir))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort();
  expect([...kustomization.resources].sort()).toEqual(files);
  const images = new Map((kustomization.images ?? []).map((i) => [i.name, i]));
  const manifests: Manifest[] = [];
  for (const file of kustomization.resources) {
    for (const document of parseAllDocuments(readFileSync(join(k8s, dir, file), 'utf8'))) {
      expect(document.errors).toEqual([]);
      manifests.push(document.toJS() as Manifest);
    }
  }
  const text = JSON.stringify(manifests, (key, value: unknown) => {
    if (key !== 'image' || typeof value !== 'string') return value;
    const image = images.get(value);
    return image === undefined ? value : `${image.newName ?? value}:${image.newTag ?? 'latest'}`;
  });
  return JSON.parse(text) as Manifest[];
}

const KINDS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function validateKubernetes(manifest: Manifest): void {
  const Model = KINDS[`${manifest.apiVersion}/${manifest.kind}`];
  if (Model === undefined) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}

/** KServe's structural schema, closed: an object schema with properties admits no others. */
function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = closeSchema(value);
  if (
    out['properties'] !== undefined &&
    out['additionalProperties'] === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out['additionalProperties'] = false;
  }
  return out;
}

let compiled: ValidateFunction | undefined;

/** Compiled once per run: KServe's schema is large (about 130 kB of YAML). */
function inferenceServiceValidator(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const schema = parseYaml(
    readFileSync(join(root, 'test/fixtures/kserve/inferenceservice-v1beta1.schema.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  // The CRD's metadata is `type: object`; its shape is the API server's, checked here by hand.
  const ajv = new Ajv({ validateFormats: false, strictTypes: false });
  for (const keyword of [
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-int-or-string',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-validations',
  ]) {
    ajv.addKeyword(keyword);
  }
  compiled = ajv.compile(closeSchema(schema) as AnySchema);
  return compiled;
}

const server = build('server');
const kserve = build('kserve');
const batch = build('batch');
const byKind = <T>(manifests: Manifest[], kind: string) =>
  manifests.filter((m) => m.kind === kind) as unknown as T[];

describe('deploy/k8s manifests against the Kubernetes and KServe schemas', () => {
  it('every Kubernetes object validates', () => {
    const kinds = [...server, ...batch].map((m) => `${m.apiVersion}/${m.kind}`).sort();
    expect(kinds).toEqual([
      'apps/v1/Deployment',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'batch/v1/Job',
      'policy/v1/PodDisruptionBudget',
      'v1/ConfigMap',
      'v1/Service',
      'v1/ServiceAccount',
    ]);
    for (const manifest of [...server, ...batch]) validateKubernetes(manifest);
  });

  it(
    'the schemas do catch mistakes (a wrong type, a missing field, an unknown KServe field)',
    { timeout: 60_000 },
    () => {
      const deployment = structuredClone(server.find((m) => m.kind === 'Deployment')) as Manifest;
      (deployment['spec'] as { revisionHistoryLimit: unknown }).revisionHistoryLimit = 'five';
      expect(() => validateKubernetes(deployment)).toThrow(/revisionHistoryLimit must be integer/);
      const job = structuredClone(batch[0]) as Manifest;
      delete (job['spec'] as { template?: unknown }).template;
      expect(() => validateKubernetes(job)).toThrow(/spec must have required property template/);

      const validate = inferenceServiceValidator();
      const isvc = structuredClone(kserve[0]) as Manifest;
      const predictor = (isvc['spec'] as { predictor: Record<string, unknown> }).predictor;
      predictor['minReplica'] = 2;
      expect(validate(isvc)).toBe(false);
      expect(validate.errors?.map((e: ErrorObject) => e.params)).toContainEqual({
        additionalProperty: 'minReplica',
      });
      predictor['scaleMetric'] = 'latency';
      delete predictor['minReplica'];
      expect(validate(isvc)).toBe(false);
      expect(validate.errors?.[0]?.instancePath).toBe('/spec/predictor/scaleMetric');
    },
  );

  it(
    'the InferenceService validates against KServe CRD schema, as a V2 custom predictor',
    { timeout: 60_000 },
    () => {
      expect(kserve.map((m) => `${m.apiVersion}/${m.kind}`)).toEqual([
        'serving.kserve.io/v1beta1/InferenceService',
      ]);
      const validate = inferenceServiceValidator();
      const isvc = kserve[0] as Manifest;
      expect(validate(isvc), JSON.stringify(validate.errors, null, 2)).toBe(true);

      const predictor = (isvc['spec'] as { predictor: PodLike & Record<string, unknown> })
        .predictor;
      const [container, ...others] = predictor.containers;
      expect(others).toEqual([]);
      expect(container?.name).toBe('kserve-container');
      expect(container?.image).toBe('registry.example.com/tandem/tandem-server:0.1.0');
      const env = envOf(container as ContainerLike);
      expect(env['PROTOCOL']).toBe('v2');
      expect(env['TANDEM_ARTIFACTS']).toMatch(/^s3:\/\//);
      // The storage initializer copies once at start: with it, no replica would see a label move.
      expect(env['STORAGE_URI']).toBeUndefined();
      expect(predictor['storageUri']).toBeUndefined();
      // The server listens where KServe sends traffic and probes the V2 health routes.
      expect(container?.ports).toEqual([{ name: 'http1', containerPort: 8080, protocol: 'TCP' }]);
      expect(container?.args).toEqual(['--host', '0.0.0.0', '--port', '8080']);
      expect(container?.readinessProbe?.httpGet?.path).toBe('/v2/health/ready');
      expect(container?.livenessProbe?.httpGet?.path).toBe('/v2/health/live');
    },
  );
});

interface ContainerLike {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: { httpGet?: { path?: string; port?: string | number } };
  livenessProbe?: { httpGet?: { path?: string; port?: string | number } };
  startupProbe?: { httpGet?: { path?: string; port?: string | number } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodLike {
  containers: ContainerLike[];
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  restartPolicy?: string;
}

function envOf(container: ContainerLike): Record<string, string | undefined> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
}

describe('deploy/k8s/server: the pieces agree', () => {
  const [deployment] = byKind<{
    metadata: { name: string };
    spec: {
      replicas?: number;
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: PodLike };
    };
  }>(server, 'Deployment');
  const pod = deployment?.spec.template.spec as PodLike;
  const container = pod.containers[0] as ContainerLike;
  const config = byKind<{ data: Record<string, string> }>(server, 'ConfigMap')[0]?.data ?? {};

  it('probes /readyz and /healthz on the port the server listens on', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(container.args).toEqual(['--host', '0.0.0.0', '--port', '3000']);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.resources?.requests).toEqual({ cpu: '500m', memory: '512Mi' });
    expect(container.resources?.limits?.['memory']).toBe('1Gi');
  });

  it('gives a stopping pod time to drain: preStop + drain delay + shutdown timeout < grace period', () => {
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const drain = Number(config['TANDEM_DRAIN_DELAY_MS']) / 1000;
    const shutdown = Number(config['TANDEM_SHUTDOWN_TIMEOUT_MS']) / 1000;
    expect(preStop).toBe(5);
    expect(preStop + drain + shutdown).toBeLessThan(pod.terminationGracePeriodSeconds ?? 30);
  });

  it('the Service, the PodDisruptionBudget and the HPA select the Deployment and its pods', () => {
    const labels = deployment?.spec.template.metadata.labels ?? {};
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(matches(deployment?.spec.selector.matchLabels ?? { none: 'x' })).toBe(true);
    const [service] = byKind<{
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    }>(server, 'Service');
    expect(matches(service?.spec.selector ?? { none: 'x' })).toBe(true);
    expect(service?.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
    const [pdb] = byKind<{ spec: { selector: { matchLabels: Record<string, string> } } }>(
      server,
      'PodDisruptionBudget',
    );
    expect(matches(pdb?.spec.selector.matchLabels ?? { none: 'x' })).toBe(true);
    const [hpa] = byKind<{
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number };
    }>(server, 'HorizontalPodAutoscaler');
    expect(hpa?.spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment?.metadata.name,
    });
    // The HPA owns the replica count; a Deployment that set one would reset it on every apply.
    expect(deployment?.spec.replicas).toBeUndefined();
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('the pods read the S3 store named in the ConfigMap, as the ServiceAccount', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'tandem-server' } }]);
    expect(config['TANDEM_ARTIFACTS']).toMatch(/^s3:\/\/[a-z0-9.-]+\//);
    expect(pod.serviceAccountName).toBe(
      byKind<{ metadata: { name: string } }>(server, 'ServiceAccount')[0]?.metadata.name,
    );
    expect(container.image).toBe('registry.example.com/tandem/tandem-server:0.1.0');
  });
});

describe('deploy/k8s/batch: an Indexed Job scoring in shards', () => {
  const [job] = byKind<{
    spec: {
      completionMode: string;
      completions: number;
      parallelism: number;
      template: { spec: PodLike };
    };
  }>(batch, 'Job');
  const container = job?.spec.template.spec.containers[0] as ContainerLike;

  it('passes each pod its shard as i/N, N being the number of completions', () => {
    expect(job?.spec.completionMode).toBe('Indexed');
    expect(job?.spec.template.spec.restartPolicy).toBe('Never');
    // Kubernetes sets JOB_COMPLETION_INDEX; JOB_COMPLETIONS is ours and must match.
    expect(envOf(container)['JOB_COMPLETIONS']).toBe(String(job?.spec.completions));
    const args = container.args ?? [];
    expect(args[args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)/$(JOB_COMPLETIONS)');
    // One part per shard, named by its index, so parts never overwrite each other.
    expect(args[args.indexOf('--output') + 1]).toMatch(/part-\{shard\}-of-\{shards\}\.csv$/);
    expect(container.command).toEqual(['node', '--import', 'tsx', 'apps/scorer/src/cli.ts']);
  });
});
