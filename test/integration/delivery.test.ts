import * as assert from 'node:assert/strict';
import { connect, general, makeClient, startRelay, team, texts, waitFor, withTimeout } from '../helpers';

describe('delivery between clients through a real relay', () => {
  it('delivers room and direct messages between three clients, each once and in order', async () => {
    const {
      room,
      members: [alice, bob, carol],
    } = await team(['alice', 'bob', 'carol']);

    alice.client.send(room, { kind: 'text', text: 'hello room' });
    bob.client.send(room, { kind: 'text', text: 'hi alice' });
    for (const c of [alice, bob, carol]) {
      await waitFor(() => texts(c, room).length === 2, `${c.client.self?.name} sees 2 room messages`);
    }
    // Everyone sees the same order, with gap-free seqs.
    const order = texts(alice, room);
    assert.deepEqual(texts(bob, room), order);
    assert.deepEqual(texts(carol, room), order);
    assert.deepEqual(
      alice.client.messages(room).map((m) => m.seq),
      [1, 2],
    );

    const bobId = bob.client.self!.id;
    const dm = await alice.client.openDm(bobId);
    assert.equal(dm.kind, 'dm');
    assert.deepEqual([...dm.members].sort(), [alice.client.self!.id, bobId].sort());
    alice.client.send(dm.id, { kind: 'text', text: 'psst bob' });
    await waitFor(() => texts(bob, dm.id).length === 1, 'bob gets the DM');
    assert.deepEqual(texts(bob, dm.id), ['psst bob']);
    assert.equal(bob.client.conversation(dm.id)?.unread, 1);
    // carol is not a member: she neither has the conversation nor its message.
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(carol.client.conversation(dm.id), undefined);
    assert.deepEqual(carol.store.messages(dm.id), []);
  });

  it('acks after storing and clears the outbox', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    const acked = new Promise<number>((resolve) => alice.client.on('outbox', (u) => u.state === 'sent' && resolve(u.seq!)));
    const entry = alice.client.send(room, { kind: 'text', text: 'durable' });
    const seq = await withTimeout(acked, 5000, 'ack');
    assert.equal(seq, 1);
    assert.deepEqual(alice.client.outbox(), []);
    const stored = r.store.after(room, 0, 10);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].id, entry.id);
    assert.equal(stored[0].author, alice.client.self!.id);
  });

  it('delivers messages sent while a member was offline when it comes back, in order, once', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    alice.client.send(room, { kind: 'text', text: 'before' });
    await waitFor(() => texts(bob, room).length === 1, 'bob gets the first');
    const cacheFile = bob.cacheFile;
    const key = bob.key;
    bob.close();
    for (let i = 1; i <= 3; i++) alice.client.send(room, { kind: 'text', text: `while away ${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'alice acked');
    const bob2 = await connect(r.url, 'bob', { cacheFile, key });
    await waitFor(() => texts(bob2, room).length === 4, 'bob catches up');
    assert.deepEqual(texts(bob2, room), ['before', 'while away 1', 'while away 2', 'while away 3']);
    assert.equal(bob2.client.conversation(room)?.unread, 4);
  });

  it('a DM opened while the receiver was offline arrives as unread when they connect', async () => {
    const r = await startRelay();
    const bob = await connect(r.url, 'bob');
    const bobId = bob.client.self!.id;
    const { cacheFile, key } = bob;
    bob.close();
    const alice = await connect(r.url, 'alice');
    const dm = await alice.client.openDm(bobId);
    for (let i = 1; i <= 3; i++) alice.client.send(dm.id, { kind: 'text', text: `dm ${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    const bob2 = await connect(r.url, 'bob', { cacheFile, key });
    await waitFor(() => texts(bob2, dm.id).length === 3, 'bob gets the DMs');
    assert.deepEqual(texts(bob2, dm.id), ['dm 1', 'dm 2', 'dm 3']);
    assert.equal(bob2.client.conversation(dm.id)?.unread, 3);
  });

  it('keeps unacked messages in the outbox across a client restart and sends them once', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    const { cacheFile, key } = alice;
    alice.close();
    // Offline: the relay address points nowhere, so nothing can be sent.
    const offline = makeClient('ws://127.0.0.1:1', 'alice', { cacheFile, key });
    offline.client.start();
    offline.client.send(room, { kind: 'text', text: 'queued 1' });
    offline.client.send(room, { kind: 'text', text: 'queued 2' });
    assert.deepEqual(
      offline.client.outbox().map((e) => e.state),
      ['queued', 'queued'],
    );
    offline.close(); // the window reloads

    const back = await connect(r.url, 'alice', { cacheFile, key });
    await waitFor(() => back.client.outbox().length === 0, 'outbox drained');
    await waitFor(() => texts(back, room).length === 2, 'own messages echoed');
    assert.deepEqual(texts(back, room), ['queued 1', 'queued 2']);
    assert.equal(r.store.after(room, 0, 100).length, 2);
  });

  it('marks a message failed when the relay refuses it, and keeps it for a retry', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { limits: { maxTextChars: 10 } });
    const failed = new Promise<string>((resolve) => alice.client.on('outbox', (u) => u.state === 'failed' && resolve(u.error!)));
    alice.client.send(room, { kind: 'text', text: 'this is far too long' });
    const err = await withTimeout(failed, 5000, 'failure');
    assert.match(err, /longer than 10/);
    assert.equal(alice.client.outbox()[0].state, 'failed');
    assert.equal(r.store.after(room, 0, 10).length, 0);
  });

  it('keeps presence online while any window of a member is connected, and syncs read markers', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const w1 = await connect(r.url, 'bob');
    const w2 = await connect(r.url, 'bob', { key: w1.key });
    assert.equal(w1.client.self!.id, w2.client.self!.id);
    const bobId = w1.client.self!.id;
    const presence = () => alice.client.members().find((m) => m.id === bobId)?.presence;
    await waitFor(() => presence() === 'online', 'bob online');
    w1.client.setPresence('away');
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(presence(), 'online', 'one window is still active');
    w2.client.setPresence('away');
    await waitFor(() => presence() === 'away', 'bob away');
    w1.close();
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(presence(), 'away');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'one' });
    alice.client.send(room, { kind: 'text', text: 'two' });
    await waitFor(() => w2.client.conversation(room)?.unread === 2, 'two unread');
    const w3 = await connect(r.url, 'bob', { key: w1.key });
    await waitFor(() => w3.client.conversation(room)?.unread === 2, 'two unread in the new window');
    w3.client.markRead(room, 2);
    await waitFor(() => w2.client.conversation(room)?.unread === 0, 'read in the other window too');
    w2.close();
    w3.close();
    await waitFor(() => presence() === 'offline', 'bob offline');
  });

  it('creates, lists, joins and leaves rooms', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const room = await alice.client.createRoom('backend', 'API work');
    assert.equal(room.name, 'backend');
    await assert.rejects(alice.client.createRoom('backend'), /exists/);
    const list = await bob.client.listRooms();
    const entry = list.find((x) => x.name === 'backend');
    assert.ok(entry);
    assert.equal(entry.joined, false);
    bob.client.send(room.id, { kind: 'text', text: 'let me in' });
    await waitFor(() => bob.client.outbox()[0]?.state === 'failed', 'refused: not a member');
    assert.match(bob.client.outbox()[0].error!, /not_member/);
    await bob.client.joinRoom(room.id);
    await waitFor(() => alice.client.conversation(room.id)?.members.length === 2, 'alice sees bob join');
    bob.client.retry(bob.client.outbox()[0].id);
    await waitFor(() => texts(alice, room.id).length === 1, 'alice gets it');
    await bob.client.leaveRoom(room.id);
    assert.equal(bob.client.conversation(room.id), undefined);
    await waitFor(() => alice.client.conversation(room.id)?.members.length === 1, 'alice sees bob leave');
  });

  it('pages history backwards', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { limits: { historyPage: 20 } });
    for (let i = 1; i <= 50; i++) alice.client.send(room, { kind: 'text', text: `m${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'all acked');
    const fresh = await connect(r.url, 'bob');
    // bob joined after the messages: nothing cached, pages come from the relay.
    const p1 = await fresh.client.history(room);
    assert.deepEqual(
      p1.messages.map((m) => m.seq),
      Array.from({ length: 20 }, (_, i) => 31 + i),
    );
    assert.equal(p1.more, true);
    const p2 = await fresh.client.history(room);
    assert.equal(p2.messages[0].seq, 11);
    const p3 = await fresh.client.history(room);
    assert.deepEqual(
      p3.messages.map((m) => m.seq),
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    assert.equal(p3.more, false);
    assert.equal(texts(fresh, room).length, 50);
  });

  it('applies edits and deletes as events in the sequence, also for clients that were offline', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    alice.client.send(room, { kind: 'text', text: 'tpyo' });
    alice.client.send(room, { kind: 'text', text: 'oops' });
    await waitFor(() => texts(bob, room).length === 2, 'bob has both');
    const { cacheFile, key } = bob;
    bob.close();
    alice.client.send(room, { kind: 'edit', target: 1, text: 'typo' });
    alice.client.send(room, { kind: 'delete', target: 2 });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    const bob2 = await connect(r.url, 'bob', { cacheFile, key });
    await waitFor(() => bob2.client.cursor(room) === 4, 'bob caught up');
    const view = bob2.client.messages(room);
    assert.equal(view.length, 2);
    assert.equal(view[0].edited, 'typo');
    assert.equal(view[1].deleted, true);
    // Only the author may edit.
    bob2.client.send(room, { kind: 'edit', target: 1, text: 'hijack' });
    await waitFor(() => bob2.client.outbox()[0]?.state === 'failed', 'refused');
    assert.match(bob2.client.outbox()[0].error!, /not_author/);
  });
});
