// Resume: a member was away while 100,000 messages were posted to #general; how long until a
// reconnecting client has all of them? Measured two ways in one run:
// - on the wire: a raw WebSocket client sends `sync` with its old cursor and counts `msg` events
//   until `synced` (the relay's replay: reading SQLite, serializing, pacing by the socket);
// - in the client: ParleyClient, which also validates every event and writes it to its SQLite cache.
// The relay's `replayLimit` is raised to cover the gap (the default, 2,000, answers a larger gap
// with a `too_far` reset and the newest page; scroll-back then pages 200 at a time), and the
// default is measured too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ClientStore } from '../src/client/clientStore';
import { ParleyClient } from '../src/client/client';
import { newIdentitySecret } from '../src/infra/identity';
import { Relay } from '../src/relay/relay';
import { SqliteStore } from '../src/relay/sqliteStore';
import type { AppendItem } from '../src/relay/store';
import { signInOnChallenge } from './signIn';

const MISSED = Number(process.env.BENCH_REPLAY ?? 100_000);

export interface ReplayResult {
  missed: number;
  wireMs: number;
  wireMsgs: number;
  clientMs: number;
  clientMsgs: number;
  defaultLimitMs: number;
  defaultLimitOutcome: string;
}

async function rawSync(url: string, name: string, key: string, cursor: (head: number) => number): Promise<{ ms: number; msgs: number; reset: string }> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    let t0 = 0;
    let msgs = 0;
    let reset = '';
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`relay closed the connection (${code}) before synced`)));
    signInOnChallenge(ws, url, name, key, reject);
    ws.on('message', (data) => {
      for (const e of JSON.parse(data.toString()) as { t: string; conversations?: { id: string; name?: string; head: number }[]; reason?: string }[]) {
        if (e.t === 'welcome') {
          const g = e.conversations!.find((c) => c.name === 'general')!;
          t0 = performance.now();
          ws.send(JSON.stringify({ t: 'sync', rid: 's', cursors: { [g.id]: cursor(g.head) } }));
        } else if (e.t === 'msg') msgs++;
        else if (e.t === 'reset') reset = e.reason ?? '?';
        else if (e.t === 'synced') {
          const ms = performance.now() - t0;
          ws.close();
          resolve({ ms, msgs, reset });
        }
      }
    });
  });
}

function synced(c: ParleyClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const off = c.on('synced', () => {
      off();
      resolve();
    });
    c.start();
  });
}

export async function measureReplay(): Promise<ReplayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-replay-'));
  try {
    const file = join(dir, 'relay.sqlite');
    const store = new SqliteStore(file);
    let relay = new Relay({ store, host: '127.0.0.1', port: 0, limits: { replayLimit: MISSED + 10 } });
    let port = (await relay.listen()).port;
    const url = () => `ws://127.0.0.1:${port}`;
    // The member joins once (so it is in #general) and leaves.
    const key = newIdentitySecret();
    await rawSync(url(), 'away', key, (h) => h);
    // The real client joins once too and stops: its cache holds #general at the current head.
    const cache = new ClientStore(join(dir, 'client-cache.sqlite'));
    const clientKey = newIdentitySecret();
    const options = { url: url(), name: 'away2', key: clientKey, store: cache, clientName: 'parley-bench' };
    const first = new ParleyClient(options);
    await synced(first);
    first.stop();
    // 100k messages by someone else, in batches of 1000 (as group commit would write them).
    const authorKey = newIdentitySecret();
    await rawSync(url(), 'poster', authorKey, (h) => h);
    const poster = store.users().find((u) => u.name === 'poster')!.id;
    const general = store.conversations().find((c) => c.name === 'general')!.id;
    const body = 'x'.repeat(180);
    for (let n = 0; n < MISSED;) {
      const items: AppendItem[] = [];
      for (let i = 0; i < 1000 && n < MISSED; i++, n++)
        items.push({ conv: general, author: poster, id: `rp${String(n).padStart(9, '0')}`, ts: Date.now(), body: { kind: 'text', text: `${n} ${body}` } });
      store.appendBatch(items);
    }
    // Restart so the relay starts from what is on disk (as after the away member comes back).
    await relay.close();
    relay = new Relay({ store, host: '127.0.0.1', port, limits: { replayLimit: MISSED + 10 } });
    port = (await relay.listen()).port;

    const wire = await rawSync(url(), 'away', key, (h) => h - MISSED);

    const again = new ParleyClient({ ...options, url: url() });
    let clientMsgs = 0;
    again.on('message', () => clientMsgs++);
    const t0 = performance.now();
    await synced(again);
    const clientMs = performance.now() - t0;
    again.stop();
    cache.close();

    // The default limit: a gap this large is answered with a reset and the newest page.
    await relay.close();
    relay = new Relay({ store, host: '127.0.0.1', port });
    port = (await relay.listen()).port;
    const dflt = await rawSync(url(), 'away', key, (h) => h - MISSED);
    await relay.close();
    store.close();
    return {
      missed: MISSED,
      wireMs: wire.ms,
      wireMsgs: wire.msgs,
      clientMs,
      clientMsgs,
      defaultLimitMs: dflt.ms,
      defaultLimitOutcome: dflt.reset ? `reset (${dflt.reset}) + ${dflt.msgs} messages` : `${dflt.msgs} messages`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureReplay().then(
    (r) => console.log(r),
    (err: Error) => {
      console.error(err.stack);
      process.exit(1);
    },
  );
}
