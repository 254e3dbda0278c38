// The replay path sends `msg` events that SQLite serializes (afterJson); they must say exactly
// what serializing the stored message does, for every kind of body and for awkward text.
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
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

  it('history pages of large messages are sized in bytes and served from the page cache, not the file', () => {
    const store = new SqliteStore(join(tempDir(), 'relay.sqlite'));
    onCleanup(() => store.close());
    store.createConversation({ id: 'c1', kind: 'room', name: 'general', members: ['u1'] });
    // 140 messages of 15,000 characters (2 MB): more than SQLite's 2 MB page cache holds when a
    // page's sizes are counted by reading every text of a 200-message window off its pages.
    for (let i = 0; i < 140; i++)
      store.appendBatch([
        { conv: 'c1', author: 'u1', id: `a${String(i).padStart(7, '0')}`, ts: 1_700_000_000_000 + i, body: { kind: 'text', text: 'abcdefghij '.repeat(1364) } },
      ]);
    const maxBytes = 512 * 1024;
    const reads = countFileReads();
    store.beforeJson('c1', 1000, 200, maxBytes);
    reads.reset();
    for (let k = 0; k < 10; k++) {
      const page = store.beforeJson('c1', 1000, 200, maxBytes);
      assert.ok(page.length > 1 && page.length < 140, `a page of ${page.length}`);
      // A message written meanwhile, as members keep sending while someone pages back.
      store.appendBatch([{ conv: 'c1', author: 'u1', id: `w${String(k).padStart(7, '0')}`, ts: 1_700_000_001_000 + k, body: { kind: 'text', text: 'hi' } }]);
    }
    // Before, each page read about 2.3 MB of the file (565 reads); the cache holds what one uses.
    assert.ok(reads.count < 100, `10 history pages read the file ${reads.count} times (${(reads.bytes / 1e6).toFixed(1)} MB)`);
    reads.stop();

    // Sized in bytes: three-byte characters make a page of a third as many messages.
    store.createConversation({ id: 'c2', kind: 'room', name: 'wide', members: ['u1'] });
    for (let i = 0; i < 60; i++)
      store.appendBatch([
        { conv: 'c2', author: 'u1', id: `k${String(i).padStart(7, '0')}`, ts: 1_700_000_002_000 + i, body: { kind: 'text', text: '漢字'.repeat(5000) } },
      ]);
    const wide = store.beforeJson('c2', 1000, 200, maxBytes);
    const bytes = Buffer.byteLength(wide.map((m) => m.json).join(','));
    assert.ok(bytes <= maxBytes, `a page of ${wide.length} messages is ${bytes} bytes`);
    assert.ok(wide.length >= 10, `a page of ${wide.length} messages`);
  });
});

/** Counts reads of files by this process (SQLite's file reads go through fs.readSync). */
function countFileReads(): { count: number; bytes: number; reset(): void; stop(): void } {
  const original = fs.readSync;
  const counter = {
    count: 0,
    bytes: 0,
    reset() {
      counter.count = 0;
      counter.bytes = 0;
    },
    stop() {
      fs.readSync = original;
    },
  };
  fs.readSync = ((...args: Parameters<typeof fs.readSync>) => {
    const n = original(...args);
    counter.count++;
    counter.bytes += n;
    return n;
  }) as typeof fs.readSync;
  onCleanup(() => counter.stop());
  return counter;
}
