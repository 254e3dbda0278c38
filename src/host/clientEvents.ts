import type { ParleyClient } from '../client/client';
import type { EventsOf } from '../infra/emitter';

/** The events a ParleyClient emits, by name. */
export type ClientEventMap = EventsOf<ParleyClient>;

interface ClientListener {
  event: keyof ClientEventMap;
  fn: (...args: never[]) => void;
  /** Set while attached to the current client. */
  off?: () => void;
}

/**
 * Listeners to the events of whichever client the session has: each is attached to the current
 * client and moved to the next when one replaces it (Session.onClientEvent). Between clients
 * nothing fires.
 */
export class ClientEvents {
  private readonly listeners = new Set<ClientListener>();
  private client: ParleyClient | undefined;

  on<K extends keyof ClientEventMap>(event: K, fn: ClientEventMap[K]): { dispose(): void } {
    const l: ClientListener = { event, fn };
    this.listeners.add(l);
    if (this.client) this.attach(this.client, l);
    return {
      dispose: () => {
        this.listeners.delete(l);
        this.detach(l);
      },
    };
  }

  /** Moves every listener to `client` (from the client before, if any). */
  follow(client: ParleyClient): void {
    this.client = client;
    for (const l of this.listeners) this.attach(client, l);
  }

  /** Takes every listener off the current client, one disposable each (for disposeAll). */
  release(): { dispose(): void }[] {
    this.client = undefined;
    return [...this.listeners].map((l) => ({ dispose: () => this.detach(l) }));
  }

  private attach(client: ParleyClient, l: ClientListener): void {
    this.detach(l);
    // The map's key and listener type agree by construction (on); the set forgets which K.
    l.off = client.on(l.event, l.fn as ClientEventMap[typeof l.event]);
  }

  private detach(l: ClientListener): void {
    const off = l.off;
    l.off = undefined;
    off?.();
  }
}
