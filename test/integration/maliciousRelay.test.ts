import * as assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { newIdentitySecret } from '../../src/infra/identity';
import { MAX_RELAY_FRAME_BYTES } from '../../src/protocol/constants';
import { makeClient, onCleanup, RawClient, startRelay, waitFor } from '../helpers';

/** A relay that speaks protocol 2's opening (header, challenge) and then lies. */
function lyingRelay(): WebSocketServer {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('headers', (h) => h.push('x-parley-protocol: 2'));
  wss.on('connection', (ws) => ws.send(JSON.stringify([{ t: 'challenge', v: 2, nonce: 'N'.repeat(43) }])));
  return wss;
}

describe('a malicious relay', () => {
  it('cannot make the client take a frame over MAX_RELAY_FRAME_BYTES: the client closes with 1009 before parsing it', async () => {
    const wss = lyingRelay();
    onCleanup(() => new Promise((r) => wss.close(r)));
    await new Promise((r) => wss.once('listening', r));
    const closes: number[] = [];
    wss.on('connection', (ws) => {
      ws.on('close', (code) => closes.push(code));
      ws.once('message', () => ws.send('[' + JSON.stringify({ t: 'junk', pad: 'x'.repeat(MAX_RELAY_FRAME_BYTES) }) + ']'));
    });
    const port = (wss.address() as { port: number }).port;
    const c = makeClient(`ws://127.0.0.1:${port}`, 'victim');
    c.client.start();
    await waitFor(() => closes.length > 0, 'the client closed the connection');
    assert.equal(closes[0], 1009);
    assert.notEqual(c.client.state, 'connected');
  });

  it('cannot push read or seen markers past the head (which would hide every later message as read)', async () => {
    // A real welcome, from a real relay, then altered by a relay that lies.
    const real = await startRelay();
    const key = newIdentitySecret();
    const peek = await RawClient.hello(real.url, 'victim', key);
    const welcome = structuredClone(peek.welcome()) as unknown as {
      conversations: { id: string; head: number; read: number; seen?: Record<string, number> }[];
      you: { id: string };
      members: { id: string }[];
    };
    const conv = welcome.conversations[0];
    conv.head = 3;
    conv.read = 1e15;
    conv.seen = { uSomeoneElse: 1e15 };
    const wss = lyingRelay();
    onCleanup(() => new Promise((r) => wss.close(r)));
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => {
      ws.on('message', (d) => {
        const f = JSON.parse(String(d)) as { t: string; rid?: string };
        if (f.t === 'hello') ws.send(JSON.stringify([welcome]));
        if (f.t === 'sync')
          ws.send(
            JSON.stringify([
              { t: 'synced', rid: f.rid },
              { t: 'read', conv: conv.id, seq: 1e15 },
              { t: 'seen', conv: conv.id, user: 'uOther', seq: 1e15 },
            ]),
          );
      });
    });
    const c = makeClient(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, 'victim', { key });
    c.client.start();
    await waitFor(() => c.client.conversation(conv.id)?.seen?.uOther !== undefined, 'the seen event applied');
    const view = c.client.conversation(conv.id)!;
    assert.equal(view.read, 3);
    assert.deepEqual(view.seen, { uSomeoneElse: 3, uOther: 3 });
  });
});
