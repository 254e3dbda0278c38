import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { messageViews, pinnedViews } from '../../src/client/viewModel';
import { connect, RawClient, startRelay, team, waitFor } from '../helpers';

describe("pins, topics and archiving: events in the room's sequence that every member converges on", () => {
  it('pins and unpins for everyone, also for a member who was offline, and refuses pins of events', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const carol = await connect(r.url, 'carol');
    // Bob's room: he manages its pins, and alice (the team's owner) may too.
    const room = (await bob.client.createRoom('release')).id;
    await alice.client.joinRoom(room);
    await carol.client.joinRoom(room);
    alice.client.send(room, { kind: 'text', text: 'release checklist: docs/release.md' });
    alice.client.send(room, { kind: 'text', text: 'on call this week: bob' });
    await waitFor(() => carol.client.cursor(room) === 2, 'carol has both');
    const { cacheFile, key } = carol;
    carol.close();
    bob.client.send(room, { kind: 'pin', target: 1, on: true });
    bob.client.send(room, { kind: 'pin', target: 2, on: true });
    alice.client.send(room, { kind: 'pin', target: 2, on: false });
    await waitFor(() => alice.client.outbox().length === 0 && bob.client.outbox().length === 0, 'acked');
    const bobId = bob.client.self!.id;
    for (const c of [alice, bob]) {
      await waitFor(() => c.client.cursor(room) === 5, 'caught up');
      assert.deepEqual(
        pinnedViews(c.client, room).map((m) => [m.seq, m.pinned?.by]),
        [[1, bobId]],
      );
      assert.deepEqual(
        messageViews(c.client, room).messages.map((m) => m.pinned?.by),
        [bobId, undefined],
        'pins are events, not rows',
      );
    }
    const back = await connect(r.url, 'carol', { cacheFile, key });
    await waitFor(() => back.client.cursor(room) === 5, 'carol caught up');
    assert.deepEqual(
      pinnedViews(back.client, room).map((m) => m.seq),
      [1],
    );
    assert.equal(back.client.conversation(room)?.unread, 2, 'the two messages; the pins are not unread');

    alice.client.send(room, { kind: 'pin', target: 3, on: true });
    await waitFor(() => alice.client.outbox()[0]?.state === 'failed', 'refused');
    assert.match(alice.client.outbox()[0].error ?? '', /bad_target/);
  });

  it('sets the topic through the sequence: a notice for everyone, the room updated, kept by the relay', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const { cacheFile, key } = bob;
    bob.close();
    alice.client.send(room, { kind: 'topic', text: 'Release 2.1 this Friday' });
    await waitFor(() => alice.client.conversation(room)?.topic === 'Release 2.1 this Friday', 'alice sees the topic');
    const back = await connect(r.url, 'bob', { cacheFile, key });
    await waitFor(() => back.client.cursor(room) === 1, 'bob caught up');
    assert.equal(back.client.conversation(room)?.topic, 'Release 2.1 this Friday');
    const rows = messageViews(back.client, room).messages;
    assert.deepEqual(
      rows.map((m) => m.body),
      [{ kind: 'topic', text: 'Release 2.1 this Friday' }],
      'shown as a notice',
    );
    assert.equal(back.client.conversation(room)?.unread, 0, 'a notice is not unread');
    // Clearing it; a DM has none.
    alice.client.send(room, { kind: 'topic', text: '' });
    await waitFor(() => alice.client.conversation(room)?.topic === undefined && alice.client.cursor(room) === 2, 'cleared for alice');
    const dm = await alice.client.openDm(back.client.self!.id);
    alice.client.send(dm.id, { kind: 'topic', text: 'no' });
    await waitFor(() => alice.client.outbox().some((e) => e.state === 'failed'), 'refused');
    assert.match(alice.client.outbox()[0].error ?? '', /only rooms/);
    // The relay keeps it across a restart.
    alice.client.send(room, { kind: 'topic', text: 'Ship it' });
    await waitFor(() => alice.client.conversation(room)?.topic === 'Ship it', 'set');
    await r.stop();
    const again = await startRelay({ port: r.port, dataFile: r.dataFile });
    await waitFor(() => alice.client.state === 'connected', 'reconnected', 15000);
    assert.equal(again.store.conversations().find((c) => c.id === room)?.topic, 'Ship it');
  });

  it('archives a room: read-only for everyone until someone unarchives it', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    alice.client.send(room, { kind: 'text', text: 'last words' });
    alice.client.send(room, { kind: 'archive', on: true });
    await waitFor(() => bob.client.conversation(room)?.archived === true, 'bob sees it archived');
    bob.client.send(room, { kind: 'text', text: 'can I still post?' });
    bob.client.send(room, { kind: 'react', target: 1, emoji: '👋', on: true });
    await waitFor(() => bob.client.outbox().filter((e) => e.state === 'failed').length === 2, 'refused');
    for (const e of bob.client.outbox()) assert.match(e.error ?? '', /archived/);
    bob.client.sendFile(room, 'notes.txt', Buffer.from('x'));
    await waitFor(() => bob.client.outbox().filter((e) => e.state === 'failed').length === 3, 'the upload is refused too');
    assert.equal(r.store.conversations().find((c) => c.id === room)?.archived, true);
    assert.equal((await bob.client.listRooms()).find((x) => x.id === room)?.archived, true);
    // History stays readable; unarchiving opens it again.
    assert.deepEqual(
      messageViews(bob.client, room)
        .messages.filter((m) => m.seq !== undefined)
        .map((m) => m.body.kind),
      ['text', 'archive'],
    );
    alice.client.send(room, { kind: 'archive', on: false });
    await waitFor(() => alice.client.conversation(room)?.archived === undefined, 'alice sees it open again');
    bob.client.send(room, { kind: 'text', text: 'back in business' });
    await waitFor(() => alice.client.cursor(room) === 4, 'delivered');
  });

  it('refuses an upload that finishes after its room was archived', async () => {
    const r = await startRelay({ limits: { chunkBytes: 4 } });
    const alice = await RawClient.hello(r.url, 'alice');
    const bob = await RawClient.hello(r.url, 'bob');
    const room = alice.welcome().conversations.find((c) => c.name === 'general')!.id;
    bob.send({ t: 'sync', rid: 'b', cursors: {} });
    await bob.next('synced');
    const data = Buffer.from('12345678');
    bob.send({ t: 'upload', id: 'late-file-1', conv: room, name: 'notes.txt', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await bob.next('upload.ready');
    bob.send({ t: 'chunk', id: 'late-file-1', index: 0, data: data.subarray(0, 4).toString('base64') });
    alice.send({ t: 'send', id: 'archive-01', conv: room, body: { kind: 'archive', on: true } });
    await alice.next('ack', (a) => a.id === 'archive-01');
    await bob.next('msg', (m) => (m.m as { body: { kind: string } }).body.kind === 'archive');
    bob.send({ t: 'chunk', id: 'late-file-1', index: 1, data: data.subarray(4).toString('base64') });
    const refused = await bob.next('error', (e) => e.ref === 'late-file-1');
    assert.equal(refused.code, 'archived');
    assert.match(String(refused.message), /#general is archived/);
    assert.equal(
      r.store.after(room, 0, 100).some((m) => m.body.kind === 'file'),
      false,
      'no file stored in the archived room',
    );
    assert.equal(bob.closeCode, undefined);
  });
});
