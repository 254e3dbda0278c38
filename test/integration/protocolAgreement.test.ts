import * as assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { RawClient, startRelay } from '../helpers';

// Places where docs/PROTOCOL.md and the relay disagreed (issue 16, "The protocol's text and the
// relay agree"), each checked against a real relay on loopback with raw sockets.

/** The response headers of a WebSocket upgrade that asks for subprotocol `protocol`. */
function upgradeHeaders(port: number, protocol: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': protocol,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.headers);
    });
    req.on('response', (res) => reject(new Error(`HTTP ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('protocol agreement: the relay does what docs/PROTOCOL.md says', function () {
  this.timeout(20_000);

  it('a frame of unknown type before hello gets handshake_required and close 4002', async () => {
    const r = await startRelay();
    const raw = await RawClient.open(r.url);
    await raw.next('challenge');
    raw.send({ t: 'no.such.frame', rid: 'r1' });
    const err = await raw.next('error');
    assert.equal(err.code, 'handshake_required');
    assert.equal(await raw.closed(), 4002);
  });

  it("unknown_type after hello carries the frame's rid or id as ref, and the connection stays open", async () => {
    const r = await startRelay();
    const raw = await RawClient.hello(r.url, 'ada');
    raw.send({ t: 'no.such.request', rid: 'req-7' });
    const byRid = await raw.next('error', (e) => e.code === 'unknown_type');
    assert.equal(byRid.ref, 'req-7');
    raw.send({ t: 'no.such.message', id: 'msg-00000001' });
    const byId = await raw.next('error', (e) => e.code === 'unknown_type' && e.ref !== 'req-7');
    assert.equal(byId.ref, 'msg-00000001');
    raw.send({ t: 'room.list', rid: 'still-open' });
    await raw.next('rooms', (e) => e.rid === 'still-open');
    assert.equal(raw.closeCode, undefined);
  });

  for (const [what, name] of [
    ['empty', ''],
    ['256 characters', 'a'.repeat(256)],
  ] as const) {
    it(`an upload whose file name is ${what} gets bad_frame with its id as ref, and the connection stays open`, async () => {
      const r = await startRelay();
      const raw = await RawClient.hello(r.url, 'ada');
      const conv = raw.welcome().conversations[0].id;
      const id = 'upload-0000000001';
      raw.send({ t: 'upload', id, conv, name, size: 3, sha256: 'a'.repeat(64) });
      const err = await raw.next('error');
      assert.equal(err.code, 'bad_frame');
      assert.equal(err.ref, id);
      raw.send({ t: 'room.list', rid: 'after' });
      await raw.next('rooms', (e) => e.rid === 'after');
      assert.equal(raw.closeCode, undefined);
    });
  }

  it('a requested subprotocol is not echoed (the protocol has none)', async () => {
    const r = await startRelay();
    const headers = await upgradeHeaders(r.port, 'chat, parley');
    assert.equal(headers['sec-websocket-protocol'], undefined);
    assert.equal(headers['x-parley-protocol'], '2');
  });
});
