import { createHash } from 'node:crypto';

// What joining a relay address would change about what this window already holds for it: its
// pinned certificate and its team secret. An invite, a discovery entry or a typed secret that
// disagrees is never applied silently (see Session.join and credentialPrompt.ts).

/** What is kept for relay addresses: pins by URL, and the team secret kept for the offered URL. */
export interface Held {
  pins: Readonly<Record<string, string>>;
  /** The secret kept for exactly the offered URL. */
  secret?: string;
}

export interface Offered {
  url: string;
  secret?: string;
  fingerprint?: string;
}

/** How an offer disagrees with what is held; at least one of `certificate` and `secret` is set. */
export interface CredentialConflict {
  /** The address offered. */
  url: string;
  /**
   * The address the held pin belongs to: the offered one, or for a `ws://` offer the `wss://`
   * address of the same host and port (the offer would drop TLS for a relay known to use it).
   */
  heldUrl: string;
  /** The pinned fingerprint and the offered one (undefined: the offer is plain ws://). */
  certificate?: { held: string; offered?: string };
  /** Tags of the kept and the offered secret (never the secrets themselves). */
  secret?: { held: string; offered: string };
}

/** `wss://h:p` for `ws://h:p` (the same host and port with TLS), else undefined. */
function tlsTwin(url: string): string | undefined {
  return url.startsWith('ws://') ? `wss://${url.slice('ws://'.length)}` : undefined;
}

/**
 * A short tag for telling two secrets apart on screen without showing either: the first 4 bytes
 * of its SHA-256, as `1A2B-3C4D`.
 */
export function secretTag(secret: string): string {
  const hex = createHash('sha256').update(`parley-secret-tag\n${secret}`).digest('hex').slice(0, 8).toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4)}`;
}

/**
 * The conflict between an offer and what is held, or undefined when the offer only adds to it
 * (a first pin, a first secret) or repeats it. An offer that leaves out a secret or fingerprint
 * the window holds is no conflict: what is held stays and is used.
 */
export function credentialConflict(offered: Offered, held: Held): CredentialConflict | undefined {
  let certificate: CredentialConflict['certificate'];
  let heldUrl = offered.url;
  const pin = held.pins[offered.url];
  if (pin && offered.fingerprint && pin !== offered.fingerprint) certificate = { held: pin, offered: offered.fingerprint };
  const twin = tlsTwin(offered.url);
  const twinPin = twin ? held.pins[twin] : undefined;
  if (twin && twinPin) {
    certificate = { held: twinPin };
    heldUrl = twin;
  }
  const secret =
    held.secret !== undefined && offered.secret !== undefined && held.secret !== offered.secret
      ? { held: secretTag(held.secret), offered: secretTag(offered.secret) }
      : undefined;
  if (!certificate && !secret) return undefined;
  return { url: offered.url, heldUrl, ...(certificate ? { certificate } : {}), ...(secret ? { secret } : {}) };
}
