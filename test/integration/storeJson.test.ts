// The replay path sends `msg` events that SQLite serializes (afterJson); they must say exactly
// what serializing the stored message does, for every kind of body and for awkward text.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteStore } from '../../src/relay/sqliteStore';
import type { AppendItem } from '../../src/relay/store';
import { onCleanup, tempDir } from '../helpers';

describe('store: msg events serialized by SQLite for replay', () => {
  it('match JSON.stringify of the stored message, in seq order, tombstones included', () => {
    const store = new SqliteStore(join(tempDir(), 'relay.sqlite'));
    onCleanup(() => store.close());
    store.createConversation({ id: 'c1', kind: 'room', name: 'general', members: ['u1'] });
    const awkward = 'quotes " and \\ backslash, tab\t, newline\n, NUL \u0000, bell \u0007, é, 漢字, 🙂, \u2028 line sep, </script>';
    const items: AppendItem[] = [
      { conv: 'c1', author: 'u1', id: 'a0000001', ts: 1_700_000_000_123, body: { kind: 'text', text: awkward } },
      {
        conv: 'c1',
        author: 'u1',
        id: 'a0000002',
        ts: 1_700_000_000_124,
        body: {
          kind: 'snippet',
          code: `${awkward}\n  indented`,
          lang: 'ts',
          path: 'src/a "b".ts',
          lines: { start: 3, end: 9 },
          hash: 'f'.repeat(64),
          note: 'see "this"',
        },
      },
      { conv: 'c1', author: 'u1', id: 'a0000003', ts: 1_700_000_000_125, body: { kind: 'edit', target: 1, text: 'fixed' } },
      { conv: 'c1', author: 'u1', id: 'a0000004', ts: 1_700_000_000_126, body: { kind: 'delete', target: 2 } },
    ];
    const results = store.appendBatch(items);
    assert.ok(
      results.every((r) => r.ok),
      JSON.stringify(results),
    );
    for (let i = 0; i < 300; i++)
      store.appendBatch([
        { conv: 'c1', author: 'u1', id: `b${String(i).padStart(7, '0')}`, ts: 1_700_000_001_000 + i, body: { kind: 'text', text: `n ${i}` } },
      ]);

    const plain = store.after('c1', 0, 1000);
    const json = store.afterJson('c1', 0, 1000);
    assert.equal(json.length, plain.length);
    assert.equal(plain.length, 304);
    assert.deepEqual(
      json.map((j) => j.seq),
      plain.map((m) => m.seq),
    );
    for (let i = 0; i < plain.length; i++)
      assert.deepEqual(JSON.parse(json[i].json), JSON.parse(JSON.stringify({ t: 'msg', m: plain[i] })), `seq ${plain[i].seq}`);
    // The deleted snippet is a tombstone in both.
    assert.deepEqual((JSON.parse(json[1].json) as { m: { body: unknown } }).m.body, { kind: 'deleted' });
    // Paging: after and limit behave as in `after`.
    assert.deepEqual(
      store.afterJson('c1', 100, 5).map((j) => j.seq),
      [101, 102, 103, 104, 105],
    );
    assert.deepEqual(store.afterJson('c1', 304, 5), []);
    assert.deepEqual(store.afterJson('nope', 0, 5), []);
  });
});
