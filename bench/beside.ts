// The relay of this checkout beside the relay of an earlier commit, in one run: a restructuring
// (issue 16) must not make the relay slower, and only figures measured side by side on the same
// noisy machine can say so. Both relays are built here the same way (esbuild, from `git archive
// <commit>` and from this checkout's src/), run as processes pinned to core 0 on 127.0.0.1, and
// are measured in alternating order (ABBA…), so drift in the machine's speed falls on both.
//
//   npm run bench:beside -- <commit>        (BENCH_BESIDE_ROUNDS, default 3; BENCH_BESIDE_STORED
//                                            and BENCH_BESIDE_REPLAYS scale the wire figures)
//
// Figures: fan-out (the C load generator of bench/fanout: saturation of a room of 100, p99 at
// 100k deliveries/s), store and ack (one member sends 5,000 messages, 256 in flight: acks/s;
// the relay's first run apart as "cold", the median of three more as "warm"), replay (a member
// who missed 2,000 messages syncs: ms until `synced`, after three uncounted). Medians per side,
// and this checkout ÷ the commit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { newIdentitySecret } from '../src/infra/identity';
import { buildAtCommit, bundleTree, repoRoot } from '../test/buildAtCommit';
import { buildLoadgen, fmt, measurePeer, rampFrom } from './fanout';
import { startServer } from './fanout/servers';
import { signInOnChallenge } from './signIn';

const ROUNDS = Number(process.env.BENCH_BESIDE_ROUNDS ?? 3);
const STORED = Number(process.env.BENCH_BESIDE_STORED ?? 5000);
const IN_FLIGHT = 256;
const MISSED = 2000;
const REPLAYS = Number(process.env.BENCH_BESIDE_REPLAYS ?? 9);
/** Replays before the counted ones (the first few run code V8 has not optimized yet). */
const REPLAYS_UNCOUNTED = 3;
/** Store runs after the first (cold) one; their median is the figure. */
const WARM_STORES = 3;

// BENCH_BESIDE_PLAIN=1 keeps names readable in a CPU profile (BENCH_RELAY_NODE_ARGS=--cpu-prof).
const relayBuild = (dir: string) => ({ entry: 'src/relay/cli.ts', dir, outName: 'relay.js', minify: process.env.BENCH_BESIDE_PLAIN !== '1' });

type Event = { t: string; [k: string]: unknown };

/** A signed-in raw member: resolves with the socket and its `welcome` once the relay accepted it. */
function member(port: number, name: string, secret: string, onEvent: (e: Event) => void): Promise<{ ws: WebSocket; welcome: Event }> {
  const url = `ws://127.0.0.1:${port}`;
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    let welcomed = false;
    signInOnChallenge(ws, url, name, secret, reject);
    ws.on('error', reject);
    ws.on('close', (code) => (welcomed ? undefined : reject(new Error(`relay closed the connection (${code}) before welcome`))));
    ws.on('message', (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString()) as Event | Event[];
      for (const e of Array.isArray(parsed) ? parsed : [parsed]) {
        if (e.t === 'welcome' && !welcomed) {
          welcomed = true;
          resolve({ ws, welcome: e });
        } else if (e.t === 'error' && !welcomed) reject(new Error(`refused: ${JSON.stringify(e)}`));
        else onEvent(e);
      }
    });
  });
}

const general = (welcome: Event) => {
  const conv = (welcome.conversations as { id: string; name?: string; head: number }[]).find((c) => c.name === 'general');
  if (!conv) throw new Error('no #general in the welcome');
  return conv;
};

/** One member sends STORED messages, IN_FLIGHT at a time: acks per second. */
async function storeAndAck(port: number): Promise<{ conv: string; acksPerS: number }> {
  const text = 'x'.repeat(200);
  let acked = 0;
  let done: () => void = () => {};
  let sendMore: () => void = () => {};
  const sender = await member(port, `sender-${Math.random().toString(36).slice(2, 8)}`, newIdentitySecret(), (e) => {
    if (e.t === 'ack') {
      acked++;
      if (acked === STORED) done();
      else sendMore();
    } else if (e.t === 'error') throw new Error(`send refused: ${JSON.stringify(e)}`);
  });
  const conv = general(sender.welcome).id;
  let sent = 0;
  sendMore = () => {
    while (sent < STORED && sent - acked < IN_FLIGHT)
      sender.ws.send(JSON.stringify({ t: 'send', id: `bench-msg-${sent++}`, conv, body: { kind: 'text', text } }));
  };
  const all = new Promise<void>((r) => (done = r));
  const t0 = performance.now();
  sendMore();
  await all;
  const acksPerS = STORED / ((performance.now() - t0) / 1000);
  sender.ws.close();
  return { conv, acksPerS };
}

/** A member who was away for the last MISSED messages of `conv` comes back: ms until `synced`. */
async function replay(port: number, conv: string, secret: string): Promise<number> {
  let got = 0;
  let synced: () => void = () => {};
  const finished = new Promise<void>((r) => (synced = r));
  const reader = await member(port, 'reader', secret, (e) => {
    if (e.t === 'msg') got++;
    else if (e.t === 'synced') synced();
  });
  const head = general(reader.welcome).head;
  const t1 = performance.now();
  reader.ws.send(JSON.stringify({ t: 'sync', rid: 's', epoch: reader.welcome.epoch, cursors: { [conv]: head - MISSED } }));
  await finished;
  const ms = performance.now() - t1;
  if (got < MISSED) throw new Error(`replay gave ${got} of ${MISSED} messages`);
  reader.ws.close();
  return ms;
}

/**
 * Store and ack, then replay, against one freshly started relay. The first store run is the
 * relay's first second of life (code not yet optimized by V8) and is reported apart, as
 * `coldAcksPerS`; the figures after it are a relay that has been running, as a team's has.
 */
async function wire(port: number): Promise<{ coldAcksPerS: number; acksPerS: number; replayMs: number }> {
  const cold = await storeAndAck(port);
  const warm: number[] = [];
  for (let i = 0; i < WARM_STORES; i++) warm.push((await storeAndAck(port)).acksPerS);
  const secret = newIdentitySecret();
  const replays: number[] = [];
  for (let i = 0; i < REPLAYS_UNCOUNTED + REPLAYS; i++) {
    const ms = await replay(port, cold.conv, secret);
    if (i >= REPLAYS_UNCOUNTED) replays.push(ms);
  }
  return { coldAcksPerS: cold.acksPerS, acksPerS: median(warm), replayMs: median(replays) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Figures {
  saturation: number;
  p99At100k: number;
  coldAcksPerS: number;
  acksPerS: number;
  replayMs: number;
}

/** BENCH_BESIDE_WIRE_ONLY=1 skips the fan-out ladder (store and ack, replay only: a minute a round). */
const WIRE_ONLY = process.env.BENCH_BESIDE_WIRE_ONLY === '1';

async function measure(label: string, script: string): Promise<Figures> {
  const fan = WIRE_ONLY
    ? { saturation: NaN, fixed: [], receivers: 100 }
    : await measurePeer('parley', 'parley', label, 100, rampFrom(100_000, 2_000_000), script);
  const at100k = fan.fixed.find((s) => Math.round(s.rate * fan.receivers) === 100_000);
  const server = await startServer('parley', { relayScript: script });
  try {
    const w = await wire(server.port);
    return { saturation: fan.saturation, p99At100k: at100k?.p99 ?? NaN, ...w };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const commit = process.argv[2];
  if (!commit) throw new Error('usage: node out/bench/beside.js <commit>');
  const sha = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', commit]).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-beside-'));
  try {
    buildLoadgen();
    const before = await buildAtCommit(sha, relayBuild(join(dir, 'before')));
    const after = await bundleTree(repoRoot, relayBuild(join(dir, 'after')));
    const runs: Record<'before' | 'after', Figures[]> = { before: [], after: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order: ('before' | 'after')[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      for (const side of order) {
        const f = await measure(side, side === 'before' ? before : after);
        runs[side].push(f);
        console.log(
          `round ${r + 1} ${side.padEnd(6)} saturation ${fmt(f.saturation)}/s  p99@100k ${f.p99At100k.toFixed(1)} ms  store+ack cold ${fmt(f.coldAcksPerS)}/s warm ${fmt(f.acksPerS)}/s  replay ${MISSED} ${f.replayMs.toFixed(0)} ms`,
        );
      }
    }
    const m = (side: 'before' | 'after', k: keyof Figures) => median(runs[side].map((f) => f[k]));
    const row = (name: string, k: keyof Figures, unit: string, digits: number) =>
      `${name.padEnd(28)} ${(m('before', k).toFixed(digits) + unit).padStart(12)} ${(m('after', k).toFixed(digits) + unit).padStart(12)} ${(m('after', k) / m('before', k)).toFixed(2).padStart(8)}`;
    console.log(`\nmedians of ${ROUNDS} rounds: ${sha} (before) and this checkout (after)`);
    console.log(`${'figure'.padEnd(28)} ${'before'.padStart(12)} ${'after'.padStart(12)} ${'after÷before'.padStart(8)}`);
    console.log(row('fan-out saturation (deliv/s)', 'saturation', '', 0));
    console.log(row('p99 at 100k deliveries/s', 'p99At100k', ' ms', 1));
    console.log(row('store and ack, cold (msgs/s)', 'coldAcksPerS', '', 0));
    console.log(row('store and ack, warm (msgs/s)', 'acksPerS', '', 0));
    console.log(row(`replay of ${MISSED} missed`, 'replayMs', ' ms', 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
