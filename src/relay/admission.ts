import type { Socket } from 'node:net';
import { addressKey } from './auth';

/** How many sockets not yet a member (no accepted `hello`) one address may hold, and all together. */
export interface GateLimits {
  perAddress: number;
  total: number;
}

export const DEFAULT_GATE: GateLimits = { perAddress: 32, total: 512 };

const HELD = Symbol('parley.gate');

/**
 * Sockets that have not become members yet, counted per address (IPv6 per /64) and in all.
 * Past either cap a new socket is refused at once, so a stranger who opens a thousand idle
 * sockets runs into the cap long before the process runs out of file descriptors, and
 * teammates (other addresses, or the same address once it is below the cap) still get in. A
 * socket leaves the count when its `hello` is accepted or when it closes, whichever is first.
 */
export class SocketGate {
  private readonly byAddress = new Map<string, number>();
  private count = 0;

  constructor(private readonly limits: GateLimits) {}

  /**
   * A new TCP connection: false (and nothing counted) when a cap is reached. One that is not a
   * member's within `deadlineMs` is destroyed (Node's own header timeout only starts with a
   * request's first byte, and a hello-less WebSocket has its own, later, handshake timeout).
   */
  admit(socket: Socket, deadlineMs: number): boolean {
    const key = addressKey(socket.remoteAddress ?? 'unknown');
    const n = this.byAddress.get(key) ?? 0;
    if (n >= this.limits.perAddress || this.count >= this.limits.total) return false;
    this.byAddress.set(key, n + 1);
    this.count++;
    let held = true;
    const timer = setTimeout(() => socket.destroy(), deadlineMs);
    timer.unref();
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.count--;
      const left = (this.byAddress.get(key) ?? 1) - 1;
      if (left > 0) this.byAddress.set(key, left);
      else this.byAddress.delete(key);
    };
    (socket as Socket & { [HELD]?: () => void })[HELD] = release;
    socket.once('close', release);
    return true;
  }

  /** The socket became a member's: it no longer counts. */
  release(socket: Socket | undefined): void {
    // A TLS socket wraps the TCP one the gate saw (Node keeps it as `_parent`).
    const s = socket as (Socket & { [HELD]?: () => void; _parent?: Socket & { [HELD]?: () => void } }) | undefined;
    (s?.[HELD] ?? s?._parent?.[HELD])?.();
  }

  /** Sockets counted now (for tests and /healthz). */
  get pending(): number {
    return this.count;
  }
}
