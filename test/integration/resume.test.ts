import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connect, general, makeClient, startRelay, team, texts, waitFor } from '../helpers';

describe('resume across relay restarts and gaps the relay cannot serve', () => {
  it('keeps history across a relay restart and resumes connected clients', async () => {
    const r1 = await startRelay();
    const alice = await connect(r1.url, 'alice');
    const bob = await connect(r1.url, 'bob');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'before restart' });
    await waitFor(() => texts(bob, room).length === 1, 'bob has it');
    await r1.stop();
    await waitFor(() => alice.client.state === 'reconnecting', 'alice notices');
    // Typed while the relay is down: queued, not lost.
    alice.client.send(room, { kind: 'text', text: 'during outage' });
    assert.equal(alice.client.outbox().length, 1);

    const r2 = await startRelay({ dataFile: r1.dataFile, port: r1.port });
    assert.equal(r2.relay.epoch, r1.relay.epoch, 'same store, same epoch');
    await waitFor(() => texts(bob, room).length === 2, 'bob gets the queued message', 8000);
    assert.deepEqual(texts(bob, room), ['before restart', 'during outage']);
    assert.deepEqual(
      bob.client.messages(room).map((m) => m.seq),
      [1, 2],
    );
    assert.equal(alice.client.outbox().length, 0);
    const late = await connect(r2.url, 'carol');
    const page = await late.client.history(room);
    assert.deepEqual(
      page.messages.map((m) => (m.body.kind === 'text' ? m.body.text : '')),
      ['before restart', 'during outage'],
    );
  });

  it('answers a wiped store (new epoch) with a reset, and the client reloads instead of keeping a hole', async () => {
    const r1 = await startRelay();
    const alice = await connect(r1.url, 'alice');
    const room1 = general(alice);
    for (let i = 1; i <= 5; i++) alice.client.send(room1, { kind: 'text', text: `old ${i}` });
    await waitFor(() => texts(alice, room1).length === 5, 'stored');
    const oldEpoch = r1.relay.epoch;
    await r1.stop();
    rmSync(r1.dataFile);
    const r2 = await startRelay({ dataFile: r1.dataFile, port: r1.port });
    assert.notEqual(r2.relay.epoch, oldEpoch);
    const resets: string[] = [];
    alice.client.on('reset', (_c, reason) => resets.push(reason));
    await waitFor(() => alice.client.state === 'connected' && alice.client.conversations().length > 0, 'alice reconnected', 8000);
    await waitFor(() => resets.length > 0, 'reset seen');
    assert.equal(resets[0], 'epoch');
    const room2 = general(alice);
    assert.notEqual(room2, room1, 'the new store has a new #general');
    assert.deepEqual(alice.store.messages(room1), [], 'old cache dropped');
    alice.client.send(room2, { kind: 'text', text: 'fresh start' });
    await waitFor(() => texts(alice, room2).length === 1, 'works on the new store');
    assert.equal(alice.client.cursor(room2), 1);
  });

  it('answers a cursor below the retention floor with a reset and the latest page', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob'], { retain: 10 });
    alice.client.send(room, { kind: 'text', text: 'first' });
    await waitFor(() => texts(bob, room).length === 1, 'bob has the first');
    const { cacheFile, key } = bob;
    bob.close();
    for (let i = 1; i <= 40; i++) alice.client.send(room, { kind: 'text', text: `n${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    const bob2 = makeClient(r.url, 'bob', { cacheFile, key });
    const reasons: string[] = [];
    bob2.client.on('reset', (_c, reason) => reasons.push(reason));
    bob2.client.start();
    await waitFor(() => reasons.length === 1, 'reset');
    assert.deepEqual(reasons, ['retention']);
    // The cache must not hold 'first' next to n31.. with a silent hole between.
    await waitFor(() => texts(bob2, room).at(-1) === 'n40', 'latest page loaded');
    const seqs = bob2.client.messages(room, { limit: 1000 }).map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `no hole in ${seqs.join(',')}`);
    assert.ok(!texts(bob2, room).includes('first'), 'the stale message before the gap was dropped');
    assert.equal(bob2.client.cursor(room), 41);
  });

  it('answers a cursor ahead of the relay with a reset', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.send(room, { kind: 'text', text: 'one' });
    await waitFor(() => alice.client.cursor(room) === 1, 'cursor 1');
    const { cacheFile, key } = alice;
    alice.close();
    // Pretend the client saw more than the relay has (e.g. the relay restored an older backup).
    const { ClientStore } = await import('../../src/client/clientStore');
    const s = new ClientStore(cacheFile);
    const conv = s.conversations().get(room)!;
    s.putConversation({ ...conv.conv, head: 9 }, 9);
    s.close();
    const back = makeClient(r.url, 'alice', { cacheFile, key });
    const reasons: string[] = [];
    back.client.on('reset', (_c, reason) => reasons.push(reason));
    back.client.start();
    await waitFor(() => reasons.length === 1, 'reset');
    await waitFor(() => texts(back, room).length === 1, 'the latest page reloaded');
    assert.deepEqual(reasons, ['ahead']);
    assert.equal(back.client.cursor(room), 1);
    assert.deepEqual(texts(back, room), ['one']);
  });
});
