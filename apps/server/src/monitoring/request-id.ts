/**
 * A caller's own id for an answer (a V2 request's `id`) names it in the log and for feedback when
 * it is a short printable token: the same rule the server applies to x-request-id
 * (plugins/security.ts), whose value is every other answer's id.
 */
export function isCallerId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value);
}
