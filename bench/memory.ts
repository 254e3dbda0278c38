// Memory per idle connection and CPU at rest: Parley's relay against the bare `ws` server, both
// in a process of their own (pinned to core 0, --expose-gc) that reports its RSS after a full GC.
// Parley's connections are authenticated (challenge, signed hello, welcome, sync done); to
// measure connections rather than the member list, 50 identities share them (as windows of the
// same members do).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { loadIdentity, newIdentitySecret } from '../src/infra/identity';
import { signInOnChallenge } from './signIn';

export interface MemoryRow {
  server: string;
  connections: number;
  bytesPerConnection: number;
}

export interface RestResult {
  connections: number;
  heartbeatMs: number;
  seconds: number;
  cpuPercent: number;
}

interface Server {
  proc: ChildProcessWithoutNullStreams;
  port: number;
  ask(cmd: string): Promise<Record<string, number>>;
}

async function startServer(kind: 'parley' | 'ws', heartbeatMs: number): Promise<Server> {
  const proc = spawn('taskset', ['-c', '0', process.execPath, '--expose-gc', join(__dirname, 'memory', 'server.js'), kind, String(heartbeatMs)]);
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? '{}') as Record<string, number>;
  const { port } = await next();
  return {
    proc,
    port,
    ask: async (cmd) => {
      proc.stdin.write(`${cmd}\n`);
      return next();
    },
  };
}

// One identity per member (a second key under a taken name is refused): 50 members, each with
// its own key, signing in on many connections.
const IDENTITIES = Array.from({ length: 50 }, () => loadIdentity(newIdentitySecret()));

function open(kind: 'parley' | 'ws', port: number, i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const url = `ws://127.0.0.1:${port}`;
    const ws = new WebSocket(`${url}/`, { perMessageDeflate: false });
    ws.on('error', reject);
    if (kind === 'ws') ws.on('open', () => resolve(ws));
    if (kind === 'parley') {
      signInOnChallenge(ws, url, `m${i % IDENTITIES.length}`, IDENTITIES[i % IDENTITIES.length], reject);
      ws.on('close', (code) => reject(new Error(`relay closed connection ${i} (${code}) before it synced`)));
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.includes('"t":"welcome"')) {
          const events = JSON.parse(text) as { t: string; conversations?: { id: string; head: number }[] }[];
          const w = events.find((e) => e.t === 'welcome')!;
          ws.send(JSON.stringify({ t: 'sync', rid: 's', cursors: Object.fromEntries(w.conversations!.map((c) => [c.id, c.head])) }));
        }
        if (text.includes('"t":"synced"')) resolve(ws);
      });
    }
  });
}

async function openMany(kind: 'parley' | 'ws', port: number, n: number): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  for (let i = 0; i < n; i += 200) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, j) => open(kind, port, i + j)))));
  }
  return out;
}

/**
 * One server process per kind: RSS after GC with no connections (after a warm-up that opened and
 * closed some), then with 1k and with 10k idle connections open (opened in that order, so the
 * 10k figure includes the first 1k).
 */
export async function measureMemory(counts = [1_000, 10_000]): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const kind of ['parley', 'ws'] as const) {
    const server = await startServer(kind, 30_000);
    try {
      for (const ws of await openMany(kind, server.port, 200)) ws.terminate();
      await new Promise((r) => setTimeout(r, 500));
      const before = (await server.ask('gc')).rss;
      const conns: WebSocket[] = [];
      for (const n of counts) {
        conns.push(...(await openMany(kind, server.port, n - conns.length)));
        await new Promise((r) => setTimeout(r, 500));
        const after = (await server.ask('gc')).rss;
        rows.push({ server: kind === 'parley' ? 'Parley relay' : 'bare ws', connections: n, bytesPerConnection: (after - before) / n });
      }
      for (const ws of conns) ws.terminate();
      await server.ask('stop');
    } finally {
      server.proc.kill('SIGKILL');
    }
  }
  return rows;
}

/** CPU of the relay with idle connections and heartbeats every `heartbeatMs` (pings answered). */
export async function measureRest(connections = 1_000, heartbeatMs = 5_000, seconds = 15): Promise<RestResult> {
  const server = await startServer('parley', heartbeatMs);
  try {
    const conns = await openMany('parley', server.port, connections);
    await new Promise((r) => setTimeout(r, 1000));
    const a = (await server.ask('cpu')).cpuMs;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = (await server.ask('cpu')).cpuMs;
    for (const ws of conns) ws.terminate();
    await server.ask('stop');
    return { connections, heartbeatMs, seconds, cpuPercent: ((b - a) / (seconds * 1000)) * 100 };
  } finally {
    server.proc.kill('SIGKILL');
  }
}

if (require.main === module) {
  (async () => {
    console.log(await measureMemory());
    console.log(await measureRest());
  })().catch((err: Error) => {
    console.error(err.stack);
    process.exit(1);
  });
}
