import { randomUUID } from 'node:crypto';

/** A caller's id is kept when it is a short printable token; anything else gets a fresh UUID. */
const CALLER_ID = /^[\x21-\x7e]{1,128}$/;

/** The id an answer carries: the caller's (x-request-id header, V2 body id) or a new UUID. */
export function predictionIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && CALLER_ID.test(header) ? header : randomUUID();
}

export function isCallerId(value: unknown): value is string {
  return typeof value === 'string' && CALLER_ID.test(value);
}
