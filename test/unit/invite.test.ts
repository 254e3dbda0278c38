import * as assert from 'node:assert/strict';
import { formatFingerprint, normalizeFingerprint } from '../../src/core/fingerprint';
import { inviteLink, inviteText, makeInvite, parseInvite, type Invite } from '../../src/core/invite';

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
    for (const t of [tamper('relay', 'wss://203.0.113.9:7420'), tamper('fp', 'cd'.repeat(32)), tamper('secret', 'another secret'), tamper('team', 'Other team')]) {
      assert.match(refused(t), /changed or cut short/);
    }
    // Cut short: the check lost its last characters.
    assert.match(refused(link.slice(0, -3)), /changed or cut short/);
    assert.match(refused(link.replace(/&check=[0-9a-f]+/, '')), /no check value/);
  });

  it('says what is wrong with something that is not an invite', () => {
    assert.match(refused('ws://192.168.1.20:7420'), /no Parley invite link/);
    assert.match(refused('vscode://parley.parley/join?secret=abcdefgh&check=00'), /no relay address/);
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
