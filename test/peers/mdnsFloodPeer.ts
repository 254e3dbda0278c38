// A hostile responder on loopback, run as its own process so its work is not counted against
// the browser under test: on `announce` it announces one real team (the Announcer), on `flood`
// it sends `count` forged DNS-SD answers from `sources` loopback addresses (127.0.0.2, 127.0.0.3, …) at `rate` packets/s.
// Multicast goes out of 127.0.0.1 only (IP_MULTICAST_IF), on a port of the test's own.
import { createSocket, type Socket } from 'node:dgram';
import { encode, type Answer } from 'dns-packet';
import { Announcer, SERVICE } from '../../src/infra/discovery';

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const [portArg, countArg, sourcesArg, recordsArg, rateArg] = process.argv.slice(2);
const PORT = Number(portArg);
const COUNT = Number(countArg);
const SOURCES = Number(sourcesArg);
/** Forged teams per packet (one PTR, SRV, TXT and A each). */
const PER_PACKET = Number(recordsArg ?? 1);
const RATE = Number(rateArg ?? 10_000);

function forged(i: number): Answer[] {
  const name = `Core team on h${i}-7420.${SERVICE}`;
  const target = `h${i}.local`;
  return [
    { name: SERVICE, type: 'PTR', ttl: 120, data: name },
    { name, type: 'SRV', ttl: 120, data: { port: 7420, target, priority: 0, weight: 0 } },
    {
      name,
      type: 'TXT',
      ttl: 120,
      data: ['v=1', `team=Core team ${i % 7 === 0 ? '' : i}`.trim(), 'tls=1', 'secret=1', 'members=3', 'online=2', `host=h${i}`].map((t) => Buffer.from(t)),
    },
    { name: target, type: 'A', ttl: 120, data: '127.0.0.1' },
  ];
}

async function bindAll(): Promise<Socket[]> {
  const socks: Socket[] = [];
  for (let s = 0; s < SOURCES; s++) {
    const sock = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => sock.bind(0, `127.0.0.${2 + s}`, () => r()));
    sock.setMulticastInterface('127.0.0.1');
    sock.setMulticastLoopback(true);
    socks.push(sock);
  }
  return socks;
}

async function flood(socks: Socket[]): Promise<void> {
  const packets: Buffer[] = [];
  for (let i = 0; i < COUNT; i++) {
    const answers: Answer[] = [];
    for (let k = 0; k < PER_PACKET; k++) answers.push(...forged(i * PER_PACKET + k));
    packets.push(encode({ type: 'response', flags: 1 << 10, answers }));
  }
  const started = Date.now();
  let sent = 0;
  // In bursts of 100 at RATE packets/s (faster, and the kernel drops most of them before any
  // code sees them: the receiver's socket buffer overflows).
  for (let i = 0; i < packets.length; i += 100) {
    const due = started + (i / RATE) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    await Promise.all(
      packets.slice(i, i + 100).map((p, j) => new Promise<void>((r) => socks[(i + j) % socks.length].send(p, PORT, '224.0.0.251', () => (sent++, r())))),
    );
  }
  say({ event: 'flooded', sent, ms: Date.now() - started, bytes: packets.reduce((n, p) => n + p.length, 0) });
}

async function main(): Promise<void> {
  let announcer: Announcer | undefined;
  const socks = await bindAll();
  say({ event: 'ready' });
  for await (const line of (await import('node:readline')).createInterface({ input: process.stdin })) {
    if (line === 'announce') {
      announcer = new Announcer({ team: 'Core team', port: 7420, secure: true, secret: true, members: 3, online: 2 }, { interface: 'loopback', port: PORT });
    } else if (line === 'flood') {
      // Not awaited: commands (announce) keep being read while the flood goes on.
      void flood(socks);
    } else if (line === 'stop') {
      for (const s of socks) s.close();
      await announcer?.stop();
      say({ event: 'stopped' });
      process.exit(0);
    }
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
