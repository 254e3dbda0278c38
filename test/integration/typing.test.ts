import * as assert from 'node:assert/strict';
import { team, waitFor } from '../helpers';

describe('typing: shown to the other members for a moment, never stored', () => {
  it('reaches the other members of the conversation only, stores nothing, and stops after leaving', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob, carol],
    } = await team(['alice', 'bob', 'carol']);
    const side = await alice.client.createRoom('side');
    await bob.client.joinRoom(side.id);
    const seen: Record<string, [string, string][]> = { alice: [], bob: [], carol: [] };
    for (const [name, c] of Object.entries({ alice, bob, carol })) c.client.on('typing', (conv, user) => seen[name].push([conv, user]));
    const aliceId = alice.client.self!.id;

    alice.client.typing(room);
    alice.client.typing(side.id);
    await waitFor(() => seen.bob.length === 2 && seen.carol.length === 1, 'bob sees both, carol the room she is in');
    assert.deepEqual(seen.bob, [
      [room, aliceId],
      [side.id, aliceId],
    ]);
    assert.deepEqual(seen.carol, [[room, aliceId]]);
    assert.deepEqual(seen.alice, [], 'not echoed to the typist');
    // Nothing stored: no seq taken, nothing to replay.
    assert.equal(r.store.conversations().find((c) => c.id === room)?.head, 0);
    assert.deepEqual(r.store.after(room, 0, 10), []);

    // Typing into a conversation one is not in is dropped silently (no error, no delivery).
    await bob.client.leaveRoom(side.id);
    bob.client.typing(side.id);
    alice.client.typing(room);
    await waitFor(() => seen.carol.length === 2, 'a later typing event arrives');
    assert.equal(seen.alice.length, 0, 'bob, no longer in #side, reached nobody');
    assert.equal(bob.client.state, 'connected');
  });
});
