// Benchmark: how many messages per second the relay stores durably and acks, and what group
// commit buys. One run, ratios against a baseline measured in the same run (the machine is
// shared and noisy, so there are no absolute thresholds).
//
//   cd /work/main && npx tsc -p . && node out/bench/storeAck.js
//
// The relay and its SQLite store run on the main thread; the WebSocket load generator (the raw
// clients) runs in a worker thread (this same file), so that parsing C× fanned-out frames does
// not share an event loop with the relay it measures. Everything binds to 127.0.0.1.
// See bench/README.md for how to read the output.

import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { newIdentitySecret } from '../src/infra/identity';
import { DEFAULT_ROOM } from '../src/protocol/constants';
import { Relay } from '../src/relay/relay';
import { SqliteStore } from '../src/relay/sqliteStore';
import type { AppendItem } from '../src/relay/store';
import { signInOnChallenge } from './signIn';

// ---- knobs (kept small so the whole run stays well under a minute) ----

const STORE_MS = 2000; // timed part of each store-only group-commit measurement
const BASE_SAMPLE_MS = 500; // each baseline sample; 8 samples interleaved with the other runs
const STORE_BATCHES = [10, 100, 1000];
const RELAY_CLIENTS = [1, 10, 50];
const WINDOW = 32; // unacked sends in flight per client
const WARMUP_MS = 1000;
const MEASURE_MS = 4000;
const DRAIN_TIMEOUT_MS = 10_000; // after the window: wait for in-flight acks and fan-out
const TEXT_LEN = 80; // characters of text per message (same in every measurement)
const HARD_LIMIT_MS = 90_000; // watchdog: the whole bench is killed (FAIL) past this

// ---- messages exchanged between the main thread and the load-generator worker ----

interface LoadInit {
  url: string;
  clients: number;
  window: number;
  warmupMs: number;
  measureMs: number;
  drainTimeoutMs: number;
  tag: string;
}

interface LoadResult {
  /** Acks received over the whole run (warm-up, window and drain). */
  ackedTotal: number;
  /** Acks received inside the measurement window, and its length. */
  ackedWindow: number;
  windowMs: number;
  /** Ack latency (send → ack seen by the client) of the window's acks, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Every ack as [seq, id] (one conversation, so seqs are unique). */
  acks: [number, string][];
  /** Acks whose seq had already been acked (must be 0). */
  dupAcks: number;
  /** msg events each client received over the whole run. */
  deliveredMin: number;
  deliveredMax: number;
  errors: number;
  firstError: string;
  /** True when every send was acked and every client saw every message before the timeout. */
  drained: boolean;
}

type FromWorker = { t: 'mark'; phase: 'start' | 'end' } | { t: 'done'; result: LoadResult } | { t: 'fatal'; message: string };

// ---- small helpers ----

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank];
}

function text(tag: string, n: number): string {
  const head = `bench ${tag} #${n} `;
  return (head + 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.repeat(2)).slice(0, TEXT_LEN);
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// ============================================================================================
// Worker thread: C raw protocol clients, each with a window of W unacked sends to #general.
// ============================================================================================

interface RawEvent {
  t?: unknown;
  id?: unknown;
  seq?: unknown;
  code?: unknown;
  message?: unknown;
  conversations?: unknown;
}

class LoadClient {
  conv = '';
  inflight = 0;
  delivered = 0;
  private n = 0;
  private readonly sentAt = new Map<string, number>();
  private welcomed: (() => void) | undefined;
  private failed: ((err: Error) => void) | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly index: number,
    private readonly gen: LoadGen,
  ) {
    ws.on('message', (data: WebSocket.RawData) => this.onFrame(data.toString()));
    ws.on('error', (err: Error) => {
      if (this.failed) this.failed(err);
      else gen.error(`client ${index}: socket error: ${err.message}`);
    });
    ws.on('close', (code: number) => {
      if (this.failed) this.failed(new Error(`client ${index} closed with ${code} before welcome`));
      else if (!gen.closing) gen.error(`client ${index}: relay closed the connection (${code}) during the run`);
    });
  }

  /** Opens the socket, answers the challenge with a hello signed by a fresh key and waits for the welcome. */
  static async connect(url: string, index: number, gen: LoadGen): Promise<LoadClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const c = new LoadClient(ws, index, gen);
    await new Promise<void>((resolve, reject) => {
      c.welcomed = resolve;
      c.failed = reject;
      signInOnChallenge(ws, url, `bench${gen.init.tag}c${index}`, newIdentitySecret(), reject);
    });
    c.welcomed = undefined;
    c.failed = undefined;
    return c;
  }

  /** Sends until the window is full (or sending has stopped). */
  fill(): void {
    while (this.gen.sending && this.inflight < this.gen.init.window) {
      const n = this.n++;
      // 8-64 chars of [A-Za-z0-9_-], starting alnum; unique per author (and per run).
      const id = `b${this.gen.init.tag}c${String(this.index).padStart(3, '0')}n${String(n).padStart(8, '0')}`;
      this.sentAt.set(id, performance.now());
      this.inflight++;
      this.ws.send(JSON.stringify({ t: 'send', id, conv: this.conv, body: { kind: 'text', text: text(this.gen.init.tag, n) } }));
    }
  }

  private onFrame(raw: string): void {
    let events: unknown;
    try {
      events = JSON.parse(raw);
    } catch {
      this.gen.error(`client ${this.index}: unparsable frame`);
      return;
    }
    if (!Array.isArray(events)) {
      this.gen.error(`client ${this.index}: frame is not an array`);
      return;
    }
    let acked = false;
    for (const item of events as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const e = item as RawEvent;
      switch (e.t) {
        case 'welcome': {
          const convs = Array.isArray(e.conversations) ? (e.conversations as { id?: unknown; name?: unknown; kind?: unknown }[]) : [];
          const general = convs.find((c) => c.kind === 'room' && c.name === DEFAULT_ROOM);
          if (!general || typeof general.id !== 'string') {
            this.failed?.(new Error(`client ${this.index}: welcome lists no #${DEFAULT_ROOM}`));
            return;
          }
          this.conv = general.id;
          // Live events start after the first sync (see docs/PROTOCOL.md); nothing to replay here.
          this.ws.send(JSON.stringify({ t: 'sync', rid: 's0', cursors: { [general.id]: Number((general as { head?: unknown }).head ?? 0) } }));
          this.welcomed?.();
          break;
        }
        case 'ack': {
          const id = String(e.id);
          const sent = this.sentAt.get(id);
          if (sent === undefined) {
            this.gen.error(`client ${this.index}: ack for unknown id ${id}`);
            break;
          }
          this.sentAt.delete(id);
          this.inflight--;
          this.gen.onAck(Number(e.seq), id, performance.now() - sent);
          acked = true;
          break;
        }
        case 'msg':
          this.delivered++;
          break;
        case 'error':
          this.gen.error(`client ${this.index}: ${String(e.code)}: ${String(e.message)}`);
          if (this.failed) this.failed(new Error(`client ${this.index}: ${String(e.code)}: ${String(e.message)}`));
          break;
        default:
          break; // conv, member, presence, bye: read and ignored
      }
    }
    if (acked) this.fill();
  }
}

class LoadGen {
  sending = false;
  /** Set once the bench closes its own sockets (closes after that are expected). */
  closing = false;
  private measuring = false;
  private ackedTotal = 0;
  private ackedWindow = 0;
  private latencies: number[] = [];
  private readonly acks: [number, string][] = [];
  private readonly seen = new Set<number>();
  private dupAcks = 0;
  private errors = 0;
  private firstError = '';
  private clients: LoadClient[] = [];

  constructor(readonly init: LoadInit) {}

  onAck(seq: number, id: string, latencyMs: number): void {
    this.ackedTotal++;
    if (this.seen.has(seq)) this.dupAcks++;
    this.seen.add(seq);
    this.acks.push([seq, id]);
    if (this.measuring) {
      this.ackedWindow++;
      this.latencies.push(latencyMs);
    }
  }

  error(message: string): void {
    this.errors++;
    if (!this.firstError) this.firstError = message;
  }

  async run(post: (m: FromWorker) => void): Promise<void> {
    const { url, clients, warmupMs, measureMs, drainTimeoutMs } = this.init;
    // Connect one at a time: each join makes the relay push a conv update to every earlier member.
    for (let i = 0; i < clients; i++) this.clients.push(await LoadClient.connect(url, i, this));

    this.sending = true;
    for (const c of this.clients) c.fill();
    await sleep(warmupMs);

    this.measuring = true;
    const t0 = performance.now();
    post({ t: 'mark', phase: 'start' });
    await sleep(measureMs);
    this.measuring = false;
    this.sending = false;
    const t1 = performance.now();
    post({ t: 'mark', phase: 'end' });

    // Drain: every in-flight send acked, and every client has seen every stored message.
    const deadline = performance.now() + drainTimeoutMs;
    let drained = false;
    while (performance.now() < deadline) {
      if (this.clients.every((c) => c.inflight === 0 && c.delivered === this.ackedTotal)) {
        drained = true;
        break;
      }
      await sleep(5);
    }

    this.closing = true;
    await Promise.all(
      this.clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              c.ws.terminate();
              resolve();
            }, 2000);
            c.ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            c.ws.close(1000, 'bench done');
          }),
      ),
    );

    const sorted = Float64Array.from(this.latencies).sort();
    const delivered = this.clients.map((c) => c.delivered);
    post({
      t: 'done',
      result: {
        ackedTotal: this.ackedTotal,
        ackedWindow: this.ackedWindow,
        windowMs: t1 - t0,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
        acks: this.acks,
        dupAcks: this.dupAcks,
        deliveredMin: Math.min(...delivered),
        deliveredMax: Math.max(...delivered),
        errors: this.errors,
        firstError: this.firstError,
        drained,
      },
    });
  }
}

function workerMain(): void {
  const port = parentPort;
  if (!port) return;
  const post = (m: FromWorker) => port.postMessage(m);
  const gen = new LoadGen(workerData as LoadInit);
  gen.run(post).catch((err: unknown) => post({ t: 'fatal', message: err instanceof Error ? err.message : String(err) }));
}

// ============================================================================================
// Main thread: the store-only measurements and the relay runs.
// ============================================================================================

const tempDirs: string[] = [];
const failures: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(os.tmpdir(), 'parley-bench-'));
  tempDirs.push(d);
  return d;
}

function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

function removeTempDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  const i = tempDirs.indexOf(d);
  if (i >= 0) tempDirs.splice(i, 1);
}

function fail(what: string): void {
  failures.push(what);
  console.log(`\n!!!!! FAIL: ${what} !!!!!\n`);
}

/** Checks that a conversation holds exactly `expected` messages with seqs 1..expected. */
function checkGapFree(store: SqliteStore, conv: string, expected: number, label: string, ids?: Map<number, string>): boolean {
  const rows = store.after(conv, 0, expected + 1000);
  if (rows.length !== expected) {
    fail(`${label}: store holds ${rows.length} messages, expected ${expected}`);
    return false;
  }
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].seq !== i + 1) {
      fail(`${label}: seq gap: position ${i} holds seq ${rows[i].seq}`);
      return false;
    }
    if (ids && ids.get(rows[i].seq) !== rows[i].id) {
      fail(`${label}: seq ${rows[i].seq} stored id ${rows[i].id}, acked id ${ids.get(rows[i].seq) ?? '(none)'}`);
      return false;
    }
  }
  return true;
}

interface StoreRow {
  label: string;
  batch: number;
  messages: number;
  seconds: number;
  perSec: number;
  msPerCommit: number;
}

/** appendBatch with `batch` messages per call (one transaction, one commit each) into a fresh file. */
function measureStore(batch: number, label: string, durationMs: number): StoreRow {
  const dir = tempDir();
  const store = new SqliteStore(join(dir, 'store.sqlite'));
  try {
    const conv = 'rbench';
    store.createConversation({ id: conv, kind: 'room', name: 'bench', members: ['ubench'] });
    let n = 0;
    const make = (): AppendItem[] => {
      const items: AppendItem[] = [];
      for (let i = 0; i < batch; i++, n++) {
        items.push({ conv, author: 'ubench', id: `s${batch}n${String(n).padStart(9, '0')}`, ts: Date.now(), body: { kind: 'text', text: text('store', n) } });
      }
      return items;
    };
    // Warm-up: a few commits so the file, journal and wasm code paths exist before timing.
    for (let i = 0; i < 3; i++) store.appendBatch(make());
    const warm = n;
    let commits = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      const results = store.appendBatch(make());
      commits++;
      if (results.length !== batch || results.some((r) => !r.ok || r.dup)) fail(`${label}: appendBatch returned a failure or a dup`);
      t = performance.now();
    } while (t - t0 < durationMs);
    const messages = n - warm;
    checkGapFree(store, conv, n, label);
    const seconds = (t - t0) / 1000;
    return { label, batch, messages, seconds, perSec: messages / seconds, msPerCommit: (t - t0) / commits };
  } finally {
    store.close();
    removeTempDir(dir);
  }
}

interface RelayRow {
  clients: number;
  acked: number;
  perSec: number;
  p50: number;
  p99: number;
  max: number;
  perCommit: number;
  commitsPerSec: number;
  ok: boolean;
}

async function measureRelay(clients: number, tag: string): Promise<RelayRow> {
  const label = `relay C=${clients}`;
  const dir = tempDir();
  const store = new SqliteStore(join(dir, 'relay.sqlite'));
  const relay = new Relay({
    store,
    host: '127.0.0.1',
    port: 0,
    limits: { ratePerSecond: 1e9, rateBurst: 1e9 },
    maxQueuedBytes: 1024 * 1024 * 1024,
    heartbeatMs: 600_000,
  });
  let worker: Worker | undefined;
  try {
    const addr = await relay.listen();
    const init: LoadInit = {
      url: `ws://127.0.0.1:${addr.port}`,
      clients,
      window: WINDOW,
      warmupMs: WARMUP_MS,
      measureMs: MEASURE_MS,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      tag,
    };
    const w = new Worker(__filename, { workerData: init });
    worker = w;
    let s0 = { ...relay.stats };
    let s1 = { ...relay.stats };
    let m0 = 0;
    let m1 = 0;
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load generator did not finish in time')), 30_000);
      w.on('message', (m: FromWorker) => {
        if (m.t === 'mark' && m.phase === 'start') {
          s0 = { ...relay.stats };
          m0 = performance.now();
        } else if (m.t === 'mark' && m.phase === 'end') {
          s1 = { ...relay.stats };
          m1 = performance.now();
        } else if (m.t === 'done') {
          clearTimeout(timer);
          resolve(m.result);
        } else if (m.t === 'fatal') {
          clearTimeout(timer);
          reject(new Error(m.message));
        }
      });
      w.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });

    // ---- correctness: the store holds exactly what was acked, seqs 1..N gap-free ----
    let ok = true;
    if (result.errors > 0) {
      fail(`${label}: ${result.errors} error events / protocol problems (first: ${result.firstError})`);
      ok = false;
    }
    if (!result.drained) {
      fail(
        `${label}: not drained within ${DRAIN_TIMEOUT_MS} ms (acked ${result.ackedTotal}, delivered per client ${result.deliveredMin}..${result.deliveredMax})`,
      );
      ok = false;
    }
    if (result.dupAcks > 0) {
      fail(`${label}: ${result.dupAcks} acks repeated a seq`);
      ok = false;
    }
    if (relay.stats.stored !== result.ackedTotal) {
      fail(`${label}: relay.stats.stored = ${relay.stats.stored} but clients saw ${result.ackedTotal} acks`);
      ok = false;
    }
    if (result.deliveredMin !== result.ackedTotal || result.deliveredMax !== result.ackedTotal) {
      fail(`${label}: clients received ${result.deliveredMin}..${result.deliveredMax} msg events, expected ${result.ackedTotal} each`);
      ok = false;
    }
    const general = store.conversations().find((c) => c.kind === 'room' && c.name === DEFAULT_ROOM);
    if (!general) {
      fail(`${label}: no #${DEFAULT_ROOM} in the store`);
      ok = false;
    } else if (!checkGapFree(store, general.id, result.ackedTotal, label, new Map(result.acks))) {
      ok = false;
    }
    const integrity = store.integrityCheck();
    if (integrity !== 'ok') {
      fail(`${label}: integrity_check: ${integrity}`);
      ok = false;
    }

    const relaySeconds = (m1 - m0) / 1000;
    const commits = s1.commits - s0.commits;
    return {
      clients,
      acked: result.ackedWindow,
      perSec: result.ackedWindow / (result.windowMs / 1000),
      p50: result.p50,
      p99: result.p99,
      max: result.max,
      perCommit: commits > 0 ? (s1.stored - s0.stored) / commits : NaN,
      commitsPerSec: relaySeconds > 0 ? commits / relaySeconds : NaN,
      ok,
    };
  } finally {
    await relay.close('bench done');
    store.close();
    if (worker) await worker.terminate();
    removeTempDir(dir);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const watchdog = setTimeout(() => {
    console.log(`\n!!!!! FAIL: bench exceeded ${HARD_LIMIT_MS / 1000} s; aborting !!!!!`);
    removeTempDirs();
    process.exit(1);
  }, HARD_LIMIT_MS);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      removeTempDirs();
      process.exit(130);
    });
  }

  const cpus = os.cpus();
  const load = os.loadavg();
  console.log('Parley storeAck bench: durable store + ack throughput, and what group commit buys');
  console.log(`node ${process.version}  ${os.platform()}/${os.arch()}  cpus=${cpus.length} (${cpus[0]?.model.trim() ?? '?'})`);
  console.log(`load average at start: ${load.map((l) => l.toFixed(2)).join(' ')}  tmpdir=${os.tmpdir()}`);
  console.log(`SQLite: node-sqlite3-wasm, locking_mode=EXCLUSIVE, journal_mode=WAL, synchronous=FULL; text bodies of ${TEXT_LEN} chars`);

  // The baseline (batch 1) is fsync-bound and the disk is shared, so one number is too noisy to
  // divide by. It is sampled 8 times, interleaved with the other measurements; ratios use the median.
  const samples: StoreRow[] = [];
  const sample = () => samples.push(measureStore(1, 'baseline sample', BASE_SAMPLE_MS));
  console.log('\nmeasuring (about 35 s)...');
  sample();
  sample();
  const groupRows: StoreRow[] = [];
  for (const b of STORE_BATCHES) {
    groupRows.push(measureStore(b, `group commit (batch ${b})`, STORE_MS));
    sample();
  }
  const relayRows: RelayRow[] = [];
  for (const c of RELAY_CLIENTS) {
    relayRows.push(await measureRelay(c, `r${c}`));
    sample();
  }

  const rates = samples.map((r) => r.perSec).sort((a, b) => a - b);
  const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
  const base = median(rates);
  const baseline: StoreRow = {
    label: 'baseline (batch 1)',
    batch: 1,
    messages: samples.reduce((a, r) => a + r.messages, 0),
    seconds: samples.reduce((a, r) => a + r.seconds, 0),
    perSec: base,
    msPerCommit: median(samples.map((r) => r.msPerCommit).sort((a, b) => a - b)),
  };

  // ---- 1 + 2: store only ----
  console.log(`\n[1-2] SqliteStore.appendBatch into a fresh temp file (one transaction = one fsync'd commit per call)`);
  console.log(
    table(
      ['store', 'messages', 'secs', 'msg/s', 'x base', 'ms/commit'],
      [baseline, ...groupRows].map((r) => [
        r.label,
        fmtInt(r.messages),
        fmt(r.seconds, 2),
        fmtInt(r.perSec),
        `${fmt(r.perSec / base, 1)}x`,
        fmt(r.msPerCommit, 2),
      ]),
    ),
  );
  console.log(
    `baseline = median of ${samples.length} samples of ${BASE_SAMPLE_MS / 1000} s taken between the runs: ` +
      `min ${fmtInt(rates[0])} / median ${fmtInt(base)} / max ${fmtInt(rates[rates.length - 1])} msg/s` +
      ` (a wide spread means a noisy disk: read the ratios loosely)`,
  );

  // ---- 3 + 4: full relay path ----
  console.log(
    `\n[3-4] Relay over WebSocket on 127.0.0.1: C raw clients in one worker thread, W=${WINDOW} unacked sends each to #${DEFAULT_ROOM},` +
      ` ${WARMUP_MS / 1000} s warm-up + ${MEASURE_MS / 1000} s measured; latency = send -> ack seen by the client`,
  );
  console.log(
    table(
      ['relay', 'acked', 'acked msg/s', 'x base', 'p50 ms', 'p99 ms', 'max ms', 'msg/commit', 'commits/s', 'deliveries/s', 'check'],
      relayRows.map((r) => [
        `C=${r.clients}`,
        fmtInt(r.acked),
        fmtInt(r.perSec),
        `${fmt(r.perSec / base, 1)}x`,
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        fmt(r.max, 1),
        fmt(r.perCommit, 1),
        fmtInt(r.commitsPerSec),
        fmtInt(r.perSec * r.clients),
        r.ok ? 'ok' : 'FAIL',
      ]),
    ),
  );
  console.log('deliveries/s = acked msg/s x C (every stored message is fanned out to all C members of #general)');
  console.log('check: store holds exactly the acked messages, seqs 1..N gap-free with the acked ids; every client got every msg; no errors');
  console.log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}  total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  removeTempDirs();
  clearTimeout(watchdog);
  if (failures.length) {
    console.log(`\n!!!!! FAIL: ${failures.length} check(s) failed !!!!!`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exit(1);
  }
  console.log('all checks ok');
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.log(`\n!!!!! FAIL: bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)} !!!!!`);
    removeTempDirs();
    process.exit(1);
  });
} else {
  workerMain();
}
