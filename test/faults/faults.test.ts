// Fault injection: clients send continuously through a proxy that resets, blackholes and delays
// their connections, while the relay is restarted now and then. Afterwards every message that was
// sent must be stored exactly once, delivered to every member exactly once in seq order, and each
// client's cache must equal the relay's history. Counts: PARLEY_FAULT_DROPS (default 1000).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Message } from '../../src/protocol/wire';
import { Relay } from '../../src/relay/relay';
import { SqliteStore } from '../../src/relay/sqliteStore';
import { makeClient, onCleanup, tempDir, waitFor, type TestClient } from '../helpers';
import { FaultProxy } from './faultProxy';

const DROPS = Number(process.env.PARLEY_FAULT_DROPS ?? 1000);
const RESTART_EVERY = Math.max(50, Math.floor(DROPS / 8));

interface Mate {
  name: string;
  c: TestClient;
  sent: { conv: string; id: string }[];
  delivered: Map<string, number>; // "conv:seq" -> times emitted
  resets: number;
  badResets: string[];
}

describe(`fault injection: ${DROPS} induced connection drops`, function () {
  this.timeout(20 * 60_000);
  it('loses nothing, duplicates nothing, and every cache equals the relay history', async () => {
    const file = join(tempDir(), 'relay.sqlite');
    const limits = { ratePerSecond: 2000, rateBurst: 4000 };
    let store = new SqliteStore(file);
    let relay = new Relay({ store, host: '127.0.0.1', port: 0, heartbeatMs: 500, limits });
    const port = (await relay.listen()).port;
    onCleanup(async () => {
      await relay.close();
      store.close();
    });
    const proxy = new FaultProxy(port);
    const url = `ws://127.0.0.1:${await proxy.listen()}`;
    // Clients sign in for the proxy's address: the relay is told it is one of its own.
    relay.addressCheck.addPublicUrl(url);
    onCleanup(() => proxy.close());

    const logs: string[] = [];
    const mates: Mate[] = ['alice', 'bob', 'carol', 'dave'].map((name) => ({
      name,
      c: makeClient(url, name, { heartbeatMs: 400, backoff: { baseMs: 10, maxMs: 150 }, log: (l) => logs.push(`${Date.now() % 100000} ${name}: ${l}`) }),
      sent: [],
      delivered: new Map(),
      resets: 0,
      badResets: [],
    }));
    for (const m of mates) {
      m.c.client.on('message', (msg: Message) => {
        const k = `${msg.conv}:${msg.seq}`;
        m.delivered.set(k, (m.delivered.get(k) ?? 0) + 1);
      });
      m.c.client.on('reset', (_conv, reason) => {
        m.resets++;
        if (reason !== 'too_far') m.badResets.push(reason);
      });
      m.c.client.start();
    }
    await waitFor(() => mates.every((m) => m.c.client.state === 'connected' && m.c.client.conversations().length > 0), 'all connected', 10_000);
    const general = mates[0].c.client.conversations().find((c) => c.name === 'general')!.id;
    const id = (name: string) => mates.find((m) => m.name === name)!.c.client.self!.id;
    const dmAB = (await retryOnConnectionLoss(() => mates[0].c.client.openDm(id('bob')))).id;
    const dmCD = (await retryOnConnectionLoss(() => mates[2].c.client.openDm(id('dave')))).id;
    const targets: Record<string, string[]> = { alice: [general, dmAB], bob: [general, dmAB], carol: [general, dmCD], dave: [general, dmCD] };

    // Everyone keeps typing.
    let n = 0;
    const senders = mates.map((m) =>
      setInterval(() => {
        const convs = targets[m.name];
        const conv = convs[Math.floor(Math.random() * convs.length)];
        const entry = m.c.client.send(conv, { kind: 'text', text: `${m.name} #${n++}` });
        m.sent.push({ conv, id: entry.id });
      }, 12),
    );

    // Faults until enough connections were dropped; a relay restart now and then.
    let drops = 0;
    let restarts = 0;
    let nextRestart = RESTART_EVERY;
    const started = Date.now();
    while (drops < DROPS) {
      await new Promise((r) => setTimeout(r, 8 + Math.random() * 12));
      const dice = Math.random();
      if (drops >= nextRestart) {
        nextRestart += RESTART_EVERY;
        drops += proxy.live;
        restarts++;
        await relay.close('restart');
        store.close();
        store = new SqliteStore(file);
        relay = new Relay({ store, host: '127.0.0.1', port, heartbeatMs: 500, limits, publicUrls: [url] });
        await relay.listen();
      } else if (dice < 0.5) {
        if (proxy.reset()) drops++;
      } else if (dice < 0.8) {
        if (proxy.blackhole()) drops++;
      } else {
        proxy.delay(20 + Math.random() * 200);
      }
    }
    for (const s of senders) clearInterval(s);
    const faultSeconds = (Date.now() - started) / 1000;

    // Quiesce: every outbox drains, every client catches up with the relay's heads.
    await waitFor(() => mates.every((m) => m.c.client.outbox().length === 0), 'outboxes drained', 60_000).catch((err) => {
      for (const m of mates) {
        const ob = m.c.client.outbox();
        console.log(
          `${m.name}: ${m.c.client.state}, outbox ${ob.length} (${ob
            .filter((e) => e.state === 'failed')
            .map((e) => e.error)
            .slice(0, 3)
            .join('; ')})`,
        );
      }
      console.log(logs.slice(-40).join('\n'));
      throw err;
    });
    const heads = () => new Map(store.conversations().map((c) => [c.id, c.head]));
    await waitFor(
      () => mates.every((m) => m.c.client.state === 'connected' && m.c.client.conversations().every((c) => m.c.client.cursor(c.id) === heads().get(c.id))),
      'caches caught up',
      120_000,
    );

    // The relay: gap-free seqs, every sent message stored exactly once.
    const history = new Map<string, Message[]>();
    for (const conv of [general, dmAB, dmCD]) {
      const all = store.after(conv, 0, 1_000_000);
      assert.deepEqual(
        all.map((m) => m.seq),
        all.map((_, i) => i + 1),
        `${conv}: gap-free seqs`,
      );
      history.set(conv, all);
    }
    const stored = new Map<string, number>();
    for (const list of history.values()) for (const m of list) stored.set(`${m.author}:${m.id}`, (stored.get(`${m.author}:${m.id}`) ?? 0) + 1);
    let sentTotal = 0;
    for (const m of mates) {
      const me = m.c.client.self!.id;
      for (const s of m.sent) {
        sentTotal++;
        assert.equal(stored.get(`${me}:${s.id}`), 1, `${m.name}'s ${s.id} stored exactly once`);
      }
    }
    assert.equal(
      [...stored.values()].reduce((a, b) => a + b, 0),
      sentTotal,
      'nothing stored that was not sent',
    );

    // A client that fell more than `replayLimit` behind got an explicit `too_far` reset and the
    // newest page; scrolling back (history paging) must fill in the rest, identical to the relay.
    let paged = 0;
    for (const m of mates) {
      for (const conv of targets[m.name]) {
        while ((m.c.store.lowestSeq(conv) ?? 1) > 1) {
          // The last fault may have blackholed a socket that still looks connected; a page
          // request on it fails with "connection lost" once the heartbeat notices, and the
          // client reconnects. A reader scrolls again; so does this loop.
          await retryOnConnectionLoss(() => m.c.client.history(conv));
          paged++;
        }
      }
    }
    // Every member: each message delivered exactly once, and the cache equals the history.
    for (const m of mates) {
      for (const conv of targets[m.name]) {
        const h = history.get(conv)!;
        const cached = m.c.client.messages(conv, { limit: 1_000_000 });
        assert.deepEqual(
          cached.map((x) => `${x.seq}:${x.id}`),
          h.map((x) => `${x.seq}:${x.id}`),
          `${m.name}'s cache of ${conv}`,
        );
        // Live and replayed messages reach the app once each; what a reset skipped arrives by paging.
        for (const x of h) assert.ok((m.delivered.get(`${conv}:${x.seq}`) ?? 0) <= 1, `${m.name} got ${conv}:${x.seq} at most once`);
      }
      if (m.resets === 0)
        for (const conv of targets[m.name])
          for (const x of history.get(conv)!) assert.equal(m.delivered.get(`${conv}:${x.seq}`), 1, `${m.name} got ${conv}:${x.seq} once`);
    }
    const resets = mates.reduce((n, m) => n + m.resets, 0);
    for (const m of mates) assert.deepEqual(m.badResets, [], `${m.name}: only too_far resets (the store is never replaced or pruned here)`);
    const c = proxy.counts;
    console.log(
      `      ${drops} drops (${c.resets} resets, ${c.blackholes} blackholes, ${restarts} relay restarts) + ${c.delays} delays over ${c.connections} connections in ${faultSeconds.toFixed(1)} s; ` +
        `${sentTotal} messages sent, ${sentTotal} stored once, 0 lost, 0 duplicated; ${resets} too_far resets (${paged} history pages to fill in); 4 caches equal the relay's history`,
    );
  });
});

/** Runs a request again after the client lost its connection in the middle of it (never for other errors). */
async function retryOnConnectionLoss<T>(request: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await request();
    } catch (err) {
      if (i >= attempts || !/connection lost|not connected/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
