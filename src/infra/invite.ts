import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { checkJoin } from '../protocol/joinForm';
import { normalizeFingerprint, formatFingerprint } from './fingerprint';

/** Everything a teammate needs to join: where the relay is, its secret, its certificate. */
export interface Invite {
  /** ws:// or wss:// address of the relay. */
  relayUrl: string;
  /** Team secret, when the relay requires one. */
  secret?: string;
  /** SHA-256 fingerprint of the relay's certificate (64 hex digits), for wss:// relays. */
  fingerprint?: string;
  /** The team's name, shown in the confirmation. */
  team?: string;
  /** A named invite: the name the relay keeps for the invitee… */
  invitee?: string;
  /** …and the one-use token they join with instead of the team secret (see `invite.make`). */
  token?: string;
}

export type InviteParse = { ok: true; invite: Invite } | { ok: false; message: string };

export const INVITE_AUTHORITY = 'parley.parley';
const TEAM_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,47}$/u;

/**
 * The invite's checksum: SHA-256 over its fields, first 16 hex digits, in the link as `sum`. It
 * catches a link mangled on its way (a chat client that ate a character, a line cut in two, a
 * field edited by hand), so a damaged link is refused rather than joined half-right. It is not a
 * signature: anyone who can write an invite can compute it, so it proves nothing about who made
 * the invite. Who made it is what the user must judge (the confirmation says so), and a forged
 * invite can only point at another relay, whose certificate then gets a trust-on-first-use
 * question (or disagrees with a pin already held) and whose address is shown.
 */
function checksumOf(inv: Invite): string {
  return createHash('sha256')
    .update(
      [
        'parley-invite-2',
        inv.relayUrl,
        inv.secret ?? '',
        inv.fingerprint ?? '',
        inv.team ?? '',
        ...(inv.invitee || inv.token ? [inv.invitee ?? '', inv.token ?? ''] : []),
      ].join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
}

/**
 * The `check` of links made before `sum` (an HMAC keyed with the secret the link itself carries:
 * no more than a checksum either). Still accepted so invites already sent keep working.
 */
function legacyCheckOf(inv: Invite): string {
  return createHmac('sha256', inv.secret ?? '')
    .update(['parley-invite-1', inv.relayUrl, inv.fingerprint ?? '', inv.team ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** `vscode://parley.parley/join?...` (or another editor's scheme, e.g. `vscode-insiders`). */
export function inviteLink(inv: Invite, scheme = 'vscode'): string {
  const q = new URLSearchParams();
  q.set('relay', inv.relayUrl);
  if (inv.secret) q.set('secret', inv.secret);
  if (inv.fingerprint) q.set('fp', inv.fingerprint);
  if (inv.team) q.set('team', inv.team);
  if (inv.invitee) q.set('for', inv.invitee);
  if (inv.token) q.set('token', inv.token);
  q.set('sum', checksumOf(inv));
  return `${scheme}://${INVITE_AUTHORITY}/join?${q.toString()}`;
}

/** The same invite as text to paste into the join form (or a message to a teammate). */
export function inviteText(inv: Invite, scheme = 'vscode'): string {
  return [
    `Join ${inv.team ? `"${inv.team}" ` : 'my team '}on Parley (team chat in VS Code)${inv.invitee ? `, as ${inv.invitee}` : ''}.`,
    ...(inv.invitee ? [`This invite keeps the name ${inv.invitee} for you and works once, within seven days.`] : []),
    `Open this link: ${inviteLink(inv, scheme)}`,
    `or paste this whole text into Parley's join form.`,
    `Relay: ${inv.relayUrl}`,
    ...(inv.secret ? [`Secret: ${inv.secret}`] : []),
    ...(inv.fingerprint ? [`Certificate: ${formatFingerprint(inv.fingerprint)}`] : []),
  ].join('\n');
}

/** Builds an invite from what a user entered; checks every field. */
export function makeInvite(fields: { relayUrl: string; secret?: string; fingerprint?: string; team?: string; invitee?: string; token?: string }): InviteParse {
  const url = checkJoin(fields.relayUrl, 'x', fields.secret ?? '');
  if (!url.ok) return { ok: false, message: url.message };
  let fingerprint: string | undefined;
  if (fields.fingerprint) {
    fingerprint = normalizeFingerprint(fields.fingerprint);
    if (!fingerprint) return { ok: false, message: 'the certificate fingerprint must be 64 hex digits (SHA-256)' };
    if (!url.url.startsWith('wss:')) return { ok: false, message: 'a certificate fingerprint only makes sense for a wss:// relay' };
  }
  const team = fields.team?.trim();
  if (team && !TEAM_NAME.test(team)) return { ok: false, message: "the team name may hold letters, digits, spaces and . _ ' - (up to 48)" };
  if ((fields.invitee === undefined) !== (fields.token === undefined))
    return { ok: false, message: 'a named invite has both the name (for=) and its token (token=)' };
  if (fields.token !== undefined && !/^[A-Za-z0-9_-]{22}$/.test(fields.token))
    return { ok: false, message: 'the invite token must be 22 characters of A-Z a-z 0-9 _ -' };
  if (fields.invitee !== undefined) {
    const named = checkJoin(url.url, fields.invitee, '');
    if (!named.ok) return { ok: false, message: `the invitee's name: ${named.message}` };
  }
  return {
    ok: true,
    invite: {
      relayUrl: url.url,
      ...(fields.secret ? { secret: fields.secret } : {}),
      ...(fingerprint ? { fingerprint } : {}),
      ...(team ? { team } : {}),
      ...(fields.invitee !== undefined ? { invitee: fields.invitee, token: fields.token } : {}),
    },
  };
}

/**
 * Reads an invite from a link (`<scheme>://parley.parley/join?...`) or from the pasted text
 * (which contains the link). Says what is wrong when it is not one.
 */
export function parseInvite(text: string): InviteParse {
  const trimmed = text.trim();
  if (trimmed.length > 4096) return { ok: false, message: 'that is too long to be a Parley invite' };
  // The link may sit in a sentence, in <…> or in markdown: stop at quotes and brackets, drop trailing punctuation.
  const m = /\b([a-z][a-z0-9+.-]*):\/\/parley\.parley\/join\?([^\s<>"'`()[\]]+)/i.exec(trimmed);
  if (!m) return { ok: false, message: 'no Parley invite link (…://parley.parley/join?…) found in the text' };
  const q = new URLSearchParams(m[2].replace(/[.,;:!?]+$/, ''));
  const relayUrl = q.get('relay');
  const sum = q.get('sum');
  const check = q.get('check');
  if (!relayUrl) return { ok: false, message: 'the invite has no relay address' };
  if (!sum && !check) return { ok: false, message: 'the invite has no checksum (sum=…); copy the whole link again' };
  const made = makeInvite({
    relayUrl,
    secret: q.get('secret') ?? undefined,
    fingerprint: q.get('fp') ?? undefined,
    team: q.get('team') ?? undefined,
    invitee: q.get('for') ?? undefined,
    token: q.get('token') ?? undefined,
  });
  if (!made.ok) return { ok: false, message: `the invite is not valid: ${made.message}` };
  const want = Buffer.from(sum ? checksumOf(made.invite) : legacyCheckOf(made.invite));
  const got = Buffer.from((sum ?? check ?? '').toLowerCase());
  if (want.length !== got.length || !timingSafeEqual(want, got)) {
    return {
      ok: false,
      message: 'the invite was damaged or edited after it was made (its checksum does not match); copy the whole link again or ask for a new one',
    };
  }
  return made;
}
