import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { secretMatches } from './auth';
import type { Store } from './store';

// The team secret: what a new member presents to join (members already in sign in with their
// keys). The store keeps only a scrypt hash of the current one and quick hashes of those rotated
// away; this process keeps the secret itself when it was given one, rotated it, or had it
// presented since. docs/PROTOCOL.md "Roles" and "Signing in" describe what it gates.

/** The current secret as stored: scrypt of it (the relay keeps no copy of a secret it was not given). */
interface StoredSecret {
  salt: string;
  hash: string;
  /** Set by a rotation: then it outlives a restart with the secret that was rotated away. */
  rotated?: boolean;
  at: number;
}

/** A secret rotated away: a quick hash is enough (it lets nobody in any more). */
interface RetiredSecret {
  salt: string;
  sha256: string;
}

/** How a presented secret compares with the team's. */
export type SecretCheck = 'open' | 'current' | 'retired' | 'wrong';

const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/** Retired secrets kept to tell "rotated away" from "wrong". */
const RETIRED_KEPT = 8;
/** Distinct wrong secrets remembered, so one repeated never costs a second scrypt. */
const WRONG_REMEMBERED = 256;

function scrypt(secret: string, salt: string): string {
  return scryptSync(secret, Buffer.from(salt, 'hex'), 32, SCRYPT).toString('hex');
}

function sha256(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret, 'utf8').digest('hex');
}

export class TeamSecret {
  private stored: StoredSecret | undefined;
  /** The current secret itself, when this process knows it (given at start, rotated here, or presented once). */
  private plain: string | undefined;
  /** Hashes of wrong secrets already put through scrypt (while `plain` is unknown). */
  private readonly wrongSeen = new Set<string>();

  /** `given`: the secret the relay was started with. */
  constructor(
    private readonly store: Store,
    private readonly given: string | undefined,
    private readonly log: (line: string) => void,
  ) {
    this.loadSecret();
  }

  /** Whether new members must present a secret. */
  get secretRequired(): boolean {
    return this.stored !== undefined;
  }

  /** The current secret, when this process knows it. */
  get secret(): string | undefined {
    return this.plain;
  }

  /**
   * Compares a presented secret with the team's: `open` (the relay has none), `current`,
   * `retired` (one rotated away: a member already in may still present it; a new member may
   * not) or `wrong`. Constant-time; the scrypt runs only while the relay does not know the
   * current secret itself (after a restart following a rotation, until someone presents it).
   */
  checkSecret(presented: string | undefined): SecretCheck {
    const s = this.stored;
    if (!s) return 'open';
    if (presented === undefined || presented.length > 256) return 'wrong';
    if (this.plain !== undefined && secretMatches(this.plain, presented)) return 'current';
    const retired = this.retired().some((r) => timingSafeEqual(Buffer.from(sha256(r.salt, presented), 'hex'), Buffer.from(r.sha256, 'hex')));
    if (retired) return 'retired';
    if (this.plain !== undefined) return 'wrong';
    // Not held in clear (a restart after a rotation): scrypt, once per distinct wrong value (members
    // reconnecting with what they joined with are 'retired' above, without it).
    const seen = sha256('', presented);
    if (this.wrongSeen.has(seen)) return 'wrong';
    if (timingSafeEqual(Buffer.from(scrypt(presented, s.salt), 'hex'), Buffer.from(s.hash, 'hex'))) {
      this.plain = presented;
      this.wrongSeen.clear();
      return 'current';
    }
    this.wrongSeen.add(seen);
    if (this.wrongSeen.size > WRONG_REMEMBERED) this.wrongSeen.delete(this.wrongSeen.values().next().value as string);
    return 'wrong';
  }

  /** Replaces the team secret (kept hashed, and as rotated: a restart with the old one keeps this one). */
  setSecret(secret: string): void {
    const old = this.plain;
    if (old !== undefined && old !== secret) this.retire(old);
    this.writeSecret(secret, true);
  }

  private loadSecret(): void {
    const raw = this.store.setting('secret');
    const stored = raw ? (JSON.parse(raw) as StoredSecret) : undefined;
    const given = this.given;
    if (!stored) {
      if (given !== undefined) this.writeSecret(given, false);
      return;
    }
    this.stored = stored;
    if (given === undefined) {
      // Started without a secret: one set by a rotation still holds; one only mirrored from an
      // earlier start goes with the option.
      if (!stored.rotated) this.clearSecret();
      return;
    }
    if (timingSafeEqual(Buffer.from(scrypt(given, stored.salt), 'hex'), Buffer.from(stored.hash, 'hex'))) {
      this.plain = given;
      return;
    }
    if (stored.rotated && this.retired().some((r) => r.sha256 === sha256(r.salt, given))) {
      this.log(
        `the team secret given at start was rotated away on ${new Date(stored.at).toISOString()}; the rotated one stays (give it with --secret, or a new one to replace it)`,
      );
      return;
    }
    // A new secret from whoever runs the relay replaces the stored one.
    this.stored = undefined;
    this.writeSecret(given, false);
    this.log('the team secret given at start replaces the one kept in the store');
  }

  private writeSecret(secret: string, rotated: boolean): void {
    const salt = randomBytes(16).toString('hex');
    const s: StoredSecret = { salt, hash: scrypt(secret, salt), ...(rotated ? { rotated: true } : {}), at: Date.now() };
    this.store.setSetting('secret', JSON.stringify(s));
    this.stored = s;
    this.plain = secret;
    this.wrongSeen.clear();
  }

  private clearSecret(): void {
    this.store.setSetting('secret', '');
    this.stored = undefined;
    this.plain = undefined;
  }

  private retire(secret: string): void {
    const salt = randomBytes(16).toString('hex');
    const list = [{ salt, sha256: sha256(salt, secret) }, ...this.retired()].slice(0, RETIRED_KEPT);
    this.store.setSetting('secret.retired', JSON.stringify(list));
  }

  private retired(): RetiredSecret[] {
    const raw = this.store.setting('secret.retired');
    return raw ? (JSON.parse(raw) as RetiredSecret[]) : [];
  }
}
