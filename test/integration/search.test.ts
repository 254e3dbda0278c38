import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Database } from 'node-sqlite3-wasm';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { excerpt, searchQuery } from '../../src/relay/searchText';
import { SEARCH_MARK_END, SEARCH_MARK_START, type SearchHit } from '../../src/protocol/wire';
import { team, waitFor, type TestClient } from '../helpers';

const plain = (h: SearchHit) => h.text.replaceAll(SEARCH_MARK_START, '[').replaceAll(SEARCH_MARK_END, ']');
const find = async (c: TestClient, q: string, opts: { conv?: string; from?: string } = {}) => (await c.client.search(q, opts)).hits.map(plain);

describe('search: full text on the relay, over the conversations you are in', () => {
  it('finds words (prefixes, without accents) in texts, snippets, files and thread replies, newest first, only where you are a member', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob']);
    const secret = await bob.client.createRoom('secret');
    alice.client.send(room, { kind: 'text', text: 'Deploy the café build after lunch' });
    bob.client.send(secret.id, { kind: 'text', text: 'deploy the secret plans' });
    await waitFor(() => alice.client.outbox().length === 0 && bob.client.outbox().length === 0, 'acked');
    bob.client.send(room, { kind: 'text', text: 'deploying now', thread: 1 });
    const code = 'await retryWithBackoff(deployTask)';
    bob.client.send(room, {
      kind: 'snippet',
      code,
      lang: 'ts',
      path: 'src/deploy.ts',
      lines: { start: 3, end: 3 },
      hash: createHash('sha256').update(code).digest('hex'),
    });
    bob.client.sendFile(room, 'deploy-notes.txt', Buffer.from('notes'), { mime: 'text/plain' });
    await waitFor(() => bob.client.outbox().length === 0, 'bob acked');

    const hits = (await alice.client.search('deplo')).hits;
    assert.deepEqual(
      hits.map((h) => h.kind),
      ['file', 'snippet', 'text', 'text'],
      'newest first, the secret room left out',
    );
    assert.equal(hits[2].thread, 1, 'a reply says which thread it is in');
    assert.equal(hits[2].author, bob.client.self!.id);
    assert.match(plain(hits[3]), /\[Deploy\] the café build/);
    assert.deepEqual(await find(alice, 'cafe'), ['Deploy the [café] build after lunch']);
    assert.deepEqual(await find(alice, 'retrywithbackoff'), ['src/deploy.ts\nawait [retryWithBackoff](deployTask)'], 'code is searchable');
    // Filters: by person, by conversation; a conversation you are not in is refused.
    assert.equal((await alice.client.search('deploy', { from: alice.client.self!.id })).hits.length, 1);
    assert.equal((await bob.client.search('deploy', { conv: secret.id })).hits.length, 1);
    await assert.rejects(alice.client.search('deploy', { conv: secret.id }), /not a member/);
    // What looks like FTS syntax is just words; a query without words is refused clearly.
    assert.deepEqual(await find(alice, 'deploy OR secret'), []);
    assert.deepEqual(await find(alice, 'text:café'), []);
    await assert.rejects(alice.client.search('"*( )'), /no words to look for/);
    assert.equal(alice.client.state, 'connected');

    // Edits change what a message is found by; deleted messages are not found.
    alice.client.send(room, { kind: 'edit', target: 1, text: 'Ship the build after lunch' });
    bob.client.send(room, { kind: 'delete', target: 3 });
    await waitFor(() => alice.client.outbox().length === 0 && bob.client.outbox().length === 0, 'acked');
    assert.deepEqual(await find(alice, 'café'), []);
    assert.deepEqual(await find(alice, 'ship'), ['[Ship] the build after lunch']);
    assert.deepEqual((await alice.client.search('retrywithbackoff')).hits, []);

    // A store made before the index existed builds it on open, with edits and deletions applied;
    // so does one whose indexing stopped part way (a crash): upto behind what the index holds.
    await r.stop();
    const db = new Database(r.dataFile);
    // The file is in WAL mode without shared memory (see openExclusive): only an exclusive lock opens it.
    db.exec("PRAGMA locking_mode = EXCLUSIVE; DELETE FROM search; DELETE FROM meta WHERE k = 'search_upto'");
    db.close();
    const reopened = new SqliteStore(r.dataFile);
    try {
      const convs = reopened.conversations().map((c) => c.id);
      const again = (q: string) => reopened.search({ ...searchQuery(q)!, convs, limit: 10 }).map(plain);
      assert.deepEqual(again('ship'), ['[Ship] the build after lunch']);
      assert.deepEqual(again('café'), []);
      assert.deepEqual(again('retrywithbackoff'), []);
      assert.equal(again('deplo').length, 3, 'the file, the reply and the secret room message (the store does not filter by member)');
    } finally {
      reopened.close();
    }
    const db2 = new Database(r.dataFile);
    db2.exec("PRAGMA locking_mode = EXCLUSIVE; UPDATE meta SET v = '2' WHERE k = 'search_upto'");
    db2.close();
    const resumed = new SqliteStore(r.dataFile);
    try {
      const convs = resumed.conversations().map((c) => c.id);
      assert.deepEqual(resumed.search({ ...searchQuery('ship')!, convs, limit: 10 }).map(plain), ['[Ship] the build after lunch']);
      assert.deepEqual(resumed.search({ ...searchQuery('retrywithbackoff')!, convs, limit: 10 }), []);
      assert.equal(resumed.search({ ...searchQuery('deplo')!, convs, limit: 10 }).length, 3);
    } finally {
      resumed.close();
    }
  });

  it('builds FTS queries in which every word counts and the last may be a prefix (of two letters or more)', () => {
    assert.equal(searchQuery('deploy the build')?.match, '"deploy" "the" "build"*');
    assert.equal(searchQuery('say "hi"')?.match, '"say" """hi"""*');
    assert.equal(searchQuery('  ... *** '), undefined);
    assert.equal(searchQuery('ｄｅｐｌｏｙ')?.match, '"deploy"*', 'full-width letters are folded (NFKC)');
    assert.deepEqual(
      searchQuery('fix a'),
      { match: '"fix" "a"', terms: ['fix', 'a'], prefix: false },
      'one letter is a whole word, not a prefix of most of the index',
    );
    assert.deepEqual(searchQuery('Café DÉPLO')?.terms, ['cafe', 'deplo']);
  });

  it('makes excerpts around the first match, marks every match in them, and walks a text once', () => {
    const q = searchQuery('deplo')!;
    const long = 'word '.repeat(40) + 'we deploy the build, then deployed it again ' + 'tail '.repeat(40);
    assert.equal(
      plain({ text: excerpt(long, q) } as SearchHit),
      '…word word word word word word word we [deploy] the build, then [deployed] it again tail tail tail tail tail tail tail tail tail…',
    );
    assert.equal(excerpt('Ship it.', searchQuery('ship')!), `${SEARCH_MARK_START}Ship${SEARCH_MARK_END} it.`);
    assert.equal(excerpt('Le café est prêt', searchQuery('cafe')!), `Le ${SEARCH_MARK_START}café${SEARCH_MARK_END} est prêt`);
    // Thousands of matches in one text cost one pass that stops early (FTS5's snippet() scored
    // them all: 70 ms per hit), measured against a text with one late match in the same run.
    const many = 'abcdefghij '.repeat(10_000);
    const one = 'zzz '.repeat(10_000) + 'abcdefghij';
    const time = (t: string) => {
      const s = performance.now();
      for (let i = 0; i < 20; i++) excerpt(t, searchQuery('ab')!);
      return performance.now() - s;
    };
    time(one);
    assert.ok(time(many) < time(one), 'many matches cost less than a scan to a late match');
  });
});
