import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Compares a presented secret with the team secret in constant time (both hashed to equal length first). */
export function secretMatches(expected: string, presented: string | undefined): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented ?? '', 'utf8').digest();
  return timingSafeEqual(a, b) && presented !== undefined;
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

/**
 * Counts failed secrets per remote address; after `limit` failures within `windowMs` that address
 * is refused (HTTP 429) until the window passes, so a secret cannot be guessed at line rate.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(addr: string): boolean {
    return this.recent(addr).length >= this.limit;
  }

  fail(addr: string): void {
    const list = this.recent(addr);
    list.push(this.now());
    this.failures.set(addr, list);
    if (this.failures.size > 10_000) this.sweep();
  }

  private recent(addr: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(addr) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(addr);
    else this.failures.set(addr, list);
    return list;
  }

  private sweep(): void {
    for (const addr of [...this.failures.keys()]) this.recent(addr);
  }
}
