/**
 * Whether the webview has loaded (posted `ready`), and a promise for when it has. A view that is
 * resolved again (hidden and shown, or reloaded) is not ready until it posts `ready` again; what
 * waits for readiness then waits for that view.
 */
export class ViewReady {
  private isReady = false;
  private resolve: () => void = () => undefined;
  private promise = this.pending();

  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves once the view is ready (at once if it is). */
  whenReady(): Promise<void> {
    return this.promise;
  }

  /** The view posted `ready`. */
  set(): void {
    this.isReady = true;
    this.resolve();
  }

  /** A new webview replaces the old one; anything still waiting keeps waiting, for it. */
  reset(): void {
    if (!this.isReady) return;
    this.isReady = false;
    this.promise = this.pending();
  }

  private pending(): Promise<void> {
    return new Promise<void>((r) => (this.resolve = r));
  }
}
