import * as assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import WebSocket from 'ws';
import { conversationViews, messageViews } from '../../src/client/viewModel';
import { connect, general, makeClient, startRelay, texts, waitFor, rawSignIn } from '../helpers';

/** A TCP proxy on loopback that can stop forwarding without closing (a blackhole). */
async function proxy(target: number): Promise<{ port: number; blackhole(on: boolean): void; close(): Promise<void> }> {
  let hole = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => !hole && upstream.write(d));
    upstream.on('data', (d) => !hole && client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    blackhole: (on) => (hole = on),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('liveness', () => {
  it('the relay terminates a connection that stops answering pings', async () => {
    const r = await startRelay({ heartbeatMs: 100 });
    const ws = new WebSocket(r.url);
    await rawSignIn(ws, r.url, 'ghost');
    await new Promise((res) => ws.once('message', res));
    let closed = false;
    ws.on('close', () => (closed = true));
    ws.pause(); // stops reading: pings go unanswered
    await waitFor(() => r.relay.onlineCount() === 0, 'ghost dropped', 3000);
    ws.resume();
    await waitFor(() => closed, 'socket closed', 3000);
  });

  it('the client notices a silent relay, reconnects, and delivers what was queued', async () => {
    const r = await startRelay({ heartbeatMs: 60_000 });
    const p = await proxy(r.port);
    r.relay.addressCheck.addPublicUrl(`ws://127.0.0.1:${p.port}`);
    const alice = makeClient(`ws://127.0.0.1:${p.port}`, 'alice', { heartbeatMs: 80 });
    alice.client.start();
    await waitFor(() => alice.client.state === 'connected', 'connected');
    const bob = await connect(r.url, 'bob');
    const room = general(bob);
    await waitFor(() => alice.client.conversation(room), 'alice has #general');
    p.blackhole(true);
    alice.client.send(room, { kind: 'text', text: 'sent into the void' });
    await waitFor(() => alice.client.state === 'reconnecting', 'alice gives up on the dead connection', 3000);
    p.blackhole(false);
    await waitFor(() => texts(bob, room).includes('sent into the void'), 'delivered after reconnect', 5000);
    assert.equal(texts(bob, room).filter((t) => t === 'sent into the void').length, 1);
    await p.close();
  });
});

describe('view model', () => {
  it('lists conversations most recent first with titles, peers and unread counts, and merges the outbox', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const dm = await bob.client.openDm(alice.client.self!.id);
    bob.client.send(general(bob), { kind: 'text', text: 'room first' });
    await new Promise((res) => setTimeout(res, 20));
    bob.client.send(dm.id, { kind: 'text', text: 'then the dm' });
    await waitFor(() => texts(alice, dm.id).length === 1 && texts(alice, general(alice)).length === 1, 'alice has both');
    const views = conversationViews(alice.client);
    assert.deepEqual(
      views.map((v) => v.title),
      ['bob', '#general'],
    );
    assert.equal(views[0].peer, bob.client.self!.id);
    assert.deepEqual(
      views.map((v) => v.unread),
      [1, 1],
    );

    alice.client.stop();
    alice.client.send(dm.id, { kind: 'text', text: 'typed offline' });
    const page = messageViews(alice.client, dm.id);
    assert.deepEqual(
      page.messages.map((m) => [m.body.kind === 'text' ? m.body.text : '', m.delivery ?? 'theirs']),
      [
        ['then the dm', 'theirs'],
        ['typed offline', 'queued'],
      ],
    );
    assert.equal(page.more, false);
  });
});
