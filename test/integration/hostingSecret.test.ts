import * as assert from 'node:assert/strict';
import { loadWith, vscodeStub } from '../unit/stubVscode';
import { connect, makeClient, onCleanup, tempDir, waitFor } from '../helpers';

// The relay a VS Code window hosts (host/hosting.ts) against real sockets and a real SQLite file,
// with a stand-in for `vscode` (an ExtensionContext whose SecretStorage is in memory). Loopback
// hosting has a team secret too: on a shared machine any local user can reach 127.0.0.1.

function hostingIn(dir: string, secrets = new Map<string, string>()) {
  const vscode = vscodeStub();
  const { Hosting } = loadWith<typeof import('../../src/host/hosting')>('../../src/host/hosting', vscode);
  const context = {
    globalStorageUri: { fsPath: dir },
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
  };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const hosting = new Hosting(context as never, log as never);
  onCleanup(() => hosting.stop());
  return { hosting, secrets };
}

const choice = (over: Partial<import('../../src/host/hosting').HostChoice> = {}) => ({
  port: 0,
  share: false,
  secure: false,
  team: 'Core',
  discovery: { enabled: false },
  ...over,
});

function refusal(url: string, name: string, opts: Parameters<typeof makeClient>[2]): Promise<string> {
  const c = makeClient(url, name, opts);
  const failed = new Promise<string>((resolve) => c.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
  c.client.start();
  return failed;
}

describe('hosting from a VS Code window: secrets and TLS', function () {
  this.timeout(20_000);
  it('requires a team secret on loopback too: a local stranger without it is refused; the window joins with the kept one', async () => {
    const dir = tempDir();
    const { hosting, secrets } = hostingIn(dir);
    const local = await hosting.start(choice(), false);
    assert.match(local.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(local.secret && local.secret.length >= 24, 'a secret of 18 random bytes');
    assert.equal(secrets.get('parley.hostSecret'), local.secret);
    const relay = hosting.relay!.relay;
    assert.match(await refusal(local.url, 'mallory', {}), /team secret/);
    assert.match(await refusal(local.url, 'mallory2', { secret: 'a guess at it' }), /team secret/);
    assert.equal(relay.memberCount(), 0, 'nobody got in without the secret');
    const me = await connect(local.url, 'alice', { secret: local.secret });
    assert.equal(me.client.state, 'connected');
    // Restarting keeps the same secret (the data, and the window's saved join, stay valid).
    await hosting.stop();
    me.close();
    const again = await hosting.start(choice(), false);
    assert.equal(again.secret, local.secret);
  });

  it('shares over TLS with the kept certificate: invites carry the secret and the fingerprint, and a client without the pin is refused before sending anything', async () => {
    const { hosting } = hostingIn(tempDir());
    // "On this network" in a test: a non-loopback bind option pointed at 127.0.0.1.
    const local = await hosting.start(choice({ share: true, address: '127.0.0.1', secure: true }), false);
    assert.match(local.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    assert.match(local.fingerprint ?? '', /^[0-9a-f]{64}$/);
    const [invite] = hosting.invites('Core');
    assert.deepEqual(invite, { relayUrl: local.url, secret: local.secret, fingerprint: local.fingerprint, team: 'Core' });
    const unpinned = makeClient(local.url, 'bob', { secret: local.secret });
    const problem = new Promise<unknown>((resolve) => unpinned.client.on('certificate', resolve));
    unpinned.client.start();
    assert.deepEqual(await problem, { kind: 'unknown', fingerprint: local.fingerprint });
    assert.equal(hosting.relay!.relay.memberCount(), 0);
    const bob = await connect(local.url, 'bob2', { secret: local.secret, fingerprint: local.fingerprint });
    assert.equal(bob.client.state, 'connected');
  });

  it('learns a secret an admin rotated: kept in SecretStorage, in the invites, and still the one after hosting again', async () => {
    const { hosting, secrets } = hostingIn(tempDir());
    const local = await hosting.start(choice({ share: true, address: '127.0.0.1' }), false);
    const alice = await connect(local.url, 'alice', { secret: local.secret });
    const rotated = await alice.client.rotateSecret();
    await waitFor(() => secrets.get('parley.hostSecret') === rotated, 'the window keeps the new secret');
    assert.equal(hosting.invites('Core')[0]!.secret, rotated, 'its invites carry it');
    await hosting.stop();
    const again = await hosting.start(choice({ share: true, address: '127.0.0.1' }), false);
    assert.equal(again.secret, rotated);
    assert.match(await refusal(again.url, 'mallory', { secret: local.secret }), /team secret/, 'the old secret admits nobody new');
    const bob = await connect(again.url, 'bob', { secret: rotated });
    assert.equal(bob.client.state, 'connected');
  });
});
