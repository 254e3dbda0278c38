import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Compares a presented secret with the team secret in constant time (both hashed to equal length first). */
export function secretMatches(expected: string, presented: string | undefined): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256')
    .update(presented ?? '', 'utf8')
    .digest();
  return timingSafeEqual(a, b) && presented !== undefined;
}

/**
 * Whether a team secret is too long to guess: at least 20 characters of which at least 10
 * differ (a generated one has 43). Wrong guesses from an address lock out a weak secret from
 * there for a minute; a strong one is admitted even from an address that guessed.
 */
export function strongSecret(secret: string): boolean {
  return [...secret].length >= 20 && new Set(secret).size >= 10;
}

/** The team secret from an upgrade request: `Authorization: Bearer <secret>`. */
export function presentedSecret(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer (.+)$/.exec(header);
  return m ? m[1] : undefined;
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a host or peer address is this machine (`localhost`, 127.0.0.0/8, ::1, IPv4-mapped 127.x). */
export function isLoopback(addr: string): boolean {
  const a = addr.replace(/^::ffff:/i, '');
  return a === 'localhost' || a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** The throttling key of an address: IPv4 as is, IPv6 by its /64 (one host's whole range). */
export function addressKey(addr: string): string {
  const a = addr.replace(/^::ffff:/, '');
  if (!a.includes(':')) return a;
  const parts = a.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
  const full = parts.length > 1 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail] : head;
  return (
    full
      .slice(0, 4)
      .map((x) => x.toLowerCase().replace(/^0+(?=.)/, ''))
      .join(':') + '::/64'
  );
}

/**
 * Counts failed secrets per address (IPv6 per /64); after `limit` failures within `windowMs`
 * that address is refused (HTTP 429) until the window passes, so a secret cannot be guessed at
 * line rate. Memory is bounded: expired entries are swept at most once per window, and past
 * `maxEntries` the oldest addresses are forgotten.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 50_000,
  ) {}

  blocked(addr: string): boolean {
    return this.recent(addressKey(addr)).length >= this.limit;
  }

  fail(addr: string): void {
    const key = addressKey(addr);
    const list = this.recent(key);
    list.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, list); // re-inserted: the Map's order is oldest activity first
    if (this.now() - this.lastSweep > this.windowMs) this.sweep();
    while (this.failures.size > this.maxEntries) this.failures.delete(this.failures.keys().next().value as string);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  private sweep(): void {
    this.lastSweep = this.now();
    const cutoff = this.now() - this.windowMs;
    for (const [key, list] of this.failures) if (list[list.length - 1] <= cutoff) this.failures.delete(key);
  }
}
