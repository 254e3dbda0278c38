import { strict as assert } from 'node:assert';
import { conversationViews, messageViews, pinnedViews, threadViews } from '../../src/client/viewModel';
import { mentionHits } from '../../src/client/mentionsList';
import { openExclusive } from '../../src/infra/sqliteFile';
import { general, makeClient, team, waitFor } from '../helpers';

// Issue 13, bug 1: one message whose stored body could not be read (null) made every snapshot
// throw, and the chat view stayed blank through reloads.
describe('a message that cannot be read costs that message, not the view', () => {
  it('a cached message with a null or damaged body shows as unreadable; the rest of the conversation, the list and mentions still render', async () => {
    const {
      relay: r,
      room: g,
      members: [alice, carol],
    } = await team(['alice', 'carol']);
    for (const text of ['one', 'two @carol', 'three']) alice.client.send(g, { kind: 'text', text });
    await waitFor(() => carol.client.messages(general(carol)).length === 3, 'carol has the three messages');
    const dm = await alice.client.openDm(carol.client.self!.id);
    alice.client.send(dm.id, { kind: 'text', text: 'hi carol' });
    await waitFor(() => carol.client.conversations().some((c) => c.kind === 'dm' && c.head === 1), 'carol has the DM');
    const { cacheFile, key } = carol;
    carol.close();

    // Damage the cache the way a faulty build could: one body 'null', one not JSON, one outbox row.
    const { db, release } = openExclusive(cacheFile, '');
    db.run("UPDATE messages SET body = 'null' WHERE seq = 2 AND kind = 'text' AND body LIKE '%two%'");
    db.run('UPDATE messages SET body = \'{"kind":"text"\' WHERE body LIKE \'%three%\'');
    db.run("INSERT INTO outbox (id, conv, kind, body, created, state) VALUES ('broken-1', ?, 'send', 'null', 1, 'queued')", [g]);
    db.close();
    release();

    const back = makeClient(r.url, 'carol', { cacheFile, key });
    back.client.start();
    await waitFor(() => back.client.state === 'connected', 'carol reconnects');
    const views = conversationViews(back.client);
    assert.deepEqual(views.map((c) => c.kind).sort(), ['dm', 'room']);
    const page = messageViews(back.client, general(back));
    assert.deepEqual(
      page.messages.map((m) => (m.unreadable ? 'unreadable' : m.body.kind === 'text' ? m.body.text : m.body.kind)),
      ['one', 'unreadable', 'unreadable'],
    );
    assert.match(page.messages[1].unreadable ?? '', /null/);
    // The broken outbox row is left out (it can never be sent), nothing else is.
    assert.equal(page.messages.filter((m) => m.delivery === 'queued').length, 0);
    assert.deepEqual(threadViews(back.client, general(back), 1).replies, []);
    assert.deepEqual(pinnedViews(back.client, general(back)), []);
    assert.deepEqual(mentionHits(back.client), []);
    assert.equal(messageViews(back.client, dm.id).messages[0].body.kind, 'text');
  });
});
