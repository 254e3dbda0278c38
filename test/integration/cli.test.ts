import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeFingerprint } from '../../src/infra/fingerprint';
import { parseInvite } from '../../src/infra/invite';
import { connect, general, onCleanup, tempDir, texts, waitFor } from '../helpers';

const BIN = join(__dirname, '..', '..', '..', 'dist', 'relay.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): { proc: ChildProcessWithoutNullStreams; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  onCleanup(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
  return { proc, out: () => out, exited };
}

describe('standalone relay (npx parley-relay)', () => {
  before(function () {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run the build (npm test builds it)`);
  });

  it('prints help', async () => {
    const r = run(['--help']);
    assert.equal(await r.exited, 0);
    assert.match(r.out(), /--port <n>/);
    assert.match(r.out(), /--secret/);
  });

  it('says where it listens and where data lives, serves clients, and shuts down gracefully keeping history', async () => {
    const data = tempDir();
    const r = run(['--port', '0', '--data', data]);
    const line = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+) — data in (.+relay\.sqlite)/.exec(r.out()), 'listen line');
    assert.equal(line[2], join(data, 'relay.sqlite'));
    const url = `ws://127.0.0.1:${line[1]}`;
    const alice = await connect(url, 'alice');
    alice.client.send(general(alice), { kind: 'text', text: 'kept' });
    await waitFor(() => alice.client.outbox().length === 0, 'acked');
    r.proc.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    assert.match(r.out(), /SIGTERM: stopping/);
    assert.match(r.out(), /stopped; history is saved/);
    alice.close();

    const again = run(['--port', '0', '--data', data]);
    const line2 = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(again.out()), 'listen line');
    const bob = await connect(`ws://127.0.0.1:${line2[1]}`, 'bob');
    await bob.client.history(general(bob));
    assert.deepEqual(texts(bob, general(bob)), ['kept']);
    again.proc.kill('SIGINT');
    assert.equal(await again.exited, 0);
  });

  it('takes a file size cap (--max-file-mb), tells clients, and refuses a bad one', async () => {
    const r = run(['--port', '0', '--data', tempDir(), '--max-file-mb', '0.5']);
    const line = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(r.out()), 'listen line');
    const alice = await connect(`ws://127.0.0.1:${line[1]}`, 'alice');
    assert.equal(alice.client.limits.maxFileBytes, 524_288);
    assert.throws(() => alice.client.sendFile(general(alice), 'big.bin', Buffer.alloc(600_000)), /accepts files up to 524288 bytes/);
    for (const bad of ['0', '-3', 'lots', '5000']) {
      const b = run(['--port', '0', '--data', tempDir(), `--max-file-mb=${bad}`]);
      assert.equal(await b.exited, 2, bad);
      assert.match(b.out(), /--max-file-mb must be a number above 0 and at most 1024/);
    }
  });

  it('refuses to listen beyond loopback without a team secret', async () => {
    const r = run(['--host', '0.0.0.0', '--port', '0', '--data', tempDir()]);
    assert.equal(await r.exited, 2);
    assert.match(r.out(), /give a team secret/);
  });

  it('explains a busy port instead of a stack trace', async () => {
    const data = tempDir();
    const first = run(['--port', '0', '--data', data]);
    const line = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(first.out()), 'listen line');
    const second = run(['--port', line[1], '--data', tempDir()]);
    assert.equal(await second.exited, 1);
    assert.match(second.out(), new RegExp(`port ${line[1]} on 127.0.0.1 is already in use`));
    first.proc.kill('SIGTERM');
    await first.exited;
  });

  it('rejects bad options with a clear message', async () => {
    const r = run(['--port', 'seventy']);
    assert.equal(await r.exited, 2);
    assert.match(r.out(), /--port must be a whole number/);
    const u = run(['--colour']);
    assert.equal(await u.exited, 2);
    assert.match(u.out(), /Unknown option '--colour'/);
  });

  it('--owner NAME makes that member the owner (not the first to join), and refuses what is no name', async () => {
    const bad = run(['--owner', 'not a name!']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.out(), /--owner must be a member's name/);
    const r = run(['--port', '0', '--data', tempDir(), '--owner', 'carol']);
    const line = await waitFor(() => /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(r.out()), 'listen line');
    const url = `ws://127.0.0.1:${line[1]}`;
    const alice = await connect(url, 'alice');
    const carol = await connect(url, 'Carol');
    assert.equal(carol.client.roleOf(carol.client.self!.id), 'owner');
    assert.equal(alice.client.roleOf(alice.client.self!.id), 'member');
    await waitFor(() => /Carol \(u\w+\) owns the team/.test(r.out()), 'the log says who owns it');
  });

  it('serves wss:// with a kept certificate, prints its fingerprint and an invite that joins', async () => {
    const data = tempDir();
    const r = run(['--port', '0', '--data', data, '--tls', '--secret', 'cli team secret', '--team', 'Core team', '--invite']);
    const line = await waitFor(() => /listening on wss:\/\/127\.0\.0\.1:(\d+)/.exec(r.out()), 'listen line');
    const fp = await waitFor(() => /certificate SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(r.out()), 'fingerprint line');
    const inviteLine = await waitFor(() => /invite: (vscode:\/\/parley\.parley\/join\?\S+)/.exec(r.out()), 'invite line');
    const inv = parseInvite(inviteLine[1]);
    assert.ok(inv.ok, JSON.stringify(inv));
    assert.deepEqual(inv.invite, {
      relayUrl: `wss://127.0.0.1:${line[1]}`,
      secret: 'cli team secret',
      fingerprint: normalizeFingerprint(fp[1]),
      team: 'Core team',
    });
    const alice = await connect(inv.invite.relayUrl, 'alice', { secret: inv.invite.secret, fingerprint: inv.invite.fingerprint });
    assert.equal(alice.client.state, 'connected');
    alice.close();
    r.proc.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    // Same certificate after a restart: invites stay valid.
    const again = run(['--port', '0', '--data', data, '--tls']);
    const fp2 = await waitFor(() => /certificate SHA-256 fingerprint: ([0-9A-F:]{95})/.exec(again.out()), 'fingerprint line');
    assert.equal(fp2[1], fp[1]);
    again.proc.kill('SIGTERM');
    await again.exited;
  });

  it('refuses TLS and discovery options that do not fit together', async () => {
    const a = run(['--cert', '/nonexistent.pem']);
    assert.equal(await a.exited, 2);
    assert.match(a.out(), /--cert and --key go together/);
    const b = run(['--mdns-interface', 'lo']);
    assert.equal(await b.exited, 2);
    assert.match(b.out(), /--mdns-interface needs --mdns/);
    const c = run(['--mdns', '--mdns-interface', 'no-such-if0', '--port', '0', '--data', tempDir()]);
    assert.equal(await c.exited, 2);
    assert.match(c.out(), /no network interface "no-such-if0"/);
    const d = run(['--cert', '/nonexistent.pem', '--key', '/nonexistent.key', '--port', '0', '--data', tempDir()]);
    assert.equal(await d.exited, 1);
    assert.match(d.out(), /cannot read the certificate or key/);
  });
});
