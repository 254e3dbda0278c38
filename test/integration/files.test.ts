import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { FileBody } from '../../src/protocol/wire';
import { connect, RawClient, startRelay, team, waitFor } from '../helpers';

describe('files sent in chunks', () => {
  it('reassembles a multi-chunk file with the right size and sha256', async () => {
    const {
      room,
      members: [alice, bob],
    } = await team(['alice', 'bob'], { limits: { chunkBytes: 64 * 1024 } });
    const bytes = randomBytes(64 * 1024 * 3 + 1234);
    const progress: number[] = [];
    alice.client.on('upload', (_id, sent) => progress.push(sent));
    alice.client.sendFile(room, 'trace.bin', bytes, { mime: 'application/octet-stream', note: 'the crash dump' });
    const msg = await waitFor(() => bob.client.messages(room).find((m) => m.body.kind === 'file'), 'bob gets the file message');
    const body = msg.body as FileBody;
    assert.equal(body.name, 'trace.bin');
    assert.equal(body.size, bytes.length);
    assert.equal(body.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(body.note, 'the crash dump');
    assert.deepEqual(progress, [65536, 131072, 196608, bytes.length]);
    const got = await bob.client.fetchFile(body);
    assert.ok(got.equals(bytes));
    assert.equal(alice.client.outbox().length, 0);
  });

  it('sends an empty file', async () => {
    const {
      room,
      members: [alice],
    } = await team(['alice']);
    alice.client.sendFile(room, 'empty.txt', new Uint8Array(0));
    const msg = await waitFor(() => alice.client.messages(room).find((m) => m.body.kind === 'file'), 'file message');
    assert.equal((await alice.client.fetchFile(msg.body as FileBody)).length, 0);
  });

  it('refuses a file over the cap on the client with a clear error, and on the relay with too_large', async () => {
    const {
      relay: r,
      room,
      members: [alice],
    } = await team(['alice'], { limits: { maxFileBytes: 1000 } });
    assert.throws(() => alice.client.sendFile(room, 'big.bin', new Uint8Array(1001)), /big\.bin is 1001 bytes; the relay accepts files up to 1000 bytes/);
    assert.equal(alice.client.outbox().length, 0);
    const raw = await RawClient.hello(r.url, 'mallory');
    raw.send({ t: 'upload', id: 'upload-big-1', conv: room, name: 'x', size: 5000, sha256: 'a'.repeat(64) });
    assert.equal((await raw.next('error')).code, 'too_large');
  });

  it('refuses bytes that do not match the announced sha256, storing nothing', async () => {
    const r = await startRelay();
    const raw = await RawClient.hello(r.url, 'mallory');
    const room = raw.welcome().conversations[0].id;
    const data = Buffer.from('hello');
    raw.send({ t: 'upload', id: 'upload-bad-1', conv: room, name: 'x.txt', size: data.length, sha256: 'b'.repeat(64) });
    await raw.next('upload.ready');
    raw.send({ t: 'chunk', id: 'upload-bad-1', index: 0, data: data.toString('base64') });
    assert.equal((await raw.next('error')).code, 'hash_mismatch');
    raw.send({ t: 'upload', id: 'upload-bad-2', conv: room, name: 'x.txt', size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await raw.next('upload.ready', (e) => e.id === 'upload-bad-2');
    raw.send({ t: 'chunk', id: 'upload-bad-2', index: 1, data: data.toString('base64') });
    assert.equal((await raw.next('error', (e) => e.ref === 'upload-bad-2')).code, 'bad_upload');
    assert.equal(r.store.after(room, 0, 10).length, 0);
  });

  it('does not serve a file to someone outside its conversation', async () => {
    const r = await startRelay();
    const alice = await connect(r.url, 'alice');
    const room = await alice.client.createRoom('secret-plans');
    alice.client.sendFile(room.id, 'plan.txt', Buffer.from('top secret'));
    const msg = await waitFor(() => alice.client.messages(room.id).find((m) => m.body.kind === 'file'), 'file stored');
    const raw = await RawClient.hello(r.url, 'eve');
    raw.send({ t: 'fetch', rid: 'f1', file: (msg.body as FileBody).file, index: 0 });
    assert.equal((await raw.next('error')).code, 'not_member');
    // A file in a direct message between two others is answered as a file that does not exist.
    const bob = await connect(r.url, 'bob');
    const dm = await alice.client.openDm(bob.client.self!.id);
    alice.client.sendFile(dm.id, 'between-us.txt', Buffer.from('only for bob'));
    const inDm = await waitFor(() => alice.client.messages(dm.id).find((m) => m.body.kind === 'file'), 'file stored in the DM');
    const file = (inDm.body as FileBody).file;
    raw.send({ t: 'fetch', rid: 'f2', file, index: 0 });
    raw.send({ t: 'fetch', rid: 'f3', file: file.split('').reverse().join(''), index: 0 });
    const real = await raw.next('error', (e) => e.ref === 'f2');
    const made = await raw.next('error', (e) => e.ref === 'f3');
    assert.equal(real.code, 'unknown_file');
    assert.equal(made.code, 'unknown_file');
    assert.equal(String(real.message).replace(file, '<id>'), String(made.message).replace(/no file \S+/, 'no file <id>'));
  });
});
