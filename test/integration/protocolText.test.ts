import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newIdentitySecret } from '../../src/infra/identity';
import { connect, RawClient, startRelay, waitFor } from '../helpers';

// What docs/PROTOCOL.md says, checked against a real relay over raw sockets: each place where a
// client written from the text alone found the text and the relay apart (issue 16) has a test
// here, so the two cannot drift apart again unnoticed. (The frame-level points, unknown types
// before and after hello, upload names and the subprotocol, are in protocolAgreement.test.ts.)

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');

/** The part of the protocol text from the heading `title` to the next heading of that level or above. */
function section(title: string): string {
  const at = DOC.indexOf(`\n${title}\n`);
  assert.ok(at >= 0, `PROTOCOL.md has a section "${title}"`);
  const level = title.split(' ')[0];
  const rest = DOC.slice(at + title.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

type Event = Record<string, unknown>;

/** A member signed in over a raw socket, with its first `sync` done (live events flow from here). */
async function member(url: string, name: string, key = newIdentitySecret()): Promise<RawClient> {
  const raw = await RawClient.hello(url, name, key);
  raw.send({ t: 'sync', rid: 'first', cursors: {} });
  await raw.next('synced', (e) => e.rid === 'first');
  return raw;
}

/** Sends a text message and resolves with its ack (the one after this send: an id may be sent twice). */
async function say(raw: RawClient, conv: string, id: string, text: string): Promise<Event> {
  const from = raw.events.length;
  raw.send({ t: 'send', id, conv, body: { kind: 'text', text } });
  return raw.next('ack', (e) => e.id === id && raw.events.indexOf(e) >= from);
}

/** The events that arrived after `from` (an index into `raw.events`). */
function since(raw: RawClient, from: number): Event[] {
  return raw.events.slice(from);
}

function generalOf(raw: RawClient): string {
  const g = raw.welcome().conversations.find((c) => c.name === 'general');
  assert.ok(g, 'the welcome lists #general');
  return g.id;
}

async function createRoom(raw: RawClient, name: string): Promise<string> {
  raw.send({ t: 'room.create', rid: `mk-${name}`, name });
  const made = (await raw.next('conv', (e) => e.rid === `mk-${name}`)) as { conversation: { id: string } };
  return made.conversation.id;
}

describe('docs/PROTOCOL.md and the relay agree', function () {
  this.timeout(20_000);

  it('a name of any length breaks the name rules (bad_name, close 4005), not the frame (257 characters and a near-frame-sized one)', async () => {
    const r = await startRelay();
    for (const name of ['a'.repeat(33), 'a'.repeat(256), 'a'.repeat(257), 'b'.repeat(4000)]) {
      const raw = await RawClient.open(r.url);
      await raw.signIn(r.url, name);
      const e = await raw.next('error');
      assert.equal(e.code, 'bad_name', `${name.length} characters: ${String(e.message)}`);
      assert.equal(await raw.closed(), 4005, `${name.length} characters`);
    }
    // A name as large as a frame allows is refused at once: the confusable keys of ~400,000
    // letters would hold the relay's event loop for seconds.
    const raw = await RawClient.open(r.url);
    const t = Date.now();
    await raw.signIn(r.url, 'й'.repeat(400_000));
    assert.equal((await raw.next('error', () => true, 10_000)).code, 'bad_name');
    assert.equal(await raw.closed(), 4005);
    assert.ok(Date.now() - t < 2000, `answered in ${Date.now() - t} ms`);
    assert.match(section('## Signing in'), /`name`: display name[^\n]*any length/);
  });

  it('a sync answers for every conversation one is in: one left out of `cursors` counts as cursor 0 (replayed from seq 1, or reset)', async () => {
    const r = await startRelay({ limits: { replayLimit: 5 } });
    const ada = await member(r.url, 'ada');
    const general = generalOf(ada);
    const dev = await createRoom(ada, 'dev');
    const big = await createRoom(ada, 'big');
    for (let i = 1; i <= 3; i++) await say(ada, general, `mGen000${i}`, `general ${i}`);
    for (let i = 1; i <= 2; i++) await say(ada, dev, `mDev000${i}`, `dev ${i}`);
    for (let i = 1; i <= 6; i++) await say(ada, big, `mBig000${i}`, `big ${i}`);

    // All cursors at their heads: nothing to replay.
    let from = ada.events.length;
    ada.send({ t: 'sync', rid: 'all', cursors: { [general]: 3, [dev]: 2, [big]: 6 } });
    await ada.next('synced', (e) => e.rid === 'all');
    assert.deepEqual(
      since(ada, from).filter((e) => e.t === 'msg' || e.t === 'reset'),
      [],
    );

    // Only #dev's cursor: #general is replayed from its first message, #big (more than
    // replayLimit behind cursor 0) is reset.
    from = ada.events.length;
    ada.send({ t: 'sync', rid: 'one', cursors: { [dev]: 2 } });
    await ada.next('synced', (e) => e.rid === 'one');
    const got = since(ada, from);
    const replayed = got.filter((e) => e.t === 'msg').map((e) => e.m as { conv: string; seq: number });
    assert.deepEqual(
      replayed,
      replayed.filter((m) => m.conv === general),
      'only #general is replayed',
    );
    assert.deepEqual(
      replayed.map((m) => m.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      got.filter((e) => e.t === 'reset').map((e) => [e.conv, e.reason, e.head]),
      [[big, 'too_far', 6]],
    );

    assert.match(section('## Resume and history'), /send `sync`\s+again with all your cursors/);
  });

  it('file names of 1–255 characters; a bad one is a bad_frame naming the upload; empty files and chunks past the end cannot be fetched', async () => {
    const r = await startRelay({ limits: { chunkBytes: 1024 } });
    const ada = await member(r.url, 'ada');
    const general = generalOf(ada);
    const upload = (id: string, name: string, bytes: Buffer) =>
      ada.send({ t: 'upload', id, conv: general, name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

    for (const [id, name] of [
      ['uEmptyName1', ''],
      ['uLongName01', 'n'.repeat(256)],
    ]) {
      upload(id, name, Buffer.alloc(0));
      const e = await ada.next('error', (x) => x.ref === id);
      assert.equal(e.code, 'bad_frame', `a name of ${name.length}`);
    }
    assert.equal(ada.closeCode, undefined, 'the connection stays open');

    // 255 characters, no bytes: acked after upload.ready without a chunk; nothing to fetch.
    upload('uEmptyFile1', 'e'.repeat(255), Buffer.alloc(0));
    await ada.next('upload.ready', (e) => e.id === 'uEmptyFile1');
    await ada.next('ack', (e) => e.id === 'uEmptyFile1');
    const empty = (await ada.next('msg', (e) => (e.m as { id: string }).id === 'uEmptyFile1')).m as { body: { file: string; name: string } };
    assert.equal(empty.body.name.length, 255);
    ada.send({ t: 'fetch', rid: 'fEmpty', file: empty.body.file, index: 0 });
    assert.equal((await ada.next('error', (e) => e.ref === 'fEmpty')).code, 'bad_request');

    // 2,500 bytes in chunks of 1,024: ceil(2500 / 1024) = 3 chunks, the last one 452 bytes.
    const bytes = Buffer.alloc(2500, 7);
    upload('uThreeChnk1', 'three.bin', bytes);
    await ada.next('upload.ready', (e) => e.id === 'uThreeChnk1');
    for (let i = 0; i < 3; i++) ada.send({ t: 'chunk', id: 'uThreeChnk1', index: i, data: bytes.subarray(i * 1024, (i + 1) * 1024).toString('base64') });
    await ada.next('ack', (e) => e.id === 'uThreeChnk1');
    const file = ((await ada.next('msg', (e) => (e.m as { id: string }).id === 'uThreeChnk1')).m as { body: { file: string } }).body.file;
    ada.send({ t: 'fetch', rid: 'fLast', file, index: 2 });
    const last = await ada.next('file.chunk', (e) => e.rid === 'fLast');
    assert.equal(last.count, 3);
    assert.equal(Buffer.from(String(last.data), 'base64').length, 452);
    ada.send({ t: 'fetch', rid: 'fPast', file, index: 3 });
    assert.equal((await ada.next('error', (e) => e.ref === 'fPast')).code, 'bad_request');

    const files = section('## Files');
    assert.match(files, /1–255 characters/);
    assert.match(files, /`bad_frame` with `ref`/);
    assert.match(files, /ceil\(size \/ chunkBytes\)/);
    assert.match(files, /empty file has no chunks/);
  });

  it('message ids are unique per author: reusing one in another conversation stores nothing and acks the first (its conv and seq, dup)', async () => {
    const r = await startRelay();
    const ada = await member(r.url, 'ada');
    const bob = await member(r.url, 'bob');
    const general = generalOf(ada);
    const dev = await createRoom(ada, 'dev');
    bob.send({ t: 'room.join', rid: 'join', conv: dev });
    await bob.next('conv', (e) => e.rid === 'join');

    const first = await say(ada, general, 'mSameId001', 'in general');
    assert.equal(first.dup, undefined);
    const again = await say(ada, dev, 'mSameId001', 'in dev, same id');
    assert.deepEqual([again.conv, again.seq, again.dup], [general, first.seq, true]);
    ada.send({ t: 'history', rid: 'h1', conv: dev });
    assert.deepEqual((await ada.next('history', (e) => e.rid === 'h1')).messages, [], '#dev has nothing');
    // Another author's id space is their own.
    const bobs = await say(bob, dev, 'mSameId001', 'bob, same id');
    assert.deepEqual([bobs.conv, bobs.seq, bobs.dup], [dev, 1, undefined]);

    assert.match(section('## Messages'), /unique per author/);
  });

  it('a renamed member’s old name stays theirs (name_taken for anyone else) until five later renames release it', async () => {
    const r = await startRelay();
    const key = newIdentitySecret();
    (await RawClient.hello(r.url, 'alice', key)).ws.close();
    (await RawClient.hello(r.url, 'alicia', key)).ws.close();
    const stranger = await RawClient.open(r.url);
    await stranger.signIn(r.url, 'alice');
    const e = await stranger.next('error');
    assert.equal(e.code, 'name_taken');
    assert.match(String(e.message), /reserved/);
    assert.equal(await stranger.closed(), 4003);
    for (const n of ['ali1', 'ali2', 'ali3', 'ali4', 'ali5']) (await RawClient.hello(r.url, n, key)).ws.close();
    const later = await RawClient.hello(r.url, 'alice');
    assert.match(later.welcome().you.id, /^u/, 'a newcomer takes the released name');

    assert.match(section('## Member names'), /not owned for ever/);
  });

  it('welcome carries `kinds` and the limits the framing list names; a sync may carry the welcome’s `epoch`', async () => {
    const r = await startRelay();
    const ada = await RawClient.hello(r.url, 'ada');
    const w = ada.welcome() as unknown as { epoch: string; kinds: string[]; limits: Record<string, number>; conversations: { id: string; head: number }[] };
    assert.ok(w.kinds.includes('text') && w.kinds.includes('pin'), `kinds: ${w.kinds.join(', ')}`);
    const framing = section('## Framing');
    for (const k of Object.keys(w.limits)) assert.match(framing, new RegExp(`\`${k}\``), `the framing list names limits.${k}`);
    assert.match(DOC, /\{"t":"welcome"[^`]*"kinds":\[/, 'the welcome example shows kinds');

    const conv = w.conversations[0].id;
    ada.send({ t: 'sync', rid: 's1', epoch: w.epoch, cursors: { [conv]: 0 } });
    await ada.next('synced', (e) => e.rid === 's1');
    ada.send({ t: 'sync', rid: 's2', epoch: 'not-this-relay', cursors: { [conv]: 0 } });
    await ada.next('synced', (e) => e.rid === 's2');
    assert.deepEqual(
      ada.events.filter((e) => e.t === 'reset').map((e) => e.reason),
      ['epoch'],
    );
    assert.match(section('## A session'), /"t":"sync","rid":"q1","epoch":/);
  });

  it('the client starts its backoff over once a connection got through its replay (synced)', async () => {
    let r = await startRelay();
    const ada = await connect(r.url, 'ada', { backoff: { baseMs: 200, maxMs: 3200 } });
    const waits: number[] = [];
    ada.client.on('state', (_state, detail) => {
      const m = /retrying in ([\d.]+) s/.exec(detail ?? '');
      if (m) waits.push(Number(m[1]));
    });
    // Down for three tries: the waits grow (0.1–0.2 s, 0.2–0.4 s, 0.4–0.8 s).
    await r.stop();
    await waitFor(() => waits.length >= 3, 'three retries', 10_000);
    assert.ok(waits[2] >= 0.4, `waits ${waits.join(', ')}`);
    let synced = false;
    ada.client.on('synced', () => (synced = true));
    r = await startRelay({ dataFile: r.dataFile, port: r.port });
    await waitFor(() => synced, 'back and synced', 10_000);
    // Down again: the first wait is the first step's again.
    const before = waits.length;
    await r.stop();
    await waitFor(() => waits.length > before, 'a retry', 10_000);
    assert.ok(waits[before] <= 0.2, `waits ${waits.join(', ')}`);

    assert.match(section('## Liveness and shutdown'), /after `synced`/);
  });
});
