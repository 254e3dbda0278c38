import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Database } from 'node-sqlite3-wasm';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { RawClient, team, waitFor, type TestClient } from '../helpers';

/** Everything a member who joins now can read of a conversation: history and replay. */
async function readable(url: string, name: string): Promise<string> {
  const c = await RawClient.hello(url, name);
  const conv = c.welcome().conversations.find((x) => x.name === 'general')!.id;
  c.send({ t: 'sync', rid: 's', cursors: { [conv]: 0 } });
  await c.next('synced');
  c.send({ t: 'history', rid: 'h', conv });
  await c.next('history');
  return JSON.stringify(c.events);
}

/** Seq 1: a text edited twice (seqs 2, 3); seq 4: a text edited once (5), then deleted (6). */
async function editTwiceDeleteOne(c: TestClient, room: string, kept: [string, string, string], deleted: [string, string]): Promise<void> {
  c.client.send(room, { kind: 'text', text: kept[0] });
  c.client.send(room, { kind: 'edit', target: 1, text: kept[1] });
  c.client.send(room, { kind: 'edit', target: 1, text: kept[2] });
  c.client.send(room, { kind: 'text', text: deleted[0] });
  c.client.send(room, { kind: 'edit', target: 4, text: deleted[1] });
  c.client.send(room, { kind: 'delete', target: 4 });
  await waitFor(() => c.client.outbox().length === 0, 'stored');
}

describe('edits and deletions: the relay keeps only what is there now', () => {
  it('serves only the current text after an edit, and no text after a delete, to replays and history', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    await editTwiceDeleteOne(
      alice,
      room,
      ['the password is hunter2', 'the password is h...', 'ask me for the password'],
      ['token abc123', 'token abc1234 (fixed)'],
    );
    const seen = await readable(r.url, 'bob');
    for (const gone of ['hunter2', 'h...', 'abc123']) assert.ok(!seen.includes(gone), `${gone} is still served`);
    assert.ok(seen.includes('ask me for the password'));
    // On disk too: the database file holds none of it (the search index keeps current words only).
    await r.stop();
    const file = readFileSync(r.dataFile).toString('latin1') + readFileSync(`${r.dataFile}-wal`, { flag: 'a+' }).toString('latin1');
    assert.ok(!file.includes('hunter2'), "the old text is not left in the relay's file");
  });

  it('scrubs a relay file written before this rule once, when it opens it', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    await editTwiceDeleteOne(alice, room, ['first draft', 'second draft', 'final'], ['oops secret', 'oops secret 2']);
    alice.close();
    await r.stop();
    // Put the file back as an older relay left it: old texts in place, at the schema before
    // migration 3 (src/relay/sqliteSchema.ts), without the mark builds before the numbering read.
    const db = new Database(r.dataFile);
    db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA user_version = 2;
      UPDATE messages SET body = json_set(body, '$.text', 'first draft') WHERE seq = 1;
      UPDATE messages SET body = json_set(body, '$.text', 'second draft') WHERE seq = 2;
      UPDATE messages SET body = json_set(body, '$.text', 'oops secret 2') WHERE seq = 5;
      DELETE FROM meta WHERE k = 'edits_current';`);
    db.close();
    const store = new SqliteStore(r.dataFile);
    try {
      const texts = store.after(room, 0, 10).map((m) => ('text' in m.body ? m.body.text : m.body.kind));
      assert.deepEqual(texts, ['final', 'final', 'final', 'deleted', ' ', 'delete']);
    } finally {
      store.close();
    }
  });
});
