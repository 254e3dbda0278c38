import { createServer, Socket, type Server } from 'node:net';

// A TCP proxy on loopback that injects faults into the connections passing through it:
// resets (both sides destroyed), blackholes (forwarding stops, nothing is closed) and delays
// (forwarding pauses, then resumes with everything buffered meanwhile).

interface Pipe {
  client: Socket;
  upstream: Socket;
  mode: 'open' | 'blackhole' | 'delayed';
  held: { to: Socket; data: Buffer }[];
}

export interface FaultCounts {
  resets: number;
  blackholes: number;
  delays: number;
  connections: number;
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly pipes = new Set<Pipe>();
  readonly counts: FaultCounts = { resets: 0, blackholes: 0, delays: 0, connections: 0 };
  port = 0;

  constructor(private targetPort: number) {}

  /** Points new connections at another port (after a relay restart on a new port). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  get live(): number {
    return [...this.pipes].filter((p) => p.mode !== 'blackhole').length;
  }

  private accept(client: Socket): void {
    const upstream = new Socket();
    const pipe: Pipe = { client, upstream, mode: 'open', held: [] };
    this.pipes.add(pipe);
    this.counts.connections++;
    upstream.connect(this.targetPort, '127.0.0.1');
    const forward = (to: Socket) => (data: Buffer) => {
      if (pipe.mode === 'open') to.write(data);
      else if (pipe.mode === 'delayed') pipe.held.push({ to, data });
      // blackhole: dropped on the floor
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      this.pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', end);
    }
  }

  private pick(): Pipe | undefined {
    const open = [...this.pipes].filter((p) => p.mode === 'open');
    return open[Math.floor(Math.random() * open.length)];
  }

  /** Destroys a random open connection (the client sees a reset). */
  reset(): boolean {
    const p = this.pick();
    if (!p) return false;
    this.counts.resets++;
    p.client.resetAndDestroy();
    p.upstream.destroy();
    return true;
  }

  /** Stops forwarding on a random open connection without closing it. */
  blackhole(): boolean {
    const p = this.pick();
    if (!p) return false;
    this.counts.blackholes++;
    p.mode = 'blackhole';
    return true;
  }

  /** Holds a random connection's traffic for `ms`, then delivers it in order. */
  delay(ms: number): boolean {
    const p = this.pick();
    if (!p) return false;
    this.counts.delays++;
    p.mode = 'delayed';
    setTimeout(() => {
      if (p.mode !== 'delayed') return;
      p.mode = 'open';
      for (const h of p.held.splice(0)) h.to.write(h.data);
    }, ms).unref();
    return true;
  }

  /** Ends every connection (a relay restart drops them all anyway). */
  dropAll(): void {
    for (const p of this.pipes) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
