import { createHash, randomBytes } from 'node:crypto';
import { namesClash } from '../protocol/names';
import type { InviteRecord, Store } from './store';

/** How long a named invite works. */
export const INVITE_LIFETIME_MS = 7 * 24 * 3_600_000;
/** Named invites one member may have waiting at once. */
const LIVE_PER_MEMBER = 20;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Invites for a name: a member asks the relay for one, for "dora"; until dora joins with it
 * (once, within seven days) nobody else may take that name or one that could pass for it, and
 * dora needs no team secret: the token is her way in. Kept in the store as hashes.
 */
export class InviteTokens {
  private readonly live = new Map<string, InviteRecord>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    for (const r of store.invites()) this.live.set(r.hash, r);
    this.sweep();
  }

  make(maker: string, name: string): { token: string; expires: number } {
    this.sweep();
    const mine = [...this.live.values()].filter((r) => r.maker === maker).sort((a, b) => a.created - b.created);
    for (const old of mine.slice(0, Math.max(0, mine.length - LIVE_PER_MEMBER + 1))) this.drop(old.hash);
    // A new invite for the same name replaces the earlier one.
    for (const r of [...this.live.values()]) if (namesClash(r.name, name)) this.drop(r.hash);
    const token = randomBytes(16).toString('base64url');
    const rec: InviteRecord = { hash: hashOf(token), name, maker, created: this.now(), expires: this.now() + INVITE_LIFETIME_MS };
    this.store.addInvite(rec);
    this.live.set(rec.hash, rec);
    return { token, expires: rec.expires };
  }

  /** The waiting invite whose name `name` could pass for, if any. */
  reservedFor(name: string): InviteRecord | undefined {
    this.sweep();
    return [...this.live.values()].find((r) => namesClash(r.name, name));
  }

  /** Uses up the invite `token` for `name`; the reason when it cannot be. */
  redeem(token: string, name: string): { ok: true; invite: InviteRecord } | { ok: false; message: string } {
    this.sweep();
    const rec = this.live.get(hashOf(token));
    if (!rec) return { ok: false, message: 'this invite was used already, has expired, or was replaced by a newer one; ask for a new invite' };
    if (rec.name !== name) return { ok: false, message: `this invite is for ${rec.name}; join with that name` };
    this.drop(rec.hash);
    return { ok: true, invite: rec };
  }

  /** Voids the waiting invites `maker` made (all of them without `maker`); how many. */
  revoke(maker?: string): number {
    const gone = [...this.live.values()].filter((r) => maker === undefined || r.maker === maker);
    for (const r of gone) this.drop(r.hash);
    return gone.length;
  }

  private drop(hash: string): void {
    this.live.delete(hash);
    this.store.removeInvite(hash);
  }

  private sweep(): void {
    for (const r of [...this.live.values()]) if (r.expires <= this.now()) this.drop(r.hash);
  }
}
