import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ClientStore } from '../../src/core/clientStore';
import { newIdentityKey } from '../../src/core/ids';
import { messageViews } from '../../src/core/viewModel';
import { cleanup, connect, general, onCleanup, startRelay, tempDir, texts, waitFor, type TestClient } from '../helpers';

const reactionsOf = (c: TestClient, conv: string, seq: number) => c.client.messages(conv).find((m) => m.seq === seq)?.reactions ?? [];

describe('reactions: events in the sequence that every cache applies the same way', () => {
  afterEach(cleanup);

  it('adds and removes reactions for everyone, also for a member who was offline, and hides the events', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const carol = await connect(r.url, 'carol');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'shipped the release' });
    await waitFor(() => texts(carol, room).length === 1, 'carol has the message');
    const { cacheFile, key } = carol;
    carol.close();

    bob.client.send(room, { kind: 'react', target: 1, emoji: '🎉', on: true });
    alice.client.send(room, { kind: 'react', target: 1, emoji: '🎉', on: true });
    bob.client.send(room, { kind: 'react', target: 1, emoji: '👩‍💻', on: true });
    bob.client.send(room, { kind: 'react', target: 1, emoji: '👩‍💻', on: false });
    bob.client.send(room, { kind: 'react', target: 1, emoji: '👍', on: true });
    await waitFor(() => alice.client.outbox().length === 0 && bob.client.outbox().length === 0, 'all acked');
    const aliceId = alice.client.self!.id;
    const bobId = bob.client.self!.id;
    const expected = [
      { emoji: '🎉', users: [bobId, aliceId] },
      { emoji: '👍', users: [bobId] },
    ];
    await waitFor(() => reactionsOf(alice, room, 1).length === 2 && reactionsOf(bob, room, 1).length === 2, 'both see two reactions');
    assert.deepEqual(reactionsOf(alice, room, 1), expected);
    assert.deepEqual(reactionsOf(bob, room, 1), expected);

    // Carol was away for all of it: the replay brings her to the same state.
    const back = await connect(r.url, 'carol', { cacheFile, key });
    await waitFor(() => back.client.cursor(room) === 6, 'carol caught up');
    assert.deepEqual(reactionsOf(back, room, 1), expected);
    // The events are not messages: one message listed, nothing unread for them.
    assert.deepEqual(texts(back, room), ['shipped the release']);
    assert.equal(back.client.conversation(room)?.unread, 1);
    assert.equal(messageViews(back.client, room).messages.length, 1);

    // A cache that gets the events before their target (history paged backwards) and the
    // events out of order (the removal before the add it undoes) ends up the same.
    const fresh = new ClientStore(join(tempDir(), 'cache.sqlite'));
    onCleanup(() => fresh.close());
    fresh.putConversation({ id: room, kind: 'room', name: 'general', members: [], head: 6, read: 0 }, 6);
    const stored = r.store.after(room, 0, 10);
    for (const seq of [4, 6, 2, 5, 3, 1]) fresh.putMessage(stored.find((m) => m.seq === seq)!);
    assert.deepEqual(fresh.messages(room)[0].reactions?.map((x) => ({ ...x, users: [...x.users].sort() })), expected.map((x) => ({ ...x, users: [...x.users].sort() })));
  });

  it('shows a queued reaction at once in the view, and keeps it across going offline', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'lunch?' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    await r.stop();
    await waitFor(() => alice.client.state !== 'connected', 'offline');
    alice.client.send(room, { kind: 'react', target: 1, emoji: '🍕', on: true });
    const view = messageViews(alice.client, room).messages;
    assert.equal(view.length, 1, 'the queued reaction is not a message row');
    assert.deepEqual(view[0].reactions, [{ emoji: '🍕', users: [alice.client.self!.id] }]);
  });

  it('refuses reactions to events, to deleted or unknown messages, and emoji that are not emoji', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'one' });
    alice.client.send(room, { kind: 'text', text: 'two' });
    alice.client.send(room, { kind: 'edit', target: 1, text: 'uno' });
    alice.client.send(room, { kind: 'delete', target: 2 });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    for (const target of [3, 2, 99]) alice.client.send(room, { kind: 'react', target, emoji: '👍', on: true });
    await waitFor(() => alice.client.outbox().filter((e) => e.state === 'failed').length === 3, 'three refused');
    for (const e of alice.client.outbox()) assert.match(e.error ?? '', /bad_target/);
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 4, 'nothing stored');

    // The relay validates the emoji itself (a raw client skips the client's own checks): each bad
    // one is a bad_frame that closes only that connection.
    for (const [i, emoji] of ['thumbs', '👍 👍', '\u0007', '', 'x'.repeat(40) + '👍'].entries()) {
      const ws = new WebSocket(r.url, { perMessageDeflate: false });
      onCleanup(() => ws.terminate());
      const events: { t: string; code?: string }[] = [];
      let closed = false;
      ws.on('message', (d) => events.push(...(JSON.parse(d.toString()) as { t: string }[])));
      ws.on('close', () => (closed = true));
      await new Promise((res) => ws.once('open', res));
      ws.send(JSON.stringify({ t: 'hello', v: 1, name: `mallory${i}`, key: newIdentityKey() }));
      await waitFor(() => events.some((e) => e.t === 'welcome'), 'welcome');
      ws.send(JSON.stringify({ t: 'send', id: `bad${String(i).padStart(5, '0')}`, conv: room, body: { kind: 'react', target: 1, emoji, on: true } }));
      await waitFor(() => closed, `the connection that sent ${JSON.stringify(emoji)} is closed`);
      assert.deepEqual(events.filter((e) => e.t === 'error').map((e) => e.code), ['bad_frame'], JSON.stringify(emoji));
    }
    assert.equal(alice.client.state, 'connected', 'alice is not affected');
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 4, 'still nothing stored');
  });
});
