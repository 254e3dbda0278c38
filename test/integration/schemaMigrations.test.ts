// Numbered schema migrations (src/infra/sqliteMigrations.ts) against files the real thing wrote:
// the relay store and the client cache of each earlier schema are built from git at test time,
// write a file with members, rooms, messages (edited, replied to), files and read markers, and
// this build's store opens it, finds everything, writes to it, and opens it again. A file from a
// newer schema is refused and left byte for byte as it was.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAtCommit } from '../buildAtCommit';
import { ClientStore } from '../../src/client/clientStore';
import type { Message } from '../../src/protocol/wire';
import { CACHE_MIGRATIONS } from '../../src/client/clientSchema';
import { openExclusive } from '../../src/infra/sqliteFile';
import { schemaVersion } from '../../src/infra/sqliteMigrations';
import { RELAY_MIGRATIONS } from '../../src/relay/sqliteSchema';
import { searchQuery } from '../../src/relay/searchText';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { tempDir } from '../helpers';

/** The commit that wrote each relay schema version before the numbering (and the last build without it). */
const RELAY_WRITERS: { version: number; commit: string; what: string }[] = [
  { version: 1, commit: '145df8a', what: 'the last release before signed sign-in' },
  { version: 2, commit: 'fe10236', what: 'reads.shown' },
  { version: 3, commit: '7d89067', what: 'only the current text of edits' },
  { version: 4, commit: '0e2b935', what: 'devices and roles' },
  { version: 5, commit: '66369da', what: 'named invites' },
  { version: 5, commit: '5f674f7', what: 'the last build before numbered migrations' },
];

/** A module of an old commit (its src/ from git), bundled with this checkout's node_modules. */
async function buildOld<T>(commit: string, entry: string): Promise<T> {
  return require(await buildAtCommit(commit, { entry, dir: tempDir(), outName: 'old.js' })) as T;
}

// What the old stores are called with: the parts of Store that every version has.
interface OldRelayStore {
  createUser(u: Record<string, unknown>): void;
  createConversation(c: Record<string, unknown>): void;
  appendBatch(items: Record<string, unknown>[]): { ok: boolean; message?: { seq: number } }[];
  setRead(user: string, conv: string, seq: number): unknown;
  addDevice?(d: Record<string, unknown>): void;
  setRole?(user: string, role: string): void;
  addInvite?(i: Record<string, unknown>): void;
  close(): void;
}

/** A team as an old relay store keeps it: two members, #general with an edited message, a reply, a file. */
function writeOldRelayFile(Store: new (file: string) => OldRelayStore, file: string): void {
  const s = new Store(file);
  const t = 1_700_000_000_000;
  s.createUser({ id: 'u1', name: 'alice', norm: 'alice', keyHash: 'a'.repeat(64), created: t });
  s.createUser({ id: 'u2', name: 'bob', norm: 'bob', keyHash: 'b'.repeat(64), created: t + 1 });
  s.createConversation({ id: 'r1', kind: 'room', name: 'general', topic: 'Everyone on the team', members: ['u1', 'u2'] });
  const item = (author: string, id: string, body: Record<string, unknown>, chunks?: Buffer[]) => ({
    conv: 'r1',
    author,
    id,
    ts: t + 10,
    body,
    ...(chunks ? { chunks } : {}),
  });
  const r = s.appendBatch([
    item('u1', 'mAliceHello01', { kind: 'text', text: 'hello from the old relay' }),
    item('u2', 'mBobReply0001', { kind: 'text', text: 'a reply', thread: 1 }),
    item('u1', 'mAliceFile001', { kind: 'file', file: 'f1', name: 'notes.txt', size: 5, sha256: createHash('sha256').update('bytes').digest('hex') }, [
      Buffer.from('bytes'),
    ]),
    item('u1', 'mAliceEdit001', { kind: 'edit', target: 1, text: 'hello, edited' }),
  ]);
  assert.deepEqual(
    r.map((x) => x.ok),
    [true, true, true, true],
  );
  s.setRead('u2', 'r1', 2);
  s.addDevice?.({ id: 'd1', user: 'u1', key: 'k'.repeat(43), label: 'old laptop', added: t });
  s.setRole?.('u1', 'owner');
  s.addInvite?.({ hash: 'h'.repeat(64), name: 'carol', maker: 'u1', created: t, expires: t + 7 * 86_400_000 });
  s.close();
}

function fileVersion(file: string): number {
  const { db, release } = openExclusive(file, '');
  try {
    return schemaVersion(db);
  } finally {
    db.close();
    release();
  }
}

/** Everything the old file held is there, and the store takes new writes that survive a reopen. */
function checkRelayFile(file: string, hasDevices: boolean, hasInvites: boolean): void {
  let s = new SqliteStore(file);
  try {
    assert.deepEqual(
      s.users().map((u) => [u.id, u.name, u.norm]),
      [
        ['u1', 'alice', 'alice'],
        ['u2', 'bob', 'bob'],
      ],
    );
    const conv = s.conversations().find((c) => c.id === 'r1');
    assert.deepEqual([conv?.name, conv?.topic, conv?.members, conv?.head], ['general', 'Everyone on the team', ['u1', 'u2'], 4]);
    const msgs = s.after('r1', 0, 10);
    assert.deepEqual(
      msgs.map((m) => m.seq),
      [1, 2, 3, 4],
    );
    // Migration 3 left only the current text, also in files written before it.
    assert.deepEqual(msgs[0].body, { kind: 'text', text: 'hello, edited' });
    assert.deepEqual(msgs[1].body, { kind: 'text', text: 'a reply', thread: 1 });
    assert.equal(s.fileChunk('f1', 0)?.toString(), 'bytes');
    assert.deepEqual(s.fileInfo('f1'), { conv: 'r1', size: 5, count: 1 });
    assert.equal(s.reads('u2').get('r1'), 2);
    assert.deepEqual(
      s.search({ ...searchQuery('edited')!, convs: ['r1'], limit: 5 }).map((h) => h.seq),
      [1],
    );
    if (hasDevices) {
      assert.deepEqual(
        s.devices().map((d) => [d.id, d.user, d.label]),
        [['d1', 'u1', 'old laptop']],
      );
      assert.deepEqual(s.roles(), [{ user: 'u1', role: 'owner' }]);
    }
    assert.deepEqual(
      s.invites().map((i) => i.name),
      hasInvites ? ['carol'] : [],
    );
    // Writable: the next seq, a reply refused by the rules as before, a member with a device, an invite, a read marker.
    const r = s.appendBatch([
      { conv: 'r1', author: 'u2', id: 'mBobAfter0001', ts: Date.now(), body: { kind: 'text', text: 'after the upgrade' } },
      { conv: 'r1', author: 'u2', id: 'mBobBadReply1', ts: Date.now(), body: { kind: 'text', text: 'x', thread: 2 } },
    ]);
    assert.equal(r[0].ok && r[0].message.seq, 5);
    assert.deepEqual(r[1], { ok: false, code: 'bad_target', message: "message 2 is a reply; reply to its thread's root (1)" });
    s.addDevice(
      { id: 'd9', user: 'u3', key: 'z'.repeat(43), label: 'new', added: Date.now() },
      { user: { id: 'u3', name: 'dave', norm: 'dave', keyHash: 'none:u3', created: Date.now() } },
    );
    s.addInvite({ hash: 'i'.repeat(64), name: 'erin', maker: 'u1', created: Date.now(), expires: Date.now() + 1000 });
    assert.equal(s.setRead('u1', 'r1', 5), true);
  } finally {
    s.close();
  }
  assert.equal(fileVersion(file), RELAY_MIGRATIONS.length);
  s = new SqliteStore(file);
  try {
    assert.deepEqual(
      s.after('r1', 4, 10).map((m) => m.body),
      [{ kind: 'text', text: 'after the upgrade' }],
    );
    assert.ok(s.users().some((u) => u.name === 'dave'));
    assert.ok(s.invites().some((i) => i.name === 'erin'));
    assert.equal(s.convSeen('r1').get('u1'), 5);
  } finally {
    s.close();
  }
}

function fingerprint(file: string): string {
  const h = createHash('sha256');
  for (const f of [file, `${file}-wal`]) if (existsSync(f)) h.update(f).update(readFileSync(f));
  return h.digest('hex');
}

/** Marks a file as written by a schema one past what this build knows. */
function stampNewer(file: string, version: number): void {
  const { db, release } = openExclusive(file, '');
  db.exec(`PRAGMA user_version = ${version}`);
  db.close();
  release();
}

describe('numbered schema migrations (PRAGMA user_version)', function () {
  this.timeout(120_000);

  for (const w of RELAY_WRITERS) {
    it(`opens a relay file of schema ${w.version} written by ${w.commit} (${w.what}): everything there, writable`, async () => {
      const { SqliteStore: Old } = await buildOld<{ SqliteStore: new (file: string) => OldRelayStore }>(w.commit, 'src/relay/sqliteStore.ts');
      const file = join(tempDir(), 'relay.sqlite');
      writeOldRelayFile(Old, file);
      assert.equal(fileVersion(file), 0, 'builds before the numbering leave user_version at 0');
      checkRelayFile(file, w.version >= 4, w.version >= 5);
    });
  }

  it('creates a new relay file at the newest schema, and opening it again changes nothing', () => {
    const file = join(tempDir(), 'relay.sqlite');
    new SqliteStore(file).close();
    assert.equal(fileVersion(file), RELAY_MIGRATIONS.length);
    const before = fingerprint(file);
    new SqliteStore(file).close();
    assert.equal(fingerprint(file), before);
  });

  it('refuses a relay file from a newer schema with what to do, and leaves it as it was', () => {
    const file = join(tempDir(), 'relay.sqlite');
    new SqliteStore(file).close();
    const newer = RELAY_MIGRATIONS.length + 1;
    stampNewer(file, newer);
    const before = fingerprint(file);
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => new SqliteStore(file),
        (err: Error) => {
          assert.match(
            err.message,
            new RegExp(
              `was written by a newer version of Parley \\(relay data schema ${newer}; this version knows up to ${RELAY_MIGRATIONS.length}\\).*update Parley`,
            ),
          );
          return true;
        },
      );
    }
    assert.equal(fingerprint(file), before);
    assert.equal(fileVersion(file), newer);
  });

  it('opens a client cache written by 145df8a: conversations, messages, reactions, outbox there, writable', async () => {
    type OldCache = {
      putConversation(c: Record<string, unknown>, cursor: number): void;
      putMessage(m: Record<string, unknown>): boolean;
      addOutbox(e: Record<string, unknown>, file?: Uint8Array): void;
      set(k: string, v: string): void;
      close(): void;
    };
    const { ClientStore: Old } = await buildOld<{ ClientStore: new (file: string) => OldCache }>('145df8a', 'src/core/clientStore.ts');
    const file = join(tempDir(), 'cache.sqlite');
    const old = new Old(file);
    const conv = { id: 'r1', kind: 'room', name: 'general', members: ['u1', 'u2'], head: 3, floor: 1 };
    old.putConversation(conv, 3);
    const msg = (seq: number, author: string, body: Record<string, unknown>) => ({
      conv: 'r1',
      seq,
      id: `m${String(seq).padStart(12, '0')}`,
      author,
      ts: 1000 + seq,
      body,
    });
    old.putMessage(msg(1, 'u1', { kind: 'text', text: 'root' }));
    old.putMessage(msg(2, 'u2', { kind: 'text', text: 'reply', thread: 1 }));
    old.putMessage(msg(3, 'u2', { kind: 'react', target: 1, emoji: '👍', on: true }));
    old.addOutbox({ id: 'mQueued000001', conv: 'r1', kind: 'send', body: { kind: 'text', text: 'queued offline' }, created: 5, state: 'queued' });
    old.set('identity', 'kept');
    old.close();
    assert.equal(fileVersion(file), 0);

    let c = new ClientStore(file);
    try {
      assert.equal(c.conversations().get('r1')?.cursor, 3);
      const root = c.message('r1', 1);
      assert.equal(root?.replies?.count, 1);
      assert.deepEqual(
        root?.reactions?.map((r) => r.emoji),
        ['👍'],
      );
      assert.deepEqual(
        c.messages('r1', { scope: { thread: 1 } }).map((m) => m.seq),
        [1, 2],
      );
      assert.deepEqual(
        c.outbox().map((e) => e.id),
        ['mQueued000001'],
      );
      assert.equal(c.get('identity'), 'kept');
      assert.equal(c.putMessage(msg(4, 'u1', { kind: 'edit', target: 1, text: 'root, edited' }) as Message), true);
      assert.equal(c.message('r1', 1)?.edited, 'root, edited');
    } finally {
      c.close();
    }
    assert.equal(fileVersion(file), CACHE_MIGRATIONS.length);
    c = new ClientStore(file);
    c.close();
  });

  it('refuses a client cache from a newer schema, and leaves it as it was', () => {
    const file = join(tempDir(), 'cache.sqlite');
    new ClientStore(file).close();
    const newer = CACHE_MIGRATIONS.length + 1;
    stampNewer(file, newer);
    const before = fingerprint(file);
    assert.throws(() => new ClientStore(file), /was written by a newer version of Parley \(cache schema 2; this version knows up to 1\)/);
    assert.equal(fingerprint(file), before);
    assert.equal(fileVersion(file), newer);
  });
});
