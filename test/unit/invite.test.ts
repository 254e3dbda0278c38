import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { formatFingerprint, normalizeFingerprint } from '../../src/infra/fingerprint';
import { inviteLink, inviteText, makeInvite, parseInvite, type Invite } from '../../src/infra/invite';

const FP = 'ab'.repeat(32);
const full: Invite = { relayUrl: 'wss://192.168.1.20:7420', secret: 'correct horse battery', fingerprint: FP, team: 'Core team' };

function parsed(text: string): Invite {
  const r = parseInvite(text);
  if (!r.ok) assert.fail(r.message);
  return r.invite;
}

function refused(text: string): string {
  const r = parseInvite(text);
  assert.equal(r.ok, false, `accepted: ${text}`);
  return (r as { message: string }).message;
}

describe('invites', () => {
  it('round-trips through the link and through the pasted text, in any editor scheme', () => {
    assert.deepEqual(parsed(inviteLink(full)), full);
    assert.deepEqual(parsed(inviteLink(full, 'vscode-insiders')), full);
    assert.deepEqual(parsed(inviteText(full)), full);
    // Pasted from a chat client that wrapped it in other words and markdown.
    assert.deepEqual(parsed(`hey, join us: <${inviteLink(full)}> thanks`), full);
    const minimal: Invite = { relayUrl: 'ws://127.0.0.1:7420' };
    assert.deepEqual(parsed(inviteLink(minimal)), minimal);
    assert.match(inviteLink(full), /^vscode:\/\/parley\.parley\/join\?relay=wss%3A%2F%2F192\.168\.1\.20%3A7420&secret=/);
  });

  it('carries a named invite (the name and its token, no secret), and refuses one edited to another name', () => {
    const named: Invite = { relayUrl: 'wss://192.168.1.20:7420', fingerprint: FP, team: 'Core team', invitee: 'dora', token: 'AbCdEfGhIjKlMnOpQrStUv' };
    assert.deepEqual(parsed(inviteLink(named)), named);
    assert.deepEqual(parsed(inviteText(named)), named);
    assert.match(inviteText(named), /as dora\.\nThis invite keeps the name dora for you and works once/);
    assert.doesNotMatch(inviteLink(named), /secret=/);
    assert.match(refused(inviteLink(named).replace('for=dora', 'for=mallory')), /damaged or edited/);
    assert.match(refused(inviteLink(named).replace(/&token=[^&]+/, '')), /both the name \(for=\) and its token/);
    assert.match(refused(inviteLink({ ...named, token: 'short' })), /token must be 22 characters/);
    assert.match(refused(inviteLink({ ...named, invitee: '../x' })), /the invitee's name/);
  });

  it('shows the fingerprint for people to compare in the text form', () => {
    assert.match(inviteText(full), /Certificate: AB:AB:AB/);
    assert.match(inviteText(full), /Secret: correct horse battery/);
  });

  it('refuses an invite whose address, fingerprint, secret or team was changed after it was made', () => {
    const link = inviteLink(full);
    const q = new URL(link.replace('vscode://', 'https://')).searchParams;
    const tamper = (key: string, value: string) => {
      const copy = new URLSearchParams(q);
      copy.set(key, value);
      return `vscode://parley.parley/join?${copy.toString()}`;
    };
    for (const t of [
      tamper('relay', 'wss://203.0.113.9:7420'),
      tamper('fp', 'cd'.repeat(32)),
      tamper('secret', 'another secret'),
      tamper('team', 'Other team'),
    ]) {
      assert.match(refused(t), /damaged or edited/);
    }
    // Cut short: the checksum lost its last characters.
    assert.match(refused(link.slice(0, -3)), /damaged or edited/);
    assert.match(refused(link.replace(/&sum=[0-9a-f]+/, '')), /no checksum/);
  });

  it('calls its check value what it is: a checksum anyone can compute, not a signature', () => {
    // Someone who writes an invite for their own relay gets a valid one: the checksum is over the
    // fields alone, keyed with nothing. What protects the joiner is the confirmation (which says
    // an invite proves nothing about its maker), the certificate's trust-on-first-use question,
    // and the refusal to replace a pin or secret already held (test/unit/heldCredentials.test.ts).
    const forged: Invite = { relayUrl: 'wss://203.0.113.9:7420', secret: 'attacker secret', fingerprint: 'cd'.repeat(32), team: 'Core team' };
    assert.deepEqual(parsed(inviteLink(forged)), forged);
    assert.match(inviteLink(full), /&sum=[0-9a-f]{16}$/);
    assert.doesNotMatch(inviteLink(full), /check=/);
  });

  it('still reads links made before the checksum was renamed (check=, an HMAC keyed with the secret they carry)', () => {
    const old = (inv: Invite) => {
      const q = new URLSearchParams();
      q.set('relay', inv.relayUrl);
      if (inv.secret) q.set('secret', inv.secret);
      if (inv.fingerprint) q.set('fp', inv.fingerprint);
      if (inv.team) q.set('team', inv.team);
      const check = createHmac('sha256', inv.secret ?? '')
        .update(['parley-invite-1', inv.relayUrl, inv.fingerprint ?? '', inv.team ?? ''].join('\n'))
        .digest('hex')
        .slice(0, 16);
      q.set('check', check);
      return `vscode://parley.parley/join?${q.toString()}`;
    };
    assert.deepEqual(parsed(old(full)), full);
    assert.deepEqual(parsed(old({ relayUrl: 'ws://127.0.0.1:7420' })), { relayUrl: 'ws://127.0.0.1:7420' });
    assert.match(refused(old(full).replace('192.168.1.20', '192.168.1.21')), /damaged or edited/);
  });

  it('says what is wrong with something that is not an invite', () => {
    assert.match(refused('ws://192.168.1.20:7420'), /no Parley invite link/);
    assert.match(refused('vscode://parley.parley/join?secret=abcdefgh&sum=00'), /no relay address/);
    assert.match(refused('x'.repeat(5000)), /too long/);
    const bad = (fields: Parameters<typeof makeInvite>[0]) => {
      const r = makeInvite(fields);
      assert.equal(r.ok, false);
      return (r as { message: string }).message;
    };
    assert.match(bad({ relayUrl: 'http://x:1' }), /ws:\/\/ or wss:\/\//);
    assert.match(bad({ relayUrl: 'ws://x:1', secret: 'short' }), /at least 8/);
    assert.match(bad({ relayUrl: 'wss://x:1', fingerprint: 'abc' }), /64 hex/);
    assert.match(bad({ relayUrl: 'ws://x:1', fingerprint: FP }), /only makes sense for a wss/);
    assert.match(bad({ relayUrl: 'ws://x:1', team: '<script>' }), /team name/);
  });

  it('normalizes fingerprints from the usual spellings', () => {
    const colon = formatFingerprint(FP);
    assert.equal(colon.length, 95);
    assert.equal(normalizeFingerprint(colon), FP);
    assert.equal(normalizeFingerprint(`sha256/${FP.toUpperCase()}`), FP);
    assert.equal(normalizeFingerprint(`SHA256 Fingerprint=${colon}`), undefined);
    assert.equal(normalizeFingerprint('ab'), undefined);
  });
});
