import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { ServerError } from '../errors.ts';

const REQUEST = 'tandem:cluster-metrics';
const ANSWER = 'tandem:cluster-metrics-answer';

interface Request {
  type: typeof REQUEST;
  id: number;
}

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** Longer than prom-client's own 5 s wait for the workers, so its error arrives first. */
const ANSWER_TIMEOUT_MS = 6_000;

/**
 * The cluster primary's side: asked by any worker, collects every worker's metrics (prom-client's
 * AggregatorRegistry: counters and histograms summed, gauges by their `aggregator`) and answers
 * with the Prometheus text. With --workers N a scrape lands on one worker but sees all of them.
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Request) => {
    if (message?.type !== REQUEST) return;
    const answer = (fields: Omit<Answer, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...fields });
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (error: unknown) => answer({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * A cluster worker's side: puts `registry` into the cluster's metrics and returns a function that
 * asks the primary for all of them. It throws TANDEM_METRICS_UNAVAILABLE (503) when the primary
 * does not answer in time or cannot reach a worker: a scrape then fails visibly rather than
 * reporting one worker as the whole.
 */
export function clusterMetricsSource(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener for the primary's collection requests.
  new AggregatorRegistry();
  const waiting = new Map<number, (answer: Answer | undefined) => void>();
  let next = 0;
  process.on('message', (message: Answer) => {
    if (message?.type === ANSWER) waiting.get(message.id)?.(message);
  });
  return async () => {
    const id = next++;
    const answer = await new Promise<Answer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ANSWER_TIMEOUT_MS);
      waiting.set(id, (received) => {
        clearTimeout(timer);
        resolve(received);
      });
      process.send?.({ type: REQUEST, id } satisfies Request);
    });
    waiting.delete(id);
    if (answer?.text !== undefined) return answer.text;
    throw new ServerError(
      'TANDEM_METRICS_UNAVAILABLE',
      `the cluster's metrics could not be collected: ${answer?.error ?? 'the primary did not answer'}`,
    );
  };
}
