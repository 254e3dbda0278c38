import { createHash, randomInt } from 'node:crypto';

/** Letters and digits that survive being read aloud or typed from a phone: no 0/O, 1/I/L, U. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
/** 10 characters of 30: about 49 bits, against at most WRONG_LIMIT guesses per member. */
const CODE_LENGTH = 10;
const LIFETIME_MS = 10 * 60_000;
const LIVE_PER_MEMBER = 3;
/** Wrong codes for one member before all its codes are void (and new ones refused a while). */
const WRONG_LIMIT = 5;
const LOCK_MS = 10 * 60_000;

interface Live {
  hash: string;
  expires: number;
}

/** A code as typed: upper case, without spaces or dashes. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

const hashOf = (code: string) => createHash('sha256').update(normalizeCode(code)).digest('hex');

/**
 * One-time codes that add a device to a member (made on a device already signed in, typed on the
 * new one). Held in memory only, as hashes: a relay restart voids them, which a ten-minute code
 * can afford. Guessing is bounded per member, whatever the address: after WRONG_LIMIT wrong
 * codes the member's live codes are void and none are accepted for LOCK_MS.
 */
export class DeviceCodes {
  private readonly live = new Map<string, Live[]>();
  private readonly wrong = new Map<string, { count: number; lockedUntil: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(user: string): { code: string; expires: number } {
    const list = this.current(user);
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    const expires = this.now() + LIFETIME_MS;
    list.push({ hash: hashOf(code), expires });
    while (list.length > LIVE_PER_MEMBER) list.shift();
    this.live.set(user, list);
    return { code: `${code.slice(0, 5)}-${code.slice(5)}`, expires };
  }

  /** Uses up a code: `ok` once; `wrong` (counted) for any other; `locked` after too many wrong ones. */
  redeem(user: string, code: string): 'ok' | 'wrong' | 'locked' {
    const w = this.wrong.get(user);
    if (w && w.lockedUntil > this.now()) return 'locked';
    const list = this.current(user);
    const hash = hashOf(code);
    const i = list.findIndex((c) => c.hash === hash);
    if (i >= 0) {
      list.splice(i, 1);
      if (list.length === 0) this.live.delete(user);
      this.wrong.delete(user);
      return 'ok';
    }
    const count = (w && w.lockedUntil > 0 && w.lockedUntil <= this.now() ? 0 : (w?.count ?? 0)) + 1;
    if (count >= WRONG_LIMIT) {
      this.live.delete(user);
      this.wrong.set(user, { count: 0, lockedUntil: this.now() + LOCK_MS });
      return 'locked';
    }
    this.wrong.set(user, { count, lockedUntil: 0 });
    return 'wrong';
  }

  private current(user: string): Live[] {
    const list = (this.live.get(user) ?? []).filter((c) => c.expires > this.now());
    if (list.length === 0) this.live.delete(user);
    else this.live.set(user, list);
    return list;
  }
}
