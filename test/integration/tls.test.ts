import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import type { CertificateProblem } from '../../src/infra/tlsPin';
import { HostedRelay } from '../../src/relay/hostedRelay';
import { loadOrCreateCertificate } from '../../src/relay/tlsCert';
import { connect, general, makeClient, onCleanup, tempDir, texts, waitFor } from '../helpers';

const SECRET = 'team-secret-for-tls';

async function host(dataDir: string, port = 0): Promise<HostedRelay> {
  const h = await HostedRelay.start({ dataDir, host: '127.0.0.1', port, secret: SECRET, tls: true });
  onCleanup(() => h.stop());
  return h;
}

describe('TLS hosting with a pinned certificate', function () {
  this.timeout(20_000);
  it('makes a certificate once, keeps it (key owner-only) and serves wss:// to a client that pins it', async () => {
    const dir = tempDir();
    const h = await host(dir);
    assert.match(h.fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.equal(statSync(join(dir, 'relay-key.pem')).mode & 0o777, 0o600);
    const url = h.url('127.0.0.1');
    assert.match(url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const alice = await connect(url, 'alice', { secret: SECRET, fingerprint: h.fingerprint });
    alice.client.send(general(alice), { kind: 'text', text: 'over tls' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked over wss');

    // Restart on the same port with the same data folder: same fingerprint, history kept.
    const port = h.port;
    await h.stop();
    await waitFor(() => alice.client.state === 'reconnecting', 'client noticed the stop');
    const again = await host(dir, port);
    assert.equal(again.fingerprint, h.fingerprint);
    assert.equal((await loadOrCreateCertificate(dir)).fingerprint, h.fingerprint);
    await waitFor(() => alice.client.state === 'connected', 'client back on the restarted relay');
    const bob = await connect(url, 'bob', { secret: SECRET, fingerprint: `sha256/${h.fingerprint!.toUpperCase()}` });
    await bob.client.history(general(bob));
    assert.deepEqual(texts(bob, general(bob)), ['over tls']);
  });

  it('refuses a changed certificate before the team secret leaves the machine, and says what happened', async () => {
    // The real relay made its certificate; an impostor on the same address has another one.
    const real = await loadOrCreateCertificate(tempDir());
    const fake = await loadOrCreateCertificate(tempDir());
    assert.notEqual(real.fingerprint, fake.fingerprint);
    let received = Buffer.alloc(0);
    const impostor = createTlsServer({ key: fake.key, cert: fake.cert }, (s) => {
      s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => impostor.close(() => r())));
    const port = (impostor.address() as { port: number }).port;

    const c = makeClient(`wss://127.0.0.1:${port}`, 'alice', { secret: SECRET, fingerprint: real.fingerprint });
    const problems: CertificateProblem[] = [];
    c.client.on('certificate', (p) => problems.push(p));
    let detail = '';
    c.client.on('state', (s, d) => s === 'failed' && (detail = d ?? ''));
    c.client.send('r_known_from_cache', { kind: 'text', text: 'queued' });
    c.client.start();
    await waitFor(() => c.client.state === 'failed', 'refused');
    assert.deepEqual(problems, [{ kind: 'changed', fingerprint: fake.fingerprint, expected: real.fingerprint }]);
    assert.match(detail, /certificate changed: expected .* got .*nothing was sent/);
    assert.equal(received.length, 0, 'not a byte of the upgrade request (and its secret) reached the impostor');
    assert.equal(c.client.outbox().length, 1, 'what was typed stays queued');
  });

  it('refuses a certificate swapped between the check and the request, still before anything is sent', async () => {
    const real = await loadOrCreateCertificate(tempDir());
    const fake = await loadOrCreateCertificate(tempDir());
    let received = 0;
    let handshakes = 0;
    let connections = 0;
    const server = createTlsServer({ key: real.key, cert: real.cert }, (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
      s.on('error', () => undefined);
    });
    // After the first handshake (the client's check), the server switches to another certificate.
    server.on('secureConnection', () => {
      if (++handshakes === 1) server.setSecureContext({ key: fake.key, cert: fake.cert });
    });
    // TCP connections, not handshakes: a handshake the client refuses (it never sends its
    // Finished) may or may not complete on the server's side.
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const c = makeClient(`wss://127.0.0.1:${port}`, 'alice', { secret: SECRET, fingerprint: real.fingerprint });
    const problems: CertificateProblem[] = [];
    c.client.on('certificate', (p) => problems.push(p));
    let detail = '';
    c.client.on('state', (s, d) => (detail = `${s}: ${d ?? ''}`));
    c.client.start();
    // The request's handshake fails verification (its certificate is not the one checked), the
    // client retries, and the next check sees the new certificate: refused as changed.
    await waitFor(() => c.client.state === 'failed', 'refused', 10_000);
    assert.deepEqual(problems, [{ kind: 'changed', fingerprint: fake.fingerprint, expected: real.fingerprint }]);
    assert.ok(connections >= 2, `the request made its own connection (${connections})`);
    assert.equal(received, 0, 'not a byte of the request (and its secret) reached the server');
    assert.match(detail, /^failed: the relay's certificate changed/);
  });

  it('asks to trust a certificate it has not seen (no pin), and accepts it once pinned', async () => {
    const h = await host(tempDir());
    const c = makeClient(h.url('127.0.0.1'), 'alice', { secret: SECRET });
    const problems: CertificateProblem[] = [];
    c.client.on('certificate', (p) => problems.push(p));
    c.client.start();
    await waitFor(() => c.client.state === 'failed', 'refused');
    assert.deepEqual(problems, [{ kind: 'unknown', fingerprint: h.fingerprint }]);
    c.close();
    // Trust on first use: the user compared the fingerprint and pinned it.
    const trusted = await connect(h.url('127.0.0.1'), 'alice', { secret: SECRET, fingerprint: problems[0].fingerprint });
    assert.equal(trusted.client.state, 'connected');
  });

  it('keeps plain ws:// for loopback hosting and makes invites that carry secret and fingerprint', async () => {
    const plain = await HostedRelay.start({ dataDir: tempDir(), host: '127.0.0.1', port: 0 });
    onCleanup(() => plain.stop());
    assert.equal(plain.secure, false);
    assert.deepEqual(plain.invites('Core'), [{ relayUrl: `ws://127.0.0.1:${plain.port}`, team: 'Core' }]);
    const h = await host(tempDir());
    const [inv] = h.invites('Core');
    assert.deepEqual(inv, { relayUrl: `wss://127.0.0.1:${h.port}`, secret: SECRET, fingerprint: h.fingerprint, team: 'Core' });
  });
});
