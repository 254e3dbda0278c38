import * as assert from 'node:assert/strict';
import { SEEN_MAX_MEMBERS } from '../../src/protocol/constants';
import { connect, general, startRelay, team, waitFor, type TestClient } from '../helpers';

const seenOf = (c: TestClient, conv: string, user: TestClient) => c.client.conversation(conv)?.seen?.[user.client.self!.id];

describe('seen by: read markers shared in DMs and small rooms, unless a member turns it off', () => {
  it('shows where the other member has read, also after being offline, and stops when they turn sharing off', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const bob = await connect(r.url, 'bob');
    const dm = await alice.client.openDm(bob.client.self!.id);
    alice.client.send(dm.id, { kind: 'text', text: 'one' });
    alice.client.send(dm.id, { kind: 'text', text: 'two' });
    await waitFor(() => bob.client.cursor(dm.id) === 2, 'bob has both');
    assert.equal(seenOf(alice, dm.id, bob), undefined, 'not read yet');

    bob.client.markRead(dm.id, 1);
    await waitFor(() => seenOf(alice, dm.id, bob) === 1, 'alice sees bob read the first');

    // Alice is offline while bob reads the rest: her welcome brings it.
    const { cacheFile, key } = alice;
    alice.close();
    bob.client.markRead(dm.id, 2);
    await waitFor(() => r.store.convReads(dm.id).get(bob.client.self!.id) === 2, 'stored');
    const back = await connect(r.url, 'alice', { cacheFile, key });
    await waitFor(() => seenOf(back, dm.id, bob) === 2, 'alice sees it after reconnecting');

    // Bob stops sharing: alice no longer sees his marker, live or after reconnecting, and new
    // reads are not announced.
    bob.client.setShareRead(false);
    await waitFor(() => seenOf(back, dm.id, bob) === undefined, 'hidden');
    back.client.send(dm.id, { kind: 'text', text: 'three' });
    await waitFor(() => bob.client.cursor(dm.id) === 3, 'bob has it');
    bob.client.markRead(dm.id, 3);
    await waitFor(() => r.store.convReads(dm.id).get(bob.client.self!.id) === 3, 'stored');
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(seenOf(back, dm.id, bob), undefined);
    assert.equal(r.store.users().find((u) => u.id === bob.client.self!.id)?.shareRead, false, 'kept by the relay');
    // Sharing again shows the current marker.
    bob.client.setShareRead(true);
    await waitFor(() => seenOf(back, dm.id, bob) === 3, 'shown again');
  });

  it('shares markers in rooms up to SEEN_MAX_MEMBERS members, not in bigger ones', async () => {
    const r = await startRelay();
    const mates: TestClient[] = [];
    for (let i = 0; i < SEEN_MAX_MEMBERS; i++) mates.push(await connect(r.url, `m${i}`));
    const room = general(mates[0]);
    mates[0].client.send(room, { kind: 'text', text: 'hello' });
    await waitFor(() => mates.every((m) => m.client.cursor(room) === 1), 'all have it');
    mates[1].client.markRead(room, 1);
    await waitFor(() => seenOf(mates[0], room, mates[1]) === 1, 'shared in a room of 12');
    // One more member: the room is too big; the conversation update drops "seen".
    const extra = await connect(r.url, 'late');
    await waitFor(() => mates[0].client.conversation(room)?.members.length === SEEN_MAX_MEMBERS + 1, 'joined');
    assert.equal(mates[0].client.conversation(room)?.seen, undefined);
    mates[2].client.markRead(room, 1);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(seenOf(mates[0], room, mates[2]), undefined);
    assert.equal(extra.client.conversation(room)?.seen, undefined);
  });

  it('counts only markers a member set by reading: not joining, not their own messages', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    alice.client.send(room, { kind: 'text', text: 'before carol' });
    await waitFor(() => bob.client.cursor(room) === 1, 'bob has it');

    // Carol joins (what came before is history to her, not unread, and not read either), says
    // hello, and comes back (her window knows her own message is read) — she never reads.
    const carol = await connect(r.url, 'carol');
    await waitFor(() => alice.client.conversation(room)?.members.length === 3, 'carol is in');
    assert.equal(carol.client.conversation(room)?.unread, 0, 'history, not unread');
    carol.client.send(room, { kind: 'text', text: 'hello' });
    await waitFor(() => alice.client.cursor(room) === 2, 'alice has hello');
    const { cacheFile, key } = carol;
    carol.close();
    const back = await connect(r.url, 'carol', { cacheFile, key });

    alice.client.send(room, { kind: 'text', text: 'three' });
    alice.client.send(room, { kind: 'text', text: 'four' });
    await waitFor(() => bob.client.cursor(room) === 4 && back.client.cursor(room) === 4, 'all have them');
    bob.client.markRead(room, 4);
    await waitFor(() => seenOf(alice, room, bob) === 4, 'alice sees bob read them');
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(seenOf(alice, room, carol), undefined, 'carol never read');
    assert.equal(seenOf(bob, room, carol), undefined);
    // Someone joining later gets bob's marker only, and is not "seen" for having joined.
    const dave = await connect(r.url, 'dave');
    assert.deepEqual(dave.client.conversation(room)?.seen, { [bob.client.self!.id]: 4 });
    await waitFor(() => alice.client.conversation(room)?.members.length === 4, 'dave is in');
    assert.deepEqual(alice.client.conversation(room)?.seen, { [bob.client.self!.id]: 4 });

    // Her own hello is not unread to her; alice's two messages after it are, in this window and
    // in a new one.
    assert.equal(back.client.conversation(room)?.unread, 2);
    const fresh = await connect(r.url, 'carol', { key });
    assert.equal(fresh.client.conversation(room)?.unread, 2);
  });
});
