/** An error's message, or the thrown value as text: what a SourceError's message quotes. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
