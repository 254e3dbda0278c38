import * as assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { MAX_SYNC_CURSORS } from '../../src/protocol/constants';
import { connect, general, RawClient, startRelay, team, texts, waitFor, rawSignIn } from '../helpers';

/** A raw TCP connection to the relay, for requests a WebSocket client would never send. */
function raw(port: number): Promise<{ sock: Socket; received: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1');
    let got = '';
    let isClosed = false;
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('close', () => (isClosed = true));
    sock.on('error', () => undefined);
    sock.once('connect', () => resolve({ sock, received: () => got, closed: () => isClosed }));
    sock.once('error', reject);
  });
}

const upgradeHead = (extra = '') =>
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  extra;

describe('hostile input at the frame and HTTP level', () => {
  it('closes a connection that sends invalid UTF-8 in a text frame with 1007', async () => {
    const r = await startRelay();
    const c = await RawClient.hello(r.url, 'mallory');
    c.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    assert.equal(await c.closed(), 1007);
    const ok = await RawClient.hello(r.url, 'carol');
    assert.ok(ok.welcome());
  });

  it('survives a flood of tiny fragments, and closes with 1009 when they add up past the frame limit', async () => {
    const r = await startRelay({ limits: { maxFrameBytes: 64 * 1024 } });
    const bob = await connect(r.url, 'bob');
    const c = await RawClient.hello(r.url, 'mallory');
    const frame = JSON.stringify({ t: 'typing', conv: general(bob) });
    // One valid message in 1-byte fragments.
    for (let i = 0; i < frame.length; i++) c.ws.send(frame[i], { fin: i === frame.length - 1 });
    // Then fragments that never end, past the limit.
    for (let i = 0; i < 70; i++) c.ws.send('x'.repeat(1024), { fin: false });
    assert.equal(await c.closed(), 1009);
    bob.client.send(general(bob), { kind: 'text', text: 'still fine' });
    await waitFor(() => texts(bob, general(bob)).includes('still fine'), 'relay serves others');
  });

  it('refuses a request head with too many headers (431) and keeps serving', async () => {
    const r = await startRelay();
    const t = await raw(r.port);
    const many = Array.from({ length: 2000 }, (_, i) => `X-Filler-${i}: ${'a'.repeat(10)}\r\n`).join('');
    t.sock.write(upgradeHead(many) + '\r\n');
    await waitFor(() => t.closed(), 'closed');
    assert.match(t.received(), /^HTTP\/1\.1 431/);
    const ok = await RawClient.hello(r.url, 'carol');
    assert.ok(ok.welcome());
  });

  it('cuts off a slowloris request that dribbles its headers', async () => {
    const r = await startRelay({ headersTimeoutMs: 800 });
    const t = await raw(r.port);
    t.sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const started = Date.now();
    const drip = setInterval(() => !t.closed() && t.sock.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
    try {
      await waitFor(() => t.closed(), 'slow request cut off', 5000);
    } finally {
      clearInterval(drip);
    }
    assert.ok(Date.now() - started < 4000, `cut off after ${Date.now() - started} ms`);
    const ok = await RawClient.hello(r.url, 'carol');
    assert.ok(ok.welcome());
  });

  it('handles huge strings and arrays inside frames without trouble for anyone else', async () => {
    const r = await startRelay();
    const bob = await connect(r.url, 'bob');
    const c = await RawClient.hello(r.url, 'mallory');
    const room = general(bob);
    // A huge unknown field is dropped by validation; the message itself is fine.
    c.send({ t: 'send', id: 'huge-field-01', conv: room, body: { kind: 'text', text: 'ok' }, junk: 'j'.repeat(900_000) });
    await c.next('ack');
    // A huge array where a string belongs: a bad frame, this connection only.
    const d = await RawClient.hello(r.url, 'mallory2');
    d.send({ t: 'send', id: 'huge-array-01', conv: room, body: { kind: 'text', text: Array.from({ length: 100_000 }, () => 1) } });
    assert.equal((await d.next('error')).code, 'bad_frame');
    // Fifty thousand cursors: refused by count before validation, that request only; the most
    // allowed: only the member's conversations are looked at.
    const e = await RawClient.hello(r.url, 'mallory3');
    const cursors: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) cursors[`r${i}`] = i;
    e.send({ t: 'sync', rid: 'big', cursors });
    assert.equal((await e.next('error', (x) => x.ref === 'big')).code, 'bad_frame');
    const allowed = Object.fromEntries(Object.entries(cursors).slice(0, MAX_SYNC_CURSORS));
    const t0 = Date.now();
    e.send({ t: 'sync', rid: 'most', cursors: allowed });
    await e.next('synced', (x) => x.rid === 'most');
    assert.ok(Date.now() - t0 < 3000, `sync with the most cursors allowed took ${Date.now() - t0} ms`);
    assert.equal(e.closeCode, undefined);
    bob.client.send(room, { kind: 'text', text: 'unaffected' });
    await waitFor(() => texts(bob, room).includes('unaffected'), 'bob served');
  });

  it('keeps memory bounded while many connections misbehave at once', async () => {
    const {
      relay: r,
      room,
      members: [bob],
    } = await team(['bob'], { maxQueuedBytes: 256 * 1024, limits: { ratePerSecond: 10_000, rateBurst: 10_000 } });
    const before = process.memoryUsage().rss;
    const socks: WebSocket[] = [];
    for (let i = 0; i < 40; i++) {
      const ws = new WebSocket(r.url);
      ws.on('error', () => undefined);
      await rawSignIn(ws, r.url, `sleeper${i}`);
      await new Promise((res) => ws.once('message', res));
      ws.send(JSON.stringify({ t: 'sync', rid: 's', cursors: {} }));
      ws.pause(); // never reads again
      socks.push(ws);
    }
    // Send until the kernel's socket buffers are full and the relay's cap cuts every sleeper off.
    let sent = 0;
    while (r.relay.onlineCount() > 1 && sent < 3000) {
      for (let i = 0; i < 50; i++) bob.client.send(room, { kind: 'text', text: `${sent++} ${'m'.repeat(8000)}` });
      await waitFor(() => bob.client.outbox().length === 0, 'acked', 20_000);
    }
    await waitFor(() => r.relay.onlineCount() === 1, 'every sleeper cut off', 20_000);
    const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
    for (const s of socks) s.terminate();
    // Without the cap, 40 sleepers would each pin everything sent to them (${sent} x 8 KB).
    assert.ok(grown < 100, `rss grew ${grown.toFixed(1)} MB after sending ${sent} messages of 8 KB to 40 sleepers`);
    console.log(`      ${sent} messages of 8 KB; 40 sleepers cut off; rss grew ${grown.toFixed(1)} MB`);
  });
});
