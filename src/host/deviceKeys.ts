import type * as vscode from 'vscode';
import { isIdentitySecret, newIdentitySecret } from '../infra/identity';

// This machine's keys, in SecretStorage: the Ed25519 device key it signs in with, and the
// protocol-1 identity key (sent raw), kept only until every relay that knew it has this device's key.

/** The protocol-1 identity key (sent raw); kept only until every relay that knew it has this device's key. */
const IDENTITY_KEY = 'parley.identityKey';
/** This machine's Ed25519 device key (see infra/identity.ts). */
const DEVICE_KEY = 'parley.deviceKey';
/** Relays that may still know this machine by its protocol-1 key. */
const LEGACY_RELAYS_KEY = 'parley.legacyRelays';

type Storage = Pick<vscode.ExtensionContext, 'secrets' | 'globalState'>;

/**
 * This machine's device key (made on first use), and the protocol-1 key if this relay may
 * still hold it. The old key is offered only to relays this machine joined before it had a
 * device key (`knownRelays` when the device key is made: a relay it never used cannot have it,
 * and must not get it); after a sign-in at each of them it is forgotten (forgetLegacyKey).
 */
export async function deviceIdentity(context: Storage, url: string, knownRelays: () => string[]): Promise<{ key: string; legacyKey?: string }> {
  let key = await context.secrets.get(DEVICE_KEY);
  const legacyKey = await context.secrets.get(IDENTITY_KEY);
  if (!key || !isIdentitySecret(key)) {
    key = newIdentitySecret();
    if (legacyKey) await context.globalState.update(LEGACY_RELAYS_KEY, [...new Set(knownRelays().filter((u) => !!u))]);
    await context.secrets.store(DEVICE_KEY, key);
  }
  const legacyAt = context.globalState.get<string[]>(LEGACY_RELAYS_KEY, []);
  return { key, ...(legacyKey && legacyAt.includes(url) ? { legacyKey } : {}) };
}

/** After a sign-in with the device key at `url`: that relay needs the old key no more (and when none does, it is deleted). */
export async function forgetLegacyKey(context: Storage, url: string, log: Pick<vscode.LogOutputChannel, 'info'>): Promise<void> {
  const legacyAt = context.globalState.get<string[]>(LEGACY_RELAYS_KEY, []);
  if (!legacyAt.includes(url)) return;
  const rest = legacyAt.filter((u) => u !== url);
  await context.globalState.update(LEGACY_RELAYS_KEY, rest);
  if (rest.length === 0) await context.secrets.delete(IDENTITY_KEY);
  log.info(
    `signed in at ${url} with this machine's device key; ${rest.length === 0 ? 'the old identity key is deleted' : `the old key is kept for ${rest.length} other relay(s)`}`,
  );
}
