import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ClientStore } from '../../src/client/clientStore';
import { messageViews } from '../../src/client/viewModel';
import { connect, onCleanup, RawClient, team, tempDir, texts, waitFor, type TestClient } from '../helpers';

const reactionsOf = (c: TestClient, conv: string, seq: number) => c.client.messages(conv).find((m) => m.seq === seq)?.reactions ?? [];

describe('reactions: events in the sequence that every cache applies the same way', () => {
  it('adds and removes reactions for everyone, also for a member who was offline, and hides the events', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob, carol],
    } = await team(['alice', 'bob', 'carol']);
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
    assert.deepEqual(
      fresh.messages(room)[0].reactions?.map((x) => ({ ...x, users: [...x.users].sort() })),
      expected.map((x) => ({ ...x, users: [...x.users].sort() })),
    );
  });

  it('shows a queued reaction at once in the view, and keeps it across going offline', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
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
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
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
    // one is a bad_frame that names the refused message and closes nothing.
    const raw = await RawClient.hello(r.url, 'mallory');
    const bad = ['thumbs', '👍 👍', '\u0007', '', 'x'.repeat(40) + '👍', '👍\u200b', '👍\u0301', '\u3164👍', '❤'];
    for (const [i, emoji] of bad.entries())
      raw.send({ t: 'send', id: `bad${String(i).padStart(5, '0')}`, conv: room, body: { kind: 'react', target: 1, emoji, on: true } });
    for (const i of bad.keys())
      assert.equal((await raw.next('error', (e) => e.ref === `bad${String(i).padStart(5, '0')}`)).code, 'bad_frame', JSON.stringify(bad[i]));
    assert.equal(raw.closeCode, undefined, 'the connection stays open');

    // A client that disagrees with the relay's validation (here: it lets any emoji through) gets
    // that one message failed, and does not resend it after a reconnect.
    const sent: string[] = [];
    class Recording extends WebSocket {
      override send(data: string, ...rest: never[]): void {
        sent.push(String(data));
        (super.send as (...a: unknown[]) => void)(data, ...rest);
      }
    }
    const lenient = await connect(r.url, 'lenient', { WebSocket: Recording as never });
    const entry = lenient.client.send(room, { kind: 'react', target: 1, emoji: 'thumbs', on: true } as never);
    await waitFor(() => lenient.client.outbox().find((e) => e.id === entry.id)?.state === 'failed', 'the refused reaction failed');
    assert.match(lenient.client.outbox()[0].error ?? '', /bad_frame/);
    assert.equal(sent.filter((f) => f.includes(entry.id)).length, 1, 'sent once');
    const syncs = sent.filter((f) => f.includes('"sync"')).length;
    lenient.client.reconnect();
    await waitFor(() => lenient.client.state === 'connected' && sent.filter((f) => f.includes('"sync"')).length > syncs, 'reconnected and synced');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(sent.filter((f) => f.includes(entry.id)).length, 1, 'not resent after the reconnect');
    assert.equal(alice.client.state, 'connected', 'alice is not affected');
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 4, 'still nothing stored');
  });
});
