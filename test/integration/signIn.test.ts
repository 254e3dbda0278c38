import * as assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { newIdentitySecret } from '../../src/infra/identity';
import { newIdentityKey } from '../../src/client/ids';
import { keyHash } from '../../src/relay/auth';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { loadOrCreateCertificate } from '../../src/relay/tlsCert';
import { HostedRelay } from '../../src/relay/hostedRelay';
import { connect, general, makeClient, onCleanup, RawClient, signedHello, startRelay, tempDir, texts, waitFor } from '../helpers';

/** Resolves with the detail of the client's first `failed` state. */
function failure(c: ReturnType<typeof makeClient>): Promise<string> {
  return new Promise((resolve) => c.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
}

/**
 * A relay in between: it accepts the victim's connection, passes it a nonce (its own, or one it
 * got live from the real relay) and keeps the hello the victim signs. With `tls`, it serves
 * wss:// with its own certificate (the victim trusts it, as after a forged invite).
 */
async function captor(
  opts: { nonce?: () => Promise<string>; tls?: { key: string; cert: string } } = {},
): Promise<{ url: string; hellos: Record<string, unknown>[] }> {
  const hellos: Record<string, unknown>[] = [];
  const server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }) : undefined;
  const wss = server ? new WebSocketServer({ server }) : new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('headers', (h) => h.push('x-parley-protocol: 2'));
  wss.on('connection', (ws) => {
    void (async () => {
      const nonce = opts.nonce ? await opts.nonce() : 'A'.repeat(43);
      ws.send(JSON.stringify([{ t: 'challenge', v: 2, nonce }]));
    })();
    ws.on('message', (d) => hellos.push(JSON.parse(String(d)) as Record<string, unknown>));
  });
  if (server) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  else await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = ((server ?? wss).address() as AddressInfo).port;
  onCleanup(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => (server ? server.close(() => r()) : r()));
      }),
  );
  return { url: `${server ? 'wss' : 'ws'}://127.0.0.1:${port}`, hellos };
}

describe('signing in: signed hellos, devices, migration from protocol 1, lockouts', function () {
  this.timeout(20_000);
  it('a hello captured by another relay is refused by the real one: replayed later, or forwarded live', async () => {
    const r = await startRelay();
    const key = newIdentitySecret();
    const alice = await connect(r.url, 'alice', { key });
    alice.close();
    // A relay alice was lured to keeps her hello...
    const fake = await captor();
    const lured = makeClient(fake.url, 'alice', { key });
    lured.client.start();
    const [captured] = await waitFor(() => (fake.hellos.length ? fake.hellos : undefined), 'the captured hello');
    lured.close();
    assert.equal(captured.t, 'hello');
    assert.equal('legacy' in captured, false, 'no secret of hers is in it');
    // ...and replays it to the real relay: that connection's nonce is another.
    const replay = await RawClient.open(r.url);
    replay.send(captured);
    const err = await replay.next('error');
    assert.equal(err.code, 'wrong_relay', 'first the address it was signed for');
    // Signed for the real relay's address but over another connection's nonce: refused too.
    const honest = await RawClient.open(r.url);
    honest.send(signedHello(key, 'B'.repeat(43), r.url, 'alice'));
    assert.equal((await honest.next('error')).code, 'bad_signature');
    assert.equal(await honest.closed(), 4006);

    // Live: the relay in between gets a fresh nonce from the real relay and hands it to alice.
    let forward: RawClient | undefined;
    const relayed = await captor({
      nonce: async () => {
        forward = await RawClient.open(r.url);
        return String((await forward.next('challenge')).nonce);
      },
    });
    const lured2 = makeClient(relayed.url, 'alice', { key });
    lured2.client.start();
    const [live] = await waitFor(() => (relayed.hellos.length ? relayed.hellos : undefined), 'the live hello');
    lured2.close();
    forward!.send(live);
    const liveErr = await forward!.next('error');
    assert.equal(liveErr.code, 'wrong_relay');
    assert.match(String(liveErr.message), new RegExp(`signed for ${relayed.url.slice(5)}`));
    assert.equal(await forward!.closed(), 4006);
    assert.equal(r.relay.onlineCount(), 0, 'nobody got in as alice');
  });

  it('with TLS the certificate is the relay: a hello made through another certificate is refused', async () => {
    const dir = tempDir();
    const real = await HostedRelay.start({ dataDir: dir, host: '127.0.0.1', port: 0, tls: true });
    onCleanup(() => real.stop());
    const url = real.url('127.0.0.1');
    const key = newIdentitySecret();
    (await connect(url, 'alice', { key, fingerprint: real.fingerprint })).close();
    const otherCert = await loadOrCreateCertificate(tempDir());
    let forward: RawClient | undefined;
    const mitm = await captor({
      tls: otherCert,
      nonce: async () => {
        const ws = new WebSocket(url, { rejectUnauthorized: false });
        forward = await new Promise<RawClient>((resolve) => {
          const events: Record<string, unknown>[] = [];
          ws.on('message', (d) => events.push(...(JSON.parse(String(d)) as Record<string, unknown>[])));
          ws.once('open', () => resolve({ ws, events, send: (f: unknown) => ws.send(JSON.stringify(f)) } as unknown as RawClient));
        });
        const c = await waitFor(() => forward!.events.find((e) => e.t === 'challenge'), 'challenge');
        return String(c.nonce);
      },
    });
    // The victim reaches the relay in between under the real relay's name and port story: it trusts its certificate.
    const lured = makeClient(mitm.url, 'alice', { key, fingerprint: otherCert.fingerprint });
    lured.client.start();
    const [live] = await waitFor(() => (mitm.hellos.length ? mitm.hellos : undefined), 'the live hello');
    lured.close();
    assert.equal(live.fingerprint, otherCert.fingerprint);
    forward!.send(live);
    const err = await waitFor(() => forward!.events.find((e) => e.t === 'error'), 'refusal');
    assert.equal(err.code, 'wrong_relay');
    assert.match(String(err.message), /another certificate/);
  });

  it('accepts a hello signed for an address the relay was told it has (--public-url), and only that one', async () => {
    const r = await startRelay({ publicUrls: ['wss://chat.example.com'] });
    const proxied = await RawClient.open(r.url);
    await proxied.signIn(r.url, 'alice', newIdentitySecret(), { signedFor: 'wss://chat.example.com/parley' });
    await proxied.next('welcome');
    for (const other of ['ws://chat.example.com', 'wss://chat.example.com:8443', `ws://10.255.0.1:${r.port}`]) {
      const raw = await RawClient.open(r.url);
      await raw.signIn(r.url, 'bob', newIdentitySecret(), { signedFor: other });
      assert.equal((await raw.next('error')).code, 'wrong_relay', other);
    }
    // This machine's own names on the listening port need no configuration.
    for (const own of [`ws://localhost:${r.port}`, `ws://[::1]:${r.port}/`]) {
      const raw = await RawClient.open(r.url);
      await raw.signIn(r.url, `m${own.length}`, newIdentitySecret(), { signedFor: own });
      await raw.next('welcome');
    }
  });

  it('adds a second machine with a one-time code, lists devices, and cuts a removed device off at once', async () => {
    const r = await startRelay({ secret: 'a-long-team-secret-0123456789' });
    const laptop = await connect(r.url, 'alice', { secret: 'a-long-team-secret-0123456789', deviceLabel: 'laptop' });
    // A second machine without a code: the name is hers, and the refusal says what to do.
    const bare = makeClient(r.url, 'alice', { deviceLabel: 'laptop' });
    const bareFailed = failure(bare);
    bare.client.start();
    assert.match(await bareFailed, /belongs to another member.*Add a Device/);
    bare.close();
    const { code, expires } = await laptop.client.makeDeviceCode();
    assert.match(code, /^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$/);
    assert.ok(expires > Date.now() + 9 * 60_000);
    const added: string[][] = [];
    laptop.client.on('devices', (ds) => added.push(ds.map((d) => d.label)));
    // The code is typed in lower case with spaces: still the code. No team secret needed.
    const desktop = await connect(r.url, 'alice', { deviceCode: code.toLowerCase().replace('-', ' '), deviceLabel: 'desktop' });
    assert.equal(desktop.client.self!.id, laptop.client.self!.id, 'the same member');
    await waitFor(() => added.some((l) => l.join() === 'laptop,desktop'), 'the laptop hears of the new device');
    // Used up: a third machine cannot reuse it.
    const third = makeClient(r.url, 'alice', { deviceCode: code });
    const thirdFailed = failure(third);
    third.client.start();
    assert.match(await thirdFailed, /wrong, used or expired/);
    const devices = await laptop.client.listDevices();
    assert.deepEqual(
      devices.map((d) => d.label),
      ['laptop', 'desktop'],
    );
    // Messages reach both machines.
    laptop.client.send(general(laptop), { kind: 'text', text: 'on both' });
    await waitFor(() => texts(desktop, general(desktop)).includes('on both'), 'desktop gets it');
    // The laptop removes the desktop: its connection closes now, with why; it cannot come back.
    const desktopFailed = failure(desktop);
    const left = await laptop.client.removeDevice(devices[1].id);
    assert.deepEqual(
      left.map((d) => d.label),
      ['laptop'],
    );
    assert.match(await desktopFailed, /this device \(desktop\) was removed by alice on laptop/);
    const again = makeClient(r.url, 'alice', { key: desktop.key });
    const againFailed = failure(again);
    again.client.start();
    assert.match(await againFailed, /belongs to another member/);
    // The last device cannot be removed (nobody could sign in as alice).
    await assert.rejects(laptop.client.removeDevice(devices[0].id), /only device/);
    // Nor someone else's.
    const bob = await connect(r.url, 'bob', { secret: 'a-long-team-secret-0123456789' });
    await assert.rejects(bob.client.removeDevice(devices[0].id), /no device/);
    assert.equal(laptop.client.state, 'connected');
    // Two machines that call themselves the same are told apart in the list.
    const twin = await connect(r.url, 'alice', { deviceCode: (await laptop.client.makeDeviceCode()).code, deviceLabel: 'laptop' });
    assert.deepEqual(
      (await twin.client.listDevices()).map((d) => d.label),
      ['laptop', 'laptop (2)'],
    );
  });

  it('bounds device-code guessing per member: five wrong codes void the real one', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const { code } = await alice.client.makeDeviceCode();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const raw = await RawClient.open(r.url);
      await raw.signIn(r.url, 'alice', newIdentitySecret(), { code: `WRONG-${i}AAAA` });
      codes.push(String((await raw.next('error')).message));
      assert.equal(await raw.closed(), 4007);
    }
    assert.match(codes[4], /too many wrong device codes/);
    const real = await RawClient.open(r.url);
    await real.signIn(r.url, 'alice', newIdentitySecret(), { code });
    assert.match(String((await real.next('error')).message), /too many wrong device codes/);
    assert.equal((await alice.client.listDevices()).length, 1);
  });

  it('migrates a member of a protocol-1 relay once: the old key binds the device key, then signs in no more', async () => {
    // A relay file as 145df8a left it: members known by the hash of a raw key.
    const dataFile = `${tempDir()}/relay.sqlite`;
    const legacy = newIdentityKey();
    const old = new SqliteStore(dataFile);
    old.createUser({ id: 'ualice', name: 'alice', norm: 'alice', keyHash: keyHash(legacy), created: Date.now() });
    old.close();
    const r = await startRelay({ dataFile });
    const probe = await RawClient.open(r.url);
    assert.equal((await probe.next('challenge')).legacy, true, 'the relay says it has members to migrate');
    const key = newIdentitySecret();
    const alice = await connect(r.url, 'alice', { key, legacyKey: legacy });
    assert.equal(alice.client.self!.id, 'ualice', 'the same member as before');
    alice.close();
    // The device key alone now signs her in.
    const back = await connect(r.url, 'alice', { key });
    assert.equal(back.client.self!.id, 'ualice');
    // Someone holding her old key (captured by a relay she used before) gets nothing.
    const thief = await RawClient.open(r.url);
    await thief.signIn(r.url, 'alice', newIdentitySecret(), { legacy });
    const stolen = await thief.next('error');
    assert.equal(stolen.code, 'retired_key');
    assert.match(String(stolen.message), /old identity key was already exchanged/);
    const probe2 = await RawClient.open(r.url);
    assert.equal((await probe2.next('challenge')).legacy, undefined, 'nobody left to migrate');
  });

  it('a known member is never locked out by wrong secrets from their network; a strong secret is not either', async () => {
    for (const secret of ['a-long-team-secret-0123456789', 'weakpass']) {
      const r = await startRelay({ secret });
      const alice = await connect(r.url, 'alice', { secret });
      alice.close();
      // A neighbour on the same address guesses ten times.
      for (let i = 0; i < 10; i++) {
        const raw = await RawClient.open(r.url, { authorization: `Bearer guess${i}` });
        await raw.signIn(r.url, `guesser${i}`);
        assert.equal((await raw.next('error')).code, 'bad_secret');
      }
      const eleventh = await RawClient.open(r.url, { authorization: 'Bearer guess10' });
      await eleventh.signIn(r.url, 'guesser10');
      assert.equal((await eleventh.next('error')).code, 'rate_limited', 'guessing is throttled');
      // alice signs in with her key, without any secret (as after a rotation she missed).
      const back = await connect(r.url, 'alice', { key: alice.key });
      assert.equal(back.client.state, 'connected');
      // A new teammate with the right secret: in when the secret is strong, told to wait when weak.
      const carol = makeClient(r.url, 'carol', { secret });
      const answer = new Promise<string>((resolve) => {
        carol.client.on('error', (code) => resolve(code));
        carol.client.on('synced', () => resolve('synced'));
      });
      carol.client.start();
      assert.equal(await answer, secret === 'weakpass' ? 'rate_limited' : 'synced');
      carol.close();
      await r.stop();
    }
  });
});
