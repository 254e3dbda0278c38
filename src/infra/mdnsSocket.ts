import { createSocket, type RemoteInfo } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';

// The socket side of LAN discovery (see discovery.ts): the service name, the bounds on what the
// network can make us do, and a multicast-dns instance whose datagrams pass an admission check
// before anything decodes them.

export const SERVICE = '_parley._tcp.local';
/** Seconds our records live (and the longest TTL believed from others). */
export const TTL = 120;

/** Bounds on what the network can make discovery do. */
export const DISCOVERY_LIMITS = {
  /** Teams listed at once; new ones beyond are dropped (listed ones are never displaced). */
  maxTeams: 64,
  /** Teams one source address may have listed. */
  maxTeamsPerSource: 4,
  /** RFC 6762 §17: no mDNS packet is larger. */
  maxPacketBytes: 9000,
  /** Records (questions included) a packet may hold; one with more is dropped undecoded (a team needs 4 or 5). */
  maxRecordsPerPacket: 64,
  /** Packets per second (and burst) one source address may make us decode. */
  perSource: { rate: 10, burst: 20 },
  /** Packets per second (and burst) all sources together may make us decode, beyond those of sources already listed. */
  overall: { rate: 400, burst: 800 },
  /** Source addresses whose budgets are tracked (an idle one is forgotten). */
  maxSources: 4096,
  /** Longest TTL believed, in seconds (a forged entry cannot stay longer than this unrefreshed). */
  maxTtl: TTL,
};

export interface DiscoveryOptions {
  /** Interface to announce and browse on: a name (`eth0`), an IPv4 address, or `loopback`. Default: all. */
  interface?: string;
  /** UDP port; 5353 is mDNS. Tests may use another one. */
  port?: number;
  /** Socket errors (e.g. the port is taken without address reuse); discovery then stays quiet. */
  onError?: (err: Error) => void;
}

/** Resolves the interface option to an IPv4 address (what the socket options want). */
export function interfaceAddress(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  if (spec === 'loopback' || spec === 'lo') return '127.0.0.1';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(spec)) return spec;
  const addrs = networkInterfaces()[spec];
  const v4 = addrs?.find((a) => a.family === 'IPv4');
  if (!v4) throw new Error(`no network interface "${spec}" with an IPv4 address (have: ${Object.keys(networkInterfaces()).join(', ')})`);
  return v4.address;
}

/** A token bucket: `rate` per second, at most `burst` saved up. */
export class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}

/** Which packets get decoded: per-source budgets, then an overall one that sources already trusted with a listed team skip. */
export class Admission {
  private readonly sources = new Map<string, Bucket>();
  private readonly overall: Bucket;
  constructor(
    private readonly now: () => number,
    private readonly known: (source: string) => boolean = () => false,
  ) {
    this.overall = new Bucket(DISCOVERY_LIMITS.overall.rate, DISCOVERY_LIMITS.overall.burst, now());
  }
  admit(source: string): boolean {
    const now = this.now();
    let b = this.sources.get(source);
    if (!b) {
      if (this.sources.size >= DISCOVERY_LIMITS.maxSources) {
        for (const [s, x] of this.sources) if (x.full(now)) this.sources.delete(s);
        if (this.sources.size >= DISCOVERY_LIMITS.maxSources) return false;
      }
      b = new Bucket(DISCOVERY_LIMITS.perSource.rate, DISCOVERY_LIMITS.perSource.burst, now);
      this.sources.set(source, b);
    }
    if (!b.take(now)) return false;
    return this.known(source) || this.overall.take(now);
  }
}

export type Mdns = ReturnType<typeof makeMdns>;

/** What the header says, read without decoding: no larger than mDNS allows, and no more records than we would look at. */
export function plausible(msg: Buffer): boolean {
  if (msg.length < 12 || msg.length > DISCOVERY_LIMITS.maxPacketBytes) return false;
  const records = msg.readUInt16BE(4) + msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  return records <= DISCOVERY_LIMITS.maxRecordsPerPacket;
}

/**
 * A multicast-dns instance on a socket of ours, with `admit` run on every datagram before
 * multicast-dns decodes it: what is refused costs one comparison and a map look-up.
 */
export function openMdns(opts: DiscoveryOptions, admit: (msg: Buffer, rinfo: RemoteInfo) => boolean): Mdns {
  const iface = interfaceAddress(opts.interface);
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  // Bound to any address (a socket bound to a unicast address does not see multicast), but
  // memberships and sends only on the chosen interface.
  const mdns = makeMdns({ ...(iface ? { interface: iface, bind: '0.0.0.0' } : {}), port: opts.port ?? 5353, socket, loopback: true });
  // multicast-dns (7.x) decodes in the one 'message' listener it adds: put the gate in front of it.
  const decoders = socket.listeners('message') as ((msg: Buffer, rinfo: RemoteInfo) => void)[];
  if (decoders.length !== 1) throw new Error(`multicast-dns changed: ${decoders.length} message listeners on its socket`);
  socket.removeAllListeners('message');
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    if (admit(msg, rinfo)) decoders[0].call(socket, msg, rinfo);
  });
  mdns.on('warning', () => undefined);
  mdns.on('error', (err: Error) => opts.onError?.(err));
  return mdns;
}

/** This machine's IPv4 addresses that others on the network can reach (no loopback). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}
