import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { SqliteStore } from '../../src/relay/sqliteStore';
import type { FileBody } from '../../src/protocol/wire';
import { connect, general, makeClient, onCleanup, RawClient, startRelay, team, tempDir, texts, waitFor, rawSignIn } from '../helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('robustness: reconnects, backlogs, ordering, deletes', () => {
  it('resends messages and files that were in flight when the user pressed Reconnect', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.send(room, { kind: 'text', text: 'in flight' });
    alice.client.sendFile(room, 'f.bin', Buffer.alloc(300_000, 7));
    alice.client.reconnect();
    await waitFor(() => alice.client.outbox().length === 0, 'outbox drained after reconnect');
    await waitFor(() => alice.client.messages(room).length === 2, 'both cached');
    const stored = r.store.after(room, 0, 10);
    assert.deepEqual(stored.map((m) => m.body.kind).sort(), ['file', 'text']);
  });

  it('reopens its store after being killed right after an edit (the stale lock is removed)', async () => {
    const data = tempDir();
    const bin = join(__dirname, '..', '..', '..', 'dist', 'relay.js');
    const proc = spawn(process.execPath, [bin, '--port', '0', '--data', data]);
    onCleanup(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    const port = (await waitFor(() => /:(\d+) —/.exec(out), 'listening'))[1];
    const alice = await connect(`ws://127.0.0.1:${port}`, 'alice');
    const room = general(alice);
    alice.client.send(room, { kind: 'text', text: 'typo' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    alice.client.send(room, { kind: 'edit', target: 1, text: 'fixed' });
    await waitFor(() => alice.client.outbox().length === 0, 'edit acked');
    await new Promise((res) => setTimeout(res, 100));
    // The relay keeps its file locked for as long as it runs (the file is its alone), so a kill
    // always leaves the lock behind; the owner file says it is stale and the next open removes it.
    assert.equal(existsSync(join(data, 'relay.sqlite.lock')), true, 'the running relay holds its lock');
    proc.kill('SIGKILL');
    await new Promise((res) => proc.once('exit', res));
    assert.equal(existsSync(join(data, 'relay.sqlite.lock')), true, 'the kill left the lock behind');
    const store = new SqliteStore(join(data, 'relay.sqlite'));
    try {
      assert.equal(store.integrityCheck(), 'ok');
      assert.equal(store.after(room, 0, 10).length, 2);
    } finally {
      store.close();
    }
  });

  it('lets a member catch up on a backlog larger than the per-connection queue cap', async () => {
    const {
      relay: r,
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob'], { maxQueuedBytes: 2 * 1024 * 1024 });
    const { cacheFile, key } = bob;
    bob.close();
    const code = 'x'.repeat(90_000);
    const hash = createHash('sha256').update(code).digest('hex');
    for (let i = 0; i < 40; i++) alice.client.send(room, { kind: 'snippet', code, lang: 'txt', lines: { start: 1, end: 1 }, hash, note: `n${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'stored', 20_000);
    const back = await connect(r.url, 'bob', { cacheFile, key });
    await waitFor(() => back.client.cursor(room) === 40, 'bob caught up', 20_000);
    assert.equal(back.client.messages(room, { limit: 100 }).length, 40);
  });

  it('cuts off a member that never reads even while it keeps sending (held events count, pings must be answered)', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { maxQueuedBytes: 512 * 1024, heartbeatMs: 200 });
    const ws = new WebSocket(r.url);
    await rawSignIn(ws, r.url, 'sleeper');
    await new Promise((res) => ws.once('message', res));
    let closed = false;
    ws.on('close', () => (closed = true));
    ws.on('error', () => undefined);
    ws.pause();
    const typing = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ t: 'typing', conv: room })), 50);
    try {
      for (let i = 0; i < 30 && r.relay.onlineCount() > 1; i++) {
        alice.client.send(room, { kind: 'text', text: 'z'.repeat(10_000) });
        await new Promise((res) => setTimeout(res, 20));
      }
      await waitFor(() => r.relay.onlineCount() === 1, 'sleeper dropped', 5000);
    } finally {
      clearInterval(typing);
      ws.resume();
    }
    await waitFor(() => closed, 'closed');
    assert.equal(alice.client.state, 'connected');
  });

  it('delivers seqs in order when live messages race a slow first sync', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { limits: { ratePerSecond: 5000, rateBurst: 5000 } });
    for (let i = 0; i < 300; i++) alice.client.send(room, { kind: 'text', text: `old ${i}` });
    await waitFor(() => alice.client.outbox().length === 0, 'stored', 10_000);
    const raw = await RawClient.hello(r.url, 'late');
    // Live traffic before this client's sync, and during it.
    for (let i = 0; i < 20; i++) alice.client.send(room, { kind: 'text', text: `live ${i}` });
    await new Promise((res) => setTimeout(res, 200));
    raw.send({ t: 'sync', rid: 's1', cursors: { [room]: 0 } });
    for (let i = 20; i < 40; i++) alice.client.send(room, { kind: 'text', text: `live ${i}` });
    raw.send({ t: 'sync', rid: 's2', cursors: { [room]: 100 } }); // an overlapping second sync
    await raw.next('synced', (e) => e.rid === 's2', 10_000);
    await waitFor(() => raw.events.some((e) => e.t === 'msg' && (e.m as { seq: number }).seq === 340), 'the last live message', 10_000);
    // Each replay (ended by its `synced`) and the live events after them come in increasing order;
    // the second sync asked again from 100, so its replay starts over from 101.
    const segments: number[][] = [[]];
    for (const e of raw.events) {
      if (e.t === 'msg') segments[segments.length - 1].push((e.m as { seq: number }).seq);
      if (e.t === 'synced') segments.push([]);
    }
    for (const seg of segments) for (let i = 1; i < seg.length; i++) assert.ok(seg[i] > seg[i - 1], `order broken: ${seg.slice(Math.max(0, i - 3), i + 3)}`);
    assert.deepEqual(
      [...new Set(segments.flat())].sort((a, b) => a - b),
      Array.from({ length: 340 }, (_, i) => i + 1),
      'every seq arrives',
    );
  });

  it('keeps the newest edit when history arrives out of order', async () => {
    const {
      relay: r,
      room,
      members: [ada],
    } = await team(['ada'], { limits: { historyPage: 50 } });
    ada.client.send(room, { kind: 'text', text: 'v0' });
    ada.client.send(room, { kind: 'edit', target: 1, text: 'v1' });
    for (let i = 0; i < 120; i++) ada.client.send(room, { kind: 'text', text: `filler ${i}` });
    ada.client.send(room, { kind: 'edit', target: 1, text: 'v2' });
    await waitFor(() => ada.client.outbox().length === 0, 'stored', 10_000);
    const bob = await connect(r.url, 'bob');
    for (let i = 0; i < 4 && (bob.store.lowestSeq(room) ?? 2) > 1; i++) await bob.client.history(room);
    const first = bob.client.messages(room, { limit: 1000 }).find((m) => m.seq === 1);
    assert.equal(first?.edited, 'v2');
  });

  it('deletes content for good: history serves a tombstone and the file is gone', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.send(room, { kind: 'text', text: 'the password is hunter2' });
    alice.client.sendFile(room, 'secret.txt', Buffer.from('top secret'));
    await waitFor(() => alice.client.messages(room).length === 2, 'both stored');
    const file = alice.client.messages(room).find((m) => m.body.kind === 'file')!;
    alice.client.send(room, { kind: 'delete', target: 1 });
    alice.client.send(room, { kind: 'delete', target: file.seq });
    await waitFor(() => alice.client.outbox().length === 0, 'deletes stored');
    const bob = await connect(r.url, 'bob');
    const page = await bob.client.history(room);
    assert.ok(!JSON.stringify(page.messages).includes('hunter2'));
    assert.deepEqual(
      page.messages.filter((m) => m.seq <= 2).map((m) => m.body.kind),
      ['deleted', 'deleted'],
    );
    await assert.rejects(bob.client.fetchFile(file.body as FileBody), /unknown_file|no file/);
    assert.deepEqual(
      bob.client.messages(room).map((m) => m.deleted),
      [true, true],
    );
  });

  it('refuses a file finished after leaving the room, and acks a repeated upload of a stored file as a duplicate', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const room = await alice.client.createRoom('ops');
    const eve = await RawClient.hello(r.url, 'eve');
    eve.send({ t: 'room.join', rid: 'j', conv: room.id });
    await eve.next('conv', (e) => e.rid === 'j');
    const data = Buffer.from('payload');
    eve.send({ t: 'upload', id: 'eve-upload-1', conv: room.id, name: 'x', size: data.length, sha256: sha(data) });
    await eve.next('upload.ready');
    eve.send({ t: 'room.leave', rid: 'l', conv: room.id });
    await eve.next('left', (e) => e.rid === 'l');
    eve.send({ t: 'chunk', id: 'eve-upload-1', index: 0, data: data.toString('base64') });
    assert.equal((await eve.next('error', (e) => e.ref === 'eve-upload-1')).code, 'bad_upload');
    assert.equal(r.store.after(room.id, 0, 10).length, 0);

    const raw = await RawClient.hello(r.url, 'carol');
    const g = raw.welcome().conversations[0].id;
    raw.send({ t: 'upload', id: 'carol-upload-1', conv: g, name: 'y', size: data.length, sha256: sha(data) });
    await raw.next('upload.ready');
    raw.send({ t: 'chunk', id: 'carol-upload-1', index: 0, data: data.toString('base64') });
    const ack = await raw.next('ack');
    raw.send({ t: 'upload', id: 'carol-upload-1', conv: g, name: 'y', size: data.length, sha256: sha(data) });
    const dup = await raw.next('ack', (e) => e.dup === true);
    assert.equal(dup.seq, ack.seq);
  });

  it('carries read markers moved while offline to the relay and the other windows', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice']);
    const w1 = await connect(r.url, 'bob');
    alice.client.send(room, { kind: 'text', text: 'one' });
    alice.client.send(room, { kind: 'text', text: 'two' });
    await waitFor(() => w1.client.conversation(room)?.unread === 2, 'unread in w1');
    const { cacheFile, key } = w1;
    w1.close();
    const offline = makeClient('ws://127.0.0.1:1', 'bob', { cacheFile, key });
    offline.client.markRead(room, 2);
    assert.equal(offline.client.conversation(room)?.unread, 0);
    offline.close();
    const w2 = await connect(r.url, 'bob', { key });
    await waitFor(() => w2.client.conversation(room)?.unread === 2, 'w2 starts with the relay marker');
    const back = await connect(r.url, 'bob', { cacheFile, key });
    assert.equal(back.client.conversation(room)?.unread, 0);
    await waitFor(() => w2.client.conversation(room)?.unread === 0, 'the offline read reached the other window');
    assert.deepEqual(texts(back, room), ['one', 'two']);
  });
});
