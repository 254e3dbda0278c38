// Migration from protocol 1 with the real thing: the relay of 145df8a (the last release before
// signed sign-in), built from git at test time, makes a team the way it did; this build's relay
// opens its data; its members come back with their old keys once, then with device keys only.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildAtCommit } from '../buildAtCommit';
import { newIdentitySecret } from '../../src/infra/identity';
import { newIdentityKey } from '../../src/client/ids';
import { connect, general, makeClient, onCleanup, RawClient, startRelay, tempDir, texts, waitFor } from '../helpers';

const OLD = '145df8a';

/** dist/relay.js of the old commit, built with this checkout's node_modules. */
function buildOldRelay(): Promise<string> {
  return buildAtCommit(OLD, { entry: 'src/relay/cli.ts', dir: tempDir(), outName: 'relay.js' });
}

async function runRelay(bin: string, data: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const p: ChildProcess = spawn(process.execPath, [bin, '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await gone;
  };
  onCleanup(stop);
  const port = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1], `the old relay's listen line (${out})`, 15_000);
  return { url: `ws://127.0.0.1:${port}`, stop };
}

describe(`migration from protocol 1 (the relay of ${OLD})`, function () {
  this.timeout(60_000);
  it('its members come back as themselves with their old key once; old keys, old clients and old relays are refused with what to do', async () => {
    const bin = await buildOldRelay();
    const data = tempDir();
    const old = await runRelay(bin, data);
    // The team as protocol 1 made it: alice and bob, a message, raw keys in the hello.
    const aliceKey = newIdentityKey();
    const alice1 = await RawClient.open(old.url);
    alice1.send({ t: 'hello', v: 1, name: 'alice', key: aliceKey });
    const w = (await alice1.next('welcome')) as { you: { id: string }; conversations: { id: string; name: string }[] };
    const room = w.conversations.find((c) => c.name === 'general')!.id;
    alice1.send({ t: 'send', id: 'mOldMessage01', conv: room, body: { kind: 'text', text: 'said under protocol 1' } });
    await alice1.next('ack');
    const bob1 = await RawClient.open(old.url);
    bob1.send({ t: 'hello', v: 1, name: 'bob', key: newIdentityKey() });
    await bob1.next('welcome');

    // A new client against the old relay: it stops and says the relay must be updated.
    const early = makeClient(old.url, 'carol');
    const earlyFailed = new Promise<string>((resolve) => early.client.on('state', (s, d) => s === 'failed' && resolve(d ?? '')));
    early.client.start();
    assert.match(await earlyFailed, /older Parley \(protocol 1.*ask whoever runs it to update/);
    early.close();
    await old.stop();

    // This build's relay on the same data.
    const r = await startRelay({ dataFile: join(data, 'relay.sqlite') });
    const key = newIdentitySecret();
    const alice = await connect(r.url, 'alice', { key, legacyKey: aliceKey });
    assert.equal(alice.client.self!.id, w.you.id, 'the same member as under protocol 1');
    await waitFor(() => texts(alice, general(alice)).includes('said under protocol 1'), 'her history is there');
    // Her old key is spent: a hello with it (as a relay that captured it would send) is refused.
    const thief = await RawClient.open(r.url);
    await thief.signIn(r.url, 'alice', newIdentitySecret(), { legacy: aliceKey });
    assert.equal((await thief.next('error')).code, 'retired_key');
    // A client of 145df8a (protocol 1) is told to update, and makes nothing.
    const oldClient = await RawClient.open(r.url);
    oldClient.send({ t: 'hello', v: 1, name: 'bob', key: newIdentityKey() });
    const err = await oldClient.next('error');
    assert.equal(err.code, 'unsupported_version');
    assert.match(String(err.message), /update Parley/);
    // bob has not migrated yet: the challenge still says so.
    const probe = await RawClient.open(r.url);
    assert.equal((await probe.next('challenge')).legacy, true);
  });
});
