// A server for the memory bench, run with --expose-gc: Parley's relay or the bare ws broadcast
// server, in this process, answering "gc" on stdin with its RSS after a full collection and
// "cpu" with its CPU time so far.
//   node --expose-gc out/bench/memory/server.js parley|ws <heartbeatMs>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { Relay } from '../../src/relay/relay';
import { SqliteStore } from '../../src/relay/sqliteStore';

const [kind, heartbeat] = process.argv.slice(2);
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'parley') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mem-'));
    const store = new SqliteStore(join(dir, 'relay.sqlite'));
    const relay = new Relay({
      store,
      host: '127.0.0.1',
      port: 0,
      heartbeatMs: Number(heartbeat),
      limits: { ratePerSecond: 100_000, rateBurst: 100_000 },
      maxConnectionsPerMember: Number.POSITIVE_INFINITY,
      gate: { perAddress: 100_000, total: 100_000 },
    });
    port = (await relay.listen()).port;
    close = async () => {
      await relay.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise((r) => wss.on('listening', r));
    port = (wss.address() as { port: number }).port;
    wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
    close = () => new Promise((r) => wss.close(() => r()));
  }
  say({ port });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'gc') {
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 50));
      say({ rss: process.memoryUsage().rss });
    } else if (line === 'cpu') {
      const c = process.cpuUsage();
      say({ cpuMs: (c.user + c.system) / 1000 });
    } else if (line === 'stop') {
      await close();
      process.exit(0);
    }
  }
}

void main();
