import * as assert from 'node:assert/strict';
import { REPLIES, type ReplyTo, type RequestFrame } from '../../src/protocol/requests';
import { ClientFrame, FileBody, FileMeta, UploadFrame, type RelayEvent } from '../../src/protocol/wire';
import { RelayError } from '../../src/client/clientTypes';
import { PendingRequests } from '../../src/client/pendingRequests';

/** Compile-time only: fails to build when A and B are not the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const historyIsTyped: Same<ReplyTo<'history'>, Extract<RelayEvent, { t: 'history' }>> = true;
const createAnswersWithConv: Same<ReplyTo<'room.create'>, Extract<RelayEvent, { t: 'conv' }>> = true;

function harness(opts: { online?: boolean; timeoutMs?: number } = {}) {
  const sent: RequestFrame[] = [];
  const requests = new PendingRequests((f) => {
    if (opts.online === false) return false;
    sent.push(f);
    return true;
  }, opts.timeoutMs ?? 1000);
  return { requests, sent };
}

describe('requests and their replies', () => {
  it('names a reply for every client frame that carries a rid, and only for those', () => {
    assert.ok(historyIsTyped && createAnswersWithConv);
    const withRid = ClientFrame.options.filter((o) => 'rid' in o.shape).map((o) => o.shape.t.value);
    assert.deepEqual(Object.keys(REPLIES).sort(), [...withRid].sort());
  });

  it('resolves a request with the event of its rid, typed by its request type', async () => {
    const { requests, sent } = harness();
    const reply = requests.request('history', { conv: 'r1' });
    assert.equal(sent.length, 1);
    assert.equal(sent[0].t, 'history');
    const rid = sent[0].rid;
    requests.settle(rid, { t: 'history', rid, conv: 'r1', messages: [], more: false });
    const res = await reply;
    assert.equal(res.more, false);
    assert.equal(requests.has(rid), false);
  });

  it('fails a request answered with an event of another type (a relay that mixes up answers)', async () => {
    const { requests, sent } = harness();
    const reply = requests.request('room.list', {});
    requests.settle(sent[0].rid, { t: 'synced', rid: sent[0].rid });
    await assert.rejects(reply, (err: RelayError) => err.code === 'bad_reply');
  });

  it('fails one request with the relay error for its rid, and all of them when the connection ends', async () => {
    const { requests, sent } = harness();
    const a = requests.request('device.list', {});
    const b = requests.request('secret.rotate', {});
    assert.equal(requests.fail(sent[0].rid, new RelayError('forbidden', 'no')), true);
    assert.equal(requests.fail('nobody', new RelayError('forbidden', 'no')), false);
    await assert.rejects(a, (err: RelayError) => err.code === 'forbidden');
    requests.failAll('connection lost');
    await assert.rejects(b, (err: RelayError) => err.code === 'offline' && err.message === 'connection lost');
  });

  it('fails at once when offline, and with timeout when the relay never answers', async () => {
    await assert.rejects(harness({ online: false }).requests.request('room.list', {}), (err: RelayError) => err.code === 'offline');
    const { requests } = harness({ timeoutMs: 20 });
    await assert.rejects(requests.request('room.list', {}), (err: RelayError) => err.code === 'timeout');
  });
});

describe('one FileMeta for every description of a file', () => {
  it('gives the upload frame and the file body the same fields and limits', () => {
    for (const k of Object.keys(FileMeta.shape)) {
      assert.equal(UploadFrame.shape[k as keyof typeof UploadFrame.shape], FileMeta.shape[k as keyof typeof FileMeta.shape], `upload.${k}`);
      assert.equal(FileBody.shape[k as keyof typeof FileBody.shape], FileMeta.shape[k as keyof typeof FileMeta.shape], `file.${k}`);
    }
    const meta = { name: 'a.txt', size: 1, sha256: 'a'.repeat(64) };
    assert.equal(UploadFrame.safeParse({ t: 'upload', id: 'abcdefgh', conv: 'r1', ...meta, name: 'x'.repeat(256) }).success, false);
    assert.equal(FileBody.safeParse({ kind: 'file', file: 'f1', ...meta, name: '' }).success, false);
    assert.equal(FileBody.safeParse({ kind: 'file', file: 'f1', ...meta }).success, true);
  });
});
