// The relay of this checkout beside the relay of an earlier commit, in one run: a restructuring
// (issue 16) must not make the relay slower, and only figures measured side by side on the same
// noisy machine can say so. Both relays are built here the same way (esbuild, from `git archive
// <commit>` and from this checkout's src/), run as processes pinned to core 0 on 127.0.0.1, and
// are measured in alternating order (ABBA…), so drift in the machine's speed falls on both.
//
//   npm run bench:beside -- <commit>        (BENCH_BESIDE_ROUNDS, default 3)
//
// Figures: fan-out (the C load generator of bench/fanout: saturation of a room of 100, p99 at
// 100k deliveries/s), store and ack (one member sends 5,000 messages, 256 in flight: acks/s),
// replay (a member who missed 2,000 messages syncs: ms until `synced`). Medians per side, and
// this checkout ÷ the commit.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import WebSocket from 'ws';
import { newIdentitySecret } from '../src/infra/identity';
import { buildLoadgen, fmt, measurePeer, rampFrom } from './fanout';
import { startServer } from './fanout/servers';
import { signInOnChallenge } from './signIn';

const root = join(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_BESIDE_ROUNDS ?? 3);
const STORED = 5000;
const IN_FLIGHT = 256;
const MISSED = 2000;

/** Bundles `src/relay/cli.ts` under `srcRoot` into `<out>/relay.js` with this checkout's node_modules. */
async function bundleRelay(srcRoot: string, out: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  copyFileSync(join(root, 'node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm'), join(out, 'node-sqlite3-wasm.wasm'));
  await esbuild.build({
    entryPoints: [join(srcRoot, 'src/relay/cli.ts')],
    outfile: join(out, 'relay.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'error',
    nodePaths: [join(root, 'node_modules')],
  });
  return join(out, 'relay.js');
}

async function relayAt(commit: string, dir: string): Promise<string> {
  const tree = join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  const tar = execFileSync('git', ['-C', root, 'archive', commit, 'src', 'package.json'], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', tree], { input: tar });
  return bundleRelay(tree, join(dir, 'dist'));
}

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

/** Store and ack, then replay, against one running relay. */
async function wire(port: number): Promise<{ acksPerS: number; replayMs: number }> {
  const text = 'x'.repeat(200);
  let acked = 0;
  let done: () => void = () => {};
  let sendMore: () => void = () => {};
  const sender = await member(port, 'sender', newIdentitySecret(), (e) => {
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
  // A member who was away for the last MISSED messages comes back.
  const replays: number[] = [];
  const secret = newIdentitySecret();
  for (let i = 0; i < 5; i++) {
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
    replays.push(performance.now() - t1);
    if (got < MISSED) throw new Error(`replay gave ${got} of ${MISSED} messages`);
    reader.ws.close();
  }
  return { acksPerS, replayMs: median(replays) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Figures {
  saturation: number;
  p99At100k: number;
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
  const sha = execFileSync('git', ['-C', root, 'rev-parse', '--short', commit]).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-beside-'));
  try {
    buildLoadgen();
    const before = await relayAt(sha, join(dir, 'before'));
    const after = await bundleRelay(root, join(dir, 'after'));
    const runs: Record<'before' | 'after', Figures[]> = { before: [], after: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order: ('before' | 'after')[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      for (const side of order) {
        const f = await measure(side, side === 'before' ? before : after);
        runs[side].push(f);
        console.log(
          `round ${r + 1} ${side.padEnd(6)} saturation ${fmt(f.saturation)}/s  p99@100k ${f.p99At100k.toFixed(1)} ms  store+ack ${fmt(f.acksPerS)}/s  replay ${MISSED} ${f.replayMs.toFixed(0)} ms`,
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
    console.log(row('store and ack (msgs/s)', 'acksPerS', '', 0));
    console.log(row(`replay of ${MISSED} missed`, 'replayMs', ' ms', 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
