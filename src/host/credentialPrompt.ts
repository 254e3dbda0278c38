import { formatFingerprint } from '../infra/fingerprint';
import type { CredentialConflict } from '../client/heldCredentials';
import { ask } from './messages';

// The questions that decide whether to trust a relay's new certificate or secret. In VS Code's
// modal dialog the first item is the primary button and has the focus (Enter picks it); Escape
// and the close box pick the Cancel button VS Code adds. So the safe choice goes first and the
// risky one second; Cancel changes nothing either (no join).

export const KEEP = 'Keep What I Trust';
export const REPLACE = "Use the Invite's";

/** What to do with an offer that disagrees with a held pin or secret: keep, replace, or (undefined) don't join. */
export type ConflictChoice = 'keep' | 'replace' | undefined;

export function describeConflict(c: CredentialConflict): { text: string; detail: string } {
  const lines: string[] = [];
  if (c.certificate) {
    lines.push(`Certificate you trust for ${c.heldUrl} (SHA-256):`, formatFingerprint(c.certificate.held));
    lines.push(
      c.certificate.offered
        ? 'Certificate in the invite:'
        : `The invite says ${c.url}: the same relay without TLS, so the secret and every message would cross the network unencrypted.`,
      ...(c.certificate.offered ? [formatFingerprint(c.certificate.offered)] : []),
    );
  }
  if (c.secret) {
    if (lines.length) lines.push('');
    lines.push(`The team secret differs from the one kept for this address (kept ${c.secret.held}, invite ${c.secret.offered}; tags, not the secrets).`);
  }
  lines.push(
    '',
    'Either the host made a new certificate or secret, or someone made this invite to send you to another relay. ' +
      `"${KEEP}" joins with what you have. Use the invite's only if the host confirms the new one another way (in person, by phone).`,
  );
  return { text: `Parley: this invite disagrees with what this window already trusts for ${c.heldUrl}.`, detail: lines.join('\n') };
}

/** Asks, safe choice first. */
export async function askAboutConflict(c: CredentialConflict): Promise<ConflictChoice> {
  const q = describeConflict(c);
  const pick = await ask('warning', q.text, { modal: true, detail: q.detail }, KEEP, REPLACE);
  return pick === KEEP ? 'keep' : pick === REPLACE ? 'replace' : undefined;
}
