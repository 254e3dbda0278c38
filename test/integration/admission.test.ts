import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { newIdentitySecret } from '../../src/infra/identity';
import { onCleanup, RawClient, startRelay, waitFor, rawSignIn } from '../helpers';

/** Opens `n` TCP connections from `from` that never send a byte; resolves when all are connected. */
async function idleSockets(port: number, n: number, from = '127.0.0.1'): Promise<{ socks: Socket[]; closed: () => number }> {
  let closed = 0;
  const socks = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = tcpConnect({ port, host: '127.0.0.1', localAddress: from });
          s.on('close', () => closed++);
          s.resume(); // read, so the relay's FIN is seen
          s.on('error', () => undefined);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    ),
  );
  onCleanup(() => socks.forEach((s) => s.destroy()));
  return { socks, closed: () => closed };
}

/** A member's hello from a given local address; resolves to the welcome, or rejects with the close code. */
async function helloFrom(url: string, name: string, from: string, key = newIdentitySecret()): Promise<RawClient> {
  const ws = new WebSocket(url, { localAddress: from, perMessageDeflate: false });
  onCleanup(() => ws.terminate());
  await rawSignIn(ws, url, name, key);
  return await new Promise<RawClient>((resolve) => ws.once('message', () => resolve(ws as never)));
}

describe('admission: strangers, and members who open too much, cannot crowd out the team', () => {
  it('caps sockets that are not a member yet, per address and in all; a teammate still gets in', async () => {
    const r = await startRelay({ gate: { perAddress: 8, total: 20 } });
    const flood = await idleSockets(r.port, 50);
    // All but 8 are closed by the relay at once.
    await waitFor(() => flood.closed() === 42, `42 of 50 idle sockets refused (${flood.closed()})`);
    // Another address is not affected; the flooding address is, until its sockets go.
    await helloFrom(r.url, 'carol', '127.0.0.2');
    await assert.rejects(helloFrom(r.url, 'dave', '127.0.0.1'));
    // Members do not count: carol and nine more from 127.0.0.3 are in, then the total cap holds.
    for (let i = 0; i < 9; i++) await helloFrom(r.url, `m${i}`, '127.0.0.3');
    await waitFor(() => r.relay.pendingSockets() === 8, 'only the flood counts');
    const others = await Promise.all(['127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => idleSockets(r.port, 4, a)));
    await waitFor(() => r.relay.pendingSockets() === 20, 'twenty counted');
    const over = await idleSockets(r.port, 4, '127.0.0.7');
    await waitFor(() => over.closed() === 4, 'the total cap (20) refuses a fresh address too');
    assert.ok(others.every((o) => o.closed() === 0));
    for (const s of [...flood.socks, ...others.flatMap((o) => o.socks)]) s.destroy();
    await waitFor(() => r.relay.pendingSockets() === 0, 'the count falls back as sockets close');
    await helloFrom(r.url, 'dave', '127.0.0.1');
  });

  it("closes a socket that is no member's by the end of the header and handshake timeouts", async () => {
    const r = await startRelay({ headersTimeoutMs: 500, handshakeTimeoutMs: 500 });
    const idle = await idleSockets(r.port, 3);
    await waitFor(() => idle.closed() === 3, 'idle sockets closed', 5000);
  });

  it('gives each member a fair share of the upload budget: one member announcing 64 MiB blocks nobody', async () => {
    const r = await startRelay();
    const key = newIdentitySecret();
    const mallory = await Promise.all([0, 1, 2, 3].map(() => RawClient.hello(r.url, 'mallory', key)));
    const bob = await RawClient.hello(r.url, 'bob');
    const room = bob.welcome().conversations.find((c) => c.name === 'general')!.id;
    const big = 10 * 1024 * 1024;
    // 6 x 10 MiB + 4 MiB over four connections of one member, zero bytes sent: the global budget
    // of 64 MiB exactly, as in the report. One 10 MiB file is within the member's share.
    const answers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = mallory[i % 4];
      const id = `hog${String(i).padStart(6, '0')}`;
      c.send({ t: 'upload', id, conv: room, name: `f${i}.bin`, size: i === 6 ? 4 * 1024 * 1024 : big, sha256: 'a'.repeat(64) });
      const e = await waitFor(() => c.events.find((x) => (x.t === 'upload.ready' && x.id === id) || (x.t === 'error' && x.ref === id)), `answer to ${id}`);
      answers.push(e.t === 'error' ? String(e.code) : 'ready');
    }
    // Her share is 16 MiB: the first 10 MiB and the last 4 MiB, nothing else.
    assert.deepEqual(answers, ['ready', 'rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'ready']);
    // Bob's upload goes through.
    const data = randomBytes(300 * 1024);
    bob.send({ t: 'upload', id: 'bobfile001', conv: room, name: 'log.txt', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await bob.next('upload.ready', (x) => x.id === 'bobfile001');
    bob.send({ t: 'chunk', id: 'bobfile001', index: 0, data: data.subarray(0, 256 * 1024).toString('base64') });
    bob.send({ t: 'chunk', id: 'bobfile001', index: 1, data: data.subarray(256 * 1024).toString('base64') });
    await bob.next('ack', (x) => x.id === 'bobfile001');
  });

  it('caps connections per member, shares the frame rate across them, and limits new members per address', async () => {
    const r = await startRelay({ maxConnectionsPerMember: 3, newMembersPerHour: 3, limits: { ratePerSecond: 1, rateBurst: 20 } });
    const key = newIdentitySecret();
    const three = await Promise.all([0, 1, 2].map(() => RawClient.hello(r.url, 'mallory', key)));
    const fourth = await RawClient.open(r.url);
    await fourth.signIn(r.url, 'mallory', key);
    assert.equal((await fourth.next('error')).code, 'too_many_connections');
    assert.equal(await fourth.closed(), 4010);
    // The rate is the member's: 15 frames on each of two connections pass a burst of 20 by 10.
    for (const c of three.slice(0, 2)) for (let i = 0; i < 15; i++) c.send({ t: 'presence', state: 'online' });
    await waitFor(() => three.flatMap((c) => c.events).filter((e) => e.t === 'error' && e.code === 'rate_limited').length === 10, 'ten refused');
    // New members: mallory counted as one; two more, then the fourth new name is refused.
    const n1key = newIdentitySecret();
    await RawClient.hello(r.url, 'n1', n1key);
    await RawClient.hello(r.url, 'n2');
    const n3 = await RawClient.open(r.url);
    await n3.signIn(r.url, 'n3');
    const err = await n3.next('error');
    assert.equal(err.code, 'rate_limited');
    assert.match(String(err.message), /new members/);
    // Existing members still come back.
    await RawClient.hello(r.url, 'n1', n1key).catch(() => assert.fail('an existing member is not a new one'));
  });
});
