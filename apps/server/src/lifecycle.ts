/**
 * Whether the server is draining: after SIGTERM it reports not ready at once (so load balancers
 * stop routing to it), keeps answering, and asks clients to close their connections.
 */
export class Lifecycle {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  drain(): void {
    this.drainingSince ??= Date.now();
  }
}
