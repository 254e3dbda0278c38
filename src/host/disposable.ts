import type * as vscode from 'vscode';

/** Where errors raised while disposing are reported (a LogOutputChannel fits). */
export interface ErrorLog {
  error(line: string): void;
}

/**
 * Disposes every item (last registered first), whatever some of them throw; the errors are
 * reported together afterwards: each to `log` when given, otherwise as one AggregateError thrown
 * once all are disposed (VS Code logs what a disposable in `context.subscriptions` throws).
 */
export function disposeAll(items: readonly { dispose(): unknown }[], what: string, log?: ErrorLog): void {
  const errors: unknown[] = [];
  for (const d of [...items].reverse()) {
    try {
      d.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 0) return;
  if (!log) throw new AggregateError(errors, `${errors.length} error(s) while disposing ${what}`);
  for (const err of errors) log.error(`while disposing ${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

/** Base for objects that own disposables: register them once, dispose them together. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: { dispose(): unknown }[] = [];
  private disposed = false;

  /** `errorLog`: where errors thrown by owned disposables go (see disposeAll). */
  constructor(private readonly errorLog?: ErrorLog) {}

  protected _register<T extends { dispose(): unknown }>(d: T): T {
    if (this.disposed) disposeAll([d], this.constructor.name, this.errorLog);
    else this.owned.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned.splice(0), this.constructor.name, this.errorLog);
  }
}
