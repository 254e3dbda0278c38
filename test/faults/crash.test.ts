// Crashes: a supervisor runs the standalone relay (dist/relay.js) under load from real clients and
// kills it with SIGKILL at random moments, restarting it each time. Afterwards every message that
// was acked is stored exactly once at the seq its ack named, every message sent is stored once
// (the unacked ones were resent), and the database passes PRAGMA integrity_check.
// Count: PARLEY_CRASH_KILLS (default 200).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { makeClient, onCleanup, tempDir, waitFor, type TestClient } from '../helpers';

const KILLS = Number(process.env.PARLEY_CRASH_KILLS ?? 200);
const BIN = join(__dirname, '..', '..', '..', 'dist', 'relay.js');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe(`crash recovery: ${KILLS} SIGKILLs of a relay under load`, function () {
  this.timeout(30 * 60_000);
  it('keeps every acked message exactly once and an intact database', async () => {
    const data = tempDir();
    const port = await freePort();
    let proc: ChildProcess | undefined;
    onCleanup(() => proc?.kill('SIGKILL'));
    const start = async (): Promise<void> => {
      const p = spawn(process.execPath, [BIN, '--port', String(port), '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.stderr!.on('data', (d) => (out += d));
      await waitFor(() => /listening on/.test(out) || p.exitCode !== null, 'relay up', 15_000);
      if (!/listening on/.test(out)) throw new Error(`the relay did not come back:\n${out}`);
    };
    await start();

    const url = `ws://127.0.0.1:${port}`;
    const mates: { c: TestClient; sent: string[]; acked: Map<string, number> }[] = ['ann', 'ben', 'cat'].map((name) => ({
      c: makeClient(url, name, { backoff: { baseMs: 10, maxMs: 100 } }),
      sent: [],
      acked: new Map(),
    }));
    for (const m of mates) {
      m.c.client.on('outbox', (u) => u.state === 'sent' && u.seq !== undefined && m.acked.set(u.id, u.seq));
      m.c.client.start();
    }
    await waitFor(() => mates.every((m) => m.c.client.state === 'connected' && m.c.client.conversations().length > 0), 'clients connected', 10_000);
    const general = mates[0].c.client.conversations()[0].id;

    const senders = mates.map(
      (m, i) =>
        setInterval(() => {
          const e = m.c.client.send(general, { kind: 'text', text: `load ${i}:${m.sent.length}` });
          m.sent.push(e.id);
        }, 30), // about 33 messages/s per client: under the relay's default rate limit, so the outbox keeps up
    );

    // Kill at random moments (while messages are mid-commit), restart at once.
    const t0 = Date.now();
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 170));
      const p = proc!;
      p.kill('SIGKILL');
      await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(undefined) : p.once('exit', r)));
      await start();
    }
    for (const s of senders) clearInterval(s);
    const seconds = (Date.now() - t0) / 1000;

    await waitFor(() => mates.every((m) => m.c.client.outbox().length === 0), 'outboxes drained after the last restart', 120_000).catch((err: Error) => {
      throw new Error(
        `${err.message}: ${mates.map((m, i) => `${['ann', 'ben', 'cat'][i]} ${m.c.client.state}, ${m.c.client.outbox().length} queued`).join('; ')}`,
      );
    });
    for (const m of mates) m.c.close();
    const last = proc!;
    last.kill('SIGTERM');
    await new Promise((r) => (last.exitCode !== null ? r(undefined) : last.once('exit', r)));

    const store = new SqliteStore(join(data, 'relay.sqlite'));
    try {
      assert.equal(store.integrityCheck(), 'ok');
      const all = store.after(general, 0, 10_000_000);
      assert.deepEqual(
        all.map((m) => m.seq),
        all.map((_, i) => i + 1),
        'gap-free seqs',
      );
      const bySeq = new Map(all.map((m) => [m.seq, m]));
      const count = new Map<string, number>();
      for (const m of all) count.set(m.id, (count.get(m.id) ?? 0) + 1);
      let acked = 0;
      let sent = 0;
      for (const m of mates) {
        for (const id of m.sent) {
          sent++;
          assert.equal(count.get(id), 1, `${id} stored exactly once`);
        }
        for (const [id, seq] of m.acked) {
          acked++;
          assert.equal(bySeq.get(seq)?.id, id, `acked ${id} is at seq ${seq}`);
        }
      }
      assert.equal(all.length, sent, 'nothing stored that was not sent');
      console.log(
        `      ${KILLS} SIGKILLs in ${seconds.toFixed(1)} s; ${sent} messages sent, ${acked} acks, all ${sent} stored exactly once; integrity_check ok`,
      );
    } finally {
      store.close();
    }
  });
});
