import * as assert from 'node:assert/strict';
import { mentionHits } from '../../src/client/mentionsList';
import { conversationViews } from '../../src/client/viewModel';
import { SEARCH_MARK_END, SEARCH_MARK_START } from '../../src/protocol/wire';
import { team, waitFor } from '../helpers';

const marked = (t: string) => t.replaceAll(SEARCH_MARK_START, '[').replaceAll(SEARCH_MARK_END, ']');

describe('mentions: the list of messages that mention me, and unread mentions per conversation', () => {
  it('lists mentions by name and of the room (not in DMs), newest first, follows edits and deletions, and counts the unread ones', async () => {
    const {
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const dm = await bob.client.openDm(alice.client.self!.id);
    // Sent first: sending moves alice's own read marker, and her own mentions do not count.
    alice.client.send(room, { kind: 'text', text: 'my own @alice does not count' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    bob.client.send(room, { kind: 'text', text: '@alice can you look at the build?' });
    bob.client.send(room, { kind: 'text', text: 'no mention here, alice is just a word' });
    bob.client.send(room, { kind: 'text', text: '@here standup in 5' });
    bob.client.send(room, { kind: 'text', text: 'reply for @Alice in a thread', thread: 2 });
    bob.client.send(dm.id, { kind: 'text', text: '@here in a DM is not a room mention' });
    bob.client.send(room, { kind: 'text', text: 'mail alice@example.com, or ask @alicia' });
    await waitFor(() => bob.client.outbox().length === 0, 'acked');
    await waitFor(
      () => alice.client.cursor(room) === 6 && alice.client.cursor(dm.id) === 1,
      `alice has everything (${alice.client.cursor(room)}, ${alice.client.cursor(dm.id)})`,
    );

    const hits = mentionHits(alice.client);
    assert.deepEqual(
      hits.map((h) => marked(h.text)),
      ['reply for [@Alice] in a thread', '[@here] standup in 5', '[@alice] can you look at the build?'],
    );
    assert.equal(hits[0].thread, 2);
    const views = conversationViews(alice.client);
    assert.equal(views.find((v) => v.id === room)?.mentions, 3, 'three unread mentions in #general');
    assert.equal(views.find((v) => v.id === dm.id)?.mentions, 0);

    // Reading moves them out of the unread count, not out of the list.
    alice.client.markRead(room, 5);
    await waitFor(() => conversationViews(alice.client).find((v) => v.id === room)?.mentions === 0, 'read');
    assert.equal(mentionHits(alice.client).length, 3);

    // An edit that drops the mention, and a deletion, take messages out of the list.
    bob.client.send(room, { kind: 'edit', target: 2, text: 'never mind, fixed it' });
    bob.client.send(room, { kind: 'delete', target: 4 });
    await waitFor(() => alice.client.cursor(room) === 8, 'events arrived');
    assert.deepEqual(
      mentionHits(alice.client).map((h) => marked(h.text)),
      ['reply for [@Alice] in a thread'],
    );
  });
});
