/**
 * What `Emitter.on` returns: call it, or `dispose()` it (so it can go straight into a list of
 * disposables, e.g. VS Code's `context.subscriptions`); either removes the listener, once.
 */
export type Unsubscribe = (() => void) & { dispose(): void };

/** A minimal typed event emitter. */
export class Emitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();
  /** Never set: it lets a type read an emitter's event map (EventsOf). */
  declare protected readonly eventMap?: Events;

  on<K extends keyof Events>(event: K, fn: Events[K]): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listeners = set;
    listeners.add(fn);
    const off = () => void listeners.delete(fn);
    return Object.assign(off, { dispose: off });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      (fn as (...a: Parameters<Events[K]>) => void)(...args);
    }
  }
}

/** The event map of an emitter type, e.g. `EventsOf<ParleyClient>['message']`. */
export type EventsOf<T> = T extends Emitter<infer E> ? E : never;
