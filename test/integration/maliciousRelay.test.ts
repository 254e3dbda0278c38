import * as assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { MAX_RELAY_FRAME_BYTES } from '../../src/protocol/constants';
import { cleanup, makeClient, onCleanup, waitFor } from '../helpers';

describe('a malicious relay', () => {
  afterEach(cleanup);

  it('cannot make the client take a frame over MAX_RELAY_FRAME_BYTES: the client closes with 1009 before parsing it', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
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
});
