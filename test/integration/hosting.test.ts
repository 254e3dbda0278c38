import * as assert from 'node:assert/strict';
import { HostedRelay } from '../../src/relay/hostedRelay';
import { connect, general, onCleanup, tempDir, texts, waitFor } from '../helpers';

describe('hosting lifecycle (the relay a VS Code window or parley-relay hosts)', function () {
  this.timeout(20_000);
  it('reports a busy port as EADDRINUSE with nothing left open, and starts on the next port with the same data', async () => {
    const dir = tempDir();
    const first = await HostedRelay.start({ dataDir: tempDir(), host: '127.0.0.1', port: 0 });
    onCleanup(() => first.stop());
    await assert.rejects(HostedRelay.start({ dataDir: dir, host: '127.0.0.1', port: first.port }), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');
    // The failed attempt released the data folder's lock: the same folder opens on another port.
    const second = await HostedRelay.start({ dataDir: dir, host: '127.0.0.1', port: 0 });
    onCleanup(() => second.stop());
    assert.notEqual(second.port, first.port);
  });

  it('stops cleanly telling clients, which queue what is typed meanwhile and deliver it when the host is back (data kept)', async () => {
    const dir = tempDir();
    let h = await HostedRelay.start({ dataDir: dir, host: '127.0.0.1', port: 0 });
    onCleanup(() => h.stop());
    const url = h.url('127.0.0.1');
    const alice = await connect(url, 'alice');
    const bob = await connect(url, 'bob');
    alice.client.send(general(alice), { kind: 'text', text: 'before' });
    await waitFor(() => texts(bob, general(bob)).includes('before'), 'bob got the first message');
    const details: string[] = [];
    alice.client.on('state', (s, d) => details.push(`${s}:${d ?? ''}`));
    const port = h.port;
    await h.stop();
    await waitFor(() => alice.client.state === 'reconnecting' && bob.client.state === 'reconnecting', 'both noticed the host went away');
    alice.client.send(general(alice), { kind: 'text', text: 'while the host was away' });
    assert.equal(alice.client.outbox()[0]?.state, 'queued');
    h = await HostedRelay.start({ dataDir: dir, host: '127.0.0.1', port });
    await waitFor(() => texts(bob, general(bob)).includes('while the host was away'), 'delivered after the host came back', 10_000);
    assert.deepEqual(texts(bob, general(bob)), ['before', 'while the host was away']);
    assert.ok(
      details.some((d) => d.startsWith('reconnecting')),
      details.join(', '),
    );
  });

  it('gives the address it is bound to in URLs and invites', async () => {
    const local = await HostedRelay.start({ dataDir: tempDir(), host: '127.0.0.1', port: 0 });
    onCleanup(() => local.stop());
    assert.deepEqual(local.addresses(), ['127.0.0.1']);
    assert.equal(local.shared, false);
    const other = await HostedRelay.start({ dataDir: tempDir(), host: '127.0.0.2', port: 0, secret: 'a team secret' });
    onCleanup(() => other.stop());
    assert.deepEqual(other.addresses(), ['127.0.0.2']);
    assert.deepEqual(other.invites('T'), [{ relayUrl: `ws://127.0.0.2:${other.port}`, secret: 'a team secret', team: 'T' }]);
    const bob = await connect(other.url('127.0.0.2'), 'bob', { secret: 'a team secret' });
    assert.equal(bob.client.state, 'connected');
  });
});
