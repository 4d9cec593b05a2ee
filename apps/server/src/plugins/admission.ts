import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config.ts';
import { ServerError } from '../errors.ts';

/**
 * Admission control: budgets of prediction requests in flight (server-wide and per client
 * address) and of cells (rows × columns) being decoded. Over a budget a request is refused at
 * once, before its body is read: 429 when one client holds too much, 503 when the server does,
 * both with Retry-After. GET routes (health, readiness, metrics, metadata) are never counted, so
 * probes stay fast under any load.
 */
export class Admission {
  private inFlight = 0;
  private cells = 0;
  private readonly perClient = new Map<string, number>();
  private readonly config: ServerConfig;

  constructor(config: ServerConfig) {
    this.config = config;
  }

  /** Counts the request in; the returned function counts it out (call it once). */
  admit(client: string): () => void {
    if (this.inFlight >= this.config.maxInFlight) {
      throw new ServerError(
        'TANDEM_SERVER_BUSY',
        `${this.inFlight} prediction requests in flight; the limit is ${this.config.maxInFlight}`,
      );
    }
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.config.maxInFlightPerClient) {
      throw new ServerError(
        'TANDEM_CLIENT_BUSY',
        `${mine} requests in flight from this client; the limit is ${this.config.maxInFlightPerClient}`,
      );
    }
    this.inFlight++;
    this.perClient.set(client, mine + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left === 0) this.perClient.delete(client);
      else this.perClient.set(client, left);
    };
  }

  /** Holds `cells` of the cell budget; the returned function gives them back. */
  holdCells(cells: number): () => void {
    if (this.cells > 0 && this.cells + cells > this.config.maxInFlightCells) {
      throw new ServerError(
        'TANDEM_SERVER_BUSY',
        `${this.cells} cells being processed; the budget is ${this.config.maxInFlightCells}`,
      );
    }
    this.cells += cells;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.cells -= cells;
    };
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Gives back what admission counted for this request; a no-op once called. */
    releaseAdmission: () => void;
  }
}

const noop = () => undefined;

export const admissionPlugin = fp(
  async (app: FastifyInstance, options: { admission: Admission }) => {
    const { admission } = options;
    app.decorateRequest('releaseAdmission', noop);
    app.addHook('onRequest', (request: FastifyRequest, reply, done) => {
      if (request.method !== 'POST') return done();
      try {
        const release = admission.admit(request.ip);
        request.releaseAdmission = release;
        // 'close' fires once whether the answer was sent or the client went away.
        reply.raw.once('close', release);
        done();
      } catch (error) {
        // Refused before the body is read: the connection closes rather than drain a big body.
        reply.header('connection', 'close');
        done(error as Error);
      }
    });
  },
  { name: 'tandem-admission', fastify: '5.x' },
);
