import * as assert from 'node:assert/strict';
import { formatFingerprint } from '../../src/infra/fingerprint';
import { credentialConflict, secretTag, type CredentialConflict } from '../../src/client/heldCredentials';
import { tempDir } from '../helpers';
import { loadWith, vscodeStub } from './stubVscode';

// The rule for invites, discovery entries and typed secrets that disagree with what a window
// already holds for a relay address: never applied silently; the safe choice is the default.
// Session.join runs against a stand-in ExtensionContext (SecretStorage and global state in
// memory) and records what it would connect to.

const P1 = '11'.repeat(32);
const P2 = '22'.repeat(32);
const URL_TLS = 'wss://192.168.1.20:7420';
const URL_PLAIN = 'ws://192.168.1.20:7420';

describe('held credentials: the conflict rule', () => {
  it('finds a changed certificate, a changed secret and a dropped TLS, and nothing else', () => {
    assert.deepEqual(credentialConflict({ url: URL_TLS, fingerprint: P2 }, { pins: { [URL_TLS]: P1 } }), {
      url: URL_TLS,
      heldUrl: URL_TLS,
      certificate: { held: P1, offered: P2 },
    });
    const s = credentialConflict({ url: URL_TLS, secret: 'new secret!' }, { pins: {}, secret: 'old secret!' })!;
    assert.deepEqual(s.secret, { held: secretTag('old secret!'), offered: secretTag('new secret!') });
    assert.ok(!JSON.stringify(s).includes('secret!'), 'the secrets themselves are not in the conflict');
    assert.match(secretTag('x'), /^[0-9A-F]{4}-[0-9A-F]{4}$/);
    // The same host and port without TLS, while a pin is held for it with TLS.
    assert.deepEqual(credentialConflict({ url: URL_PLAIN }, { pins: { [URL_TLS]: P1 } }), { url: URL_PLAIN, heldUrl: URL_TLS, certificate: { held: P1 } });
    // No conflict: a first pin or secret, the same ones again, or an offer that leaves them out.
    assert.equal(credentialConflict({ url: URL_TLS, fingerprint: P1, secret: 'a secret' }, { pins: {} }), undefined);
    assert.equal(credentialConflict({ url: URL_TLS, fingerprint: P1, secret: 'a secret' }, { pins: { [URL_TLS]: P1 }, secret: 'a secret' }), undefined);
    assert.equal(credentialConflict({ url: URL_TLS }, { pins: { [URL_TLS]: P1 }, secret: 'a secret' }), undefined);
    // Another address is another relay.
    assert.equal(credentialConflict({ url: 'wss://192.168.1.21:7420', fingerprint: P2 }, { pins: { [URL_TLS]: P1 } }), undefined);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for any VS Code function
type Fn = (...args: any[]) => any;

function sessionWith(held: { pins?: Record<string, string>; secrets?: Record<string, string> }) {
  const vscode = vscodeStub();
  const asked: { text: string; options: { modal?: boolean; detail?: string }; items: string[] }[] = [];
  let answer: string | undefined;
  vscode.window.showWarningMessage = async (text: string, options: { modal?: boolean; detail?: string }, ...items: string[]) => {
    asked.push({ text, options, items });
    return answer;
  };
  const state = new Map<string, unknown>([['parley.certificatePins', { ...(held.pins ?? {}) }]]);
  const secrets = new Map(Object.entries(held.secrets ?? {}).map(([url, s]) => [`parley.teamSecret:${url}`, s]));
  const context = {
    globalState: { get: (k: string, d: unknown) => (state.has(k) ? state.get(k) : d), update: async (k: string, v: unknown) => void state.set(k, v) },
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
    globalStorageUri: { fsPath: tempDir() },
  };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const hosting = { onDidChange: () => ({ dispose: () => undefined }) };
  const { Session } = loadWith<typeof import('../../src/host/session')>('../../src/host/session', vscode);
  const session = new Session(context as never, log as never, hosting as never);
  const connected: string[] = [];
  (session as unknown as { connect: Fn }).connect = async (url: string) => void connected.push(url);
  return {
    session,
    asked,
    connected,
    answer: (a: string | undefined) => (answer = a),
    pins: () => state.get('parley.certificatePins') as Record<string, string>,
    secret: (url: string) => secrets.get(`parley.teamSecret:${url}`),
    settings: vscode.settings,
  };
}

describe('Session.join with what the window already holds', () => {
  it('asks before replacing a pinned certificate, safe choice first, and keeps it by default', async () => {
    const w = sessionWith({ pins: { [URL_TLS]: P1 }, secrets: { [URL_TLS]: 'the team secret' } });
    w.answer('Keep What I Trust');
    assert.equal(await w.session.join(URL_TLS, 'bob', 'the team secret', P2), true);
    assert.equal(w.asked.length, 1);
    const q = w.asked[0]!;
    assert.equal(q.options.modal, true);
    // VS Code's modal makes the first item the primary, focused button and adds Cancel for Escape.
    assert.deepEqual(q.items, ['Keep What I Trust', "Use the Invite's"]);
    assert.match(q.text, /disagrees with what this window already trusts for wss:\/\/192\.168\.1\.20:7420/);
    assert.ok(q.options.detail!.includes(formatFingerprint(P1)) && q.options.detail!.includes(formatFingerprint(P2)), q.options.detail);
    assert.deepEqual(w.pins(), { [URL_TLS]: P1 });
    assert.deepEqual(w.connected, [URL_TLS]);
  });

  it("replaces only when the user picks the invite's, and changes nothing on Cancel", async () => {
    const w = sessionWith({ pins: { [URL_TLS]: P1 }, secrets: { [URL_TLS]: 'old team secret' } });
    w.answer(undefined); // Escape, the close box, or Cancel
    assert.equal(await w.session.join(URL_TLS, 'bob', 'new team secret', P2), false);
    assert.deepEqual(w.pins(), { [URL_TLS]: P1 });
    assert.equal(w.secret(URL_TLS), 'old team secret');
    assert.deepEqual(w.connected, []);
    assert.equal(w.settings['relayUrl'], undefined);
    assert.match(
      w.asked[0]!.options.detail!,
      /The team secret differs from the one kept for this address \(kept [0-9A-F]{4}-[0-9A-F]{4}, invite [0-9A-F]{4}-[0-9A-F]{4}/,
    );
    assert.ok(!/old team secret|new team secret/.test(w.asked[0]!.options.detail!), 'a secret is shown');
    w.answer("Use the Invite's");
    assert.equal(await w.session.join(URL_TLS, 'bob', 'new team secret', P2), true);
    assert.deepEqual(w.pins(), { [URL_TLS]: P2 });
    assert.equal(w.secret(URL_TLS), 'new team secret');
    assert.deepEqual(w.connected, [URL_TLS]);
  });

  it('keeping, when offered the same relay without TLS, joins it with TLS', async () => {
    const w = sessionWith({ pins: { [URL_TLS]: P1 } });
    let seen: CredentialConflict | undefined;
    assert.equal(await w.session.join(URL_PLAIN, 'bob', 'a team secret', undefined, { resolve: async (c) => ((seen = c), 'keep') }), true);
    assert.deepEqual(seen, { url: URL_PLAIN, heldUrl: URL_TLS, certificate: { held: P1 } });
    assert.deepEqual(w.connected, [URL_TLS]);
    assert.equal(w.settings['relayUrl'], URL_TLS);
    assert.equal(w.secret(URL_TLS), 'a team secret');
    assert.equal(w.secret(URL_PLAIN), undefined);
  });

  it("no longer deletes a held secret when an offer has none, and asks nothing for a first pin or this machine's own relay", async () => {
    const w = sessionWith({ secrets: { [URL_TLS]: 'kept secret' }, pins: { 'wss://127.0.0.1:7420': P1 } });
    assert.equal(await w.session.join(URL_TLS, 'bob', undefined, P2), true);
    assert.equal(w.secret(URL_TLS), 'kept secret');
    assert.equal(w.pins()[URL_TLS], P2);
    // Hosting: this machine's relay made its certificate and secret; they are the truth.
    assert.equal(await w.session.join('wss://127.0.0.1:7420', 'bob', 'host secret', P2, { ownRelay: true }), true);
    assert.equal(w.pins()['wss://127.0.0.1:7420'], P2);
    assert.equal(w.asked.length, 0);
  });

  it('pin() never replaces a different pin unless told to', async () => {
    const w = sessionWith({ pins: { [URL_TLS]: P1 } });
    await assert.rejects(w.session.pin(URL_TLS, P2), /a different certificate is already trusted for wss:\/\/192\.168\.1\.20:7420; not replaced/);
    assert.deepEqual(w.pins(), { [URL_TLS]: P1 });
    await w.session.pin(URL_TLS, P1);
    await w.session.pin(URL_TLS, P2, { replace: true });
    assert.deepEqual(w.pins(), { [URL_TLS]: P2 });
  });
});
