import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ClientStore } from '../../src/client/clientStore';
import { conversationMarkdown } from '../../src/client/exportMarkdown';
import { messageViews, threadViews } from '../../src/client/viewModel';
import { connect, onCleanup, startRelay, team, tempDir, texts, waitFor } from '../helpers';

const textOf = (b: { kind: string; text?: string }) => (b.kind === 'text' ? b.text : b.kind);

describe('threads: replies in the conversation sequence, listed under their root', () => {
  it('keeps replies out of the conversation, counts them on the root, and converges for a member who was offline', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob, carol],
    } = await team(['alice', 'bob', 'carol']);
    alice.client.send(room, { kind: 'text', text: 'who owns the flaky login test?' });
    alice.client.send(room, { kind: 'text', text: 'unrelated: lunch at 12' });
    await waitFor(() => texts(carol, room).length === 2, 'carol has both');
    const { cacheFile, key } = carol;
    carol.close();

    bob.client.send(room, { kind: 'text', text: 'me, looking', thread: 1 });
    await waitFor(() => bob.client.outbox().length === 0, 'bob acked');
    alice.client.send(room, { kind: 'text', text: 'thanks!', thread: 1 });
    bob.client.send(room, { kind: 'react', target: 3, emoji: '👍', on: true });
    await waitFor(() => alice.client.outbox().length === 0 && bob.client.outbox().length === 0, 'all acked');
    const [aliceId, bobId] = [alice.client.self!.id, bob.client.self!.id];

    for (const c of [alice, bob]) {
      await waitFor(() => c.client.cursor(room) === 5, 'caught up');
      // The conversation shows the two messages; the root carries the thread's summary.
      const main = messageViews(c.client, room).messages;
      assert.deepEqual(
        main.map((m) => textOf(m.body)),
        ['who owns the flaky login test?', 'unrelated: lunch at 12'],
      );
      assert.equal(main[0].replies?.count, 2);
      assert.deepEqual(main[0].replies?.users, [aliceId, bobId], 'latest replier first');
      assert.equal(main[1].replies, undefined);
      const t = threadViews(c.client, room, 1);
      assert.equal(t.root?.seq, 1);
      assert.deepEqual(
        t.replies.map((m) => textOf(m.body)),
        ['me, looking', 'thanks!'],
      );
      assert.deepEqual(t.replies[0].reactions, [{ emoji: '👍', users: [bobId] }]);
    }

    // Carol was offline: she catches up to the same state. She is not in the thread, so of what
    // she has not read only the two messages of the conversation count, not the replies.
    const back = await connect(r.url, 'carol', { cacheFile, key });
    await waitFor(() => back.client.cursor(room) === 5, 'carol caught up');
    assert.equal(messageViews(back.client, room).messages[0].replies?.count, 2);
    assert.deepEqual(
      threadViews(back.client, room, 1).replies.map((m) => textOf(m.body)),
      ['me, looking', 'thanks!'],
    );
    assert.equal(back.client.conversation(room)?.unread, 2, 'replies in a thread carol is not in are not unread');

    // Bob's reply to the thread is unread for alice only after her own read marker.
    bob.client.send(room, { kind: 'text', text: 'fixed in #412', thread: 1 });
    await waitFor(() => alice.client.cursor(room) === 6 && back.client.cursor(room) === 6, 'delivered');
    assert.equal(alice.client.conversation(room)?.unread, 1, 'a reply in my thread is unread');
    assert.equal(back.client.conversation(room)?.unread, 2, 'not for carol');
    assert.equal(messageViews(alice.client, room).messages[0].replies?.unread, 1, 'the root says so');
    assert.equal(messageViews(back.client, room).messages[0].replies?.unread, undefined);
    alice.client.markRead(room, 6);
    await waitFor(() => alice.client.conversation(room)?.unread === 0, 'read');
    assert.equal(messageViews(alice.client, room).messages[0].replies?.unread, undefined);

    // A fresh cache that receives replies before their root (paging backwards) shows the same.
    const fresh = new ClientStore(join(tempDir(), 'cache.sqlite'));
    onCleanup(() => fresh.close());
    fresh.putConversation({ id: room, kind: 'room', name: 'general', members: [], head: 6, read: 0 }, 6);
    for (const m of r.store.after(room, 0, 10).reverse()) fresh.putMessage(m);
    assert.equal(fresh.messages(room).find((m) => m.seq === 1)?.replies?.count, 3);
    assert.equal(fresh.messages(room).length, 2);
    assert.deepEqual([...fresh.threadParticipants(room, 1)].sort(), [aliceId, bobId].sort());
    assert.equal(fresh.message(room, 4)?.body.kind, 'text', 'a reply is found by seq');

    // The export puts replies under their root.
    const md = conversationMarkdown(alice.client.messages(room, { limit: 100, scope: 'any' }), {
      title: '#general',
      names: new Map([
        [aliceId, 'alice'],
        [bobId, 'bob'],
      ]),
      now: Date.now(),
      timeZone: 'UTC',
    });
    const order = ['who owns the flaky login test?', '> me, looking', '> thanks!', '> fixed in #412', 'unrelated: lunch at 12'].map((s) => md.indexOf(s));
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
      md,
    );
  });

  it('refuses replies to replies, to events, to deleted and unknown messages, and stores nothing', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.send(room, { kind: 'text', text: 'root' });
    alice.client.send(room, { kind: 'text', text: 'reply', thread: 1 });
    alice.client.send(room, { kind: 'text', text: 'gone' });
    alice.client.send(room, { kind: 'delete', target: 3 });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    for (const thread of [2, 4, 3, 99]) alice.client.send(room, { kind: 'text', text: `into ${thread}`, thread });
    await waitFor(() => alice.client.outbox().filter((e) => e.state === 'failed').length === 4, 'four refused');
    const errors = alice.client.outbox().map((e) => e.error ?? '');
    for (const e of errors) assert.match(e, /bad_target/);
    assert.match(errors[0], /reply to its thread's root \(1\)/);
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 4, 'nothing stored');
    // A snippet may be a reply too.
    alice.client.send(room, {
      kind: 'snippet',
      code: 'x()',
      lang: 'ts',
      lines: { start: 1, end: 1 },
      hash: createHash('sha256').update('x()').digest('hex'),
      thread: 1,
    });
    await waitFor(() => threadViews(alice.client, room, 1).replies.filter((m) => m.seq !== undefined).length === 2, 'snippet reply stored');
  });

  it('takes files as replies too: uploaded into the thread, listed there, and refused under a reply', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    alice.client.send(room, { kind: 'text', text: 'the build log, anyone?' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    bob.client.sendFile(room, 'build.log', Buffer.from('error: 42\n'), { mime: 'text/plain', thread: 1 });
    await waitFor(() => bob.client.outbox().length === 0, 'uploaded');
    await waitFor(() => alice.client.cursor(room) === 2, 'alice has it');
    assert.deepEqual(
      messageViews(alice.client, room).messages.map((m) => m.body.kind),
      ['text'],
      'not in the conversation',
    );
    const t = threadViews(alice.client, room, 1);
    assert.deepEqual(
      t.replies.map((m) => (m.body.kind === 'file' ? [m.body.name, m.body.thread] : [])),
      [['build.log', 1]],
    );
    assert.equal(t.root?.replies?.count, 1);
    const body = t.replies[0].body;
    assert.ok(body.kind === 'file');
    assert.equal((await alice.client.fetchFile(body)).toString(), 'error: 42\n');
    // Under a reply: refused once uploaded, nothing stored.
    bob.client.sendFile(room, 'again.log', Buffer.from('x'), { thread: 2 });
    await waitFor(() => bob.client.outbox()[0]?.state === 'failed', 'refused');
    assert.match(bob.client.outbox()[0].error ?? '', /bad_target/);
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 2);
  });

  it('shows a queued reply in its thread only, and sends it when the relay is back', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.send(room, { kind: 'text', text: 'root' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    await r.stop();
    await waitFor(() => alice.client.state !== 'connected', 'offline');
    alice.client.send(room, { kind: 'text', text: 'offline reply', thread: 1 });
    assert.equal(messageViews(alice.client, room).messages.length, 1, 'not in the conversation');
    const queued = threadViews(alice.client, room, 1).replies;
    assert.deepEqual(
      queued.map((m) => [textOf(m.body), m.delivery]),
      [['offline reply', 'queued']],
    );
    const again = await startRelay({ port: r.port, dataFile: r.dataFile });
    await waitFor(() => alice.client.outbox().length === 0, 'sent after the relay came back', 15000);
    assert.deepEqual(
      again.store.after(room, 0, 10).map((m) => [m.seq, m.body.kind === 'text' ? m.body.thread : undefined]),
      [
        [1, undefined],
        [2, 1],
      ],
    );
    assert.equal(messageViews(alice.client, room).messages[0].replies?.count, 1);
  });
});
