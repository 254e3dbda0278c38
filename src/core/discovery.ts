import type { RemoteInfo } from 'node:dgram';
import { hostname, networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { Emitter } from './emitter';

/**
 * Teams on the local network, by DNS-SD over multicast DNS (RFC 6762/6763): a relay answers
 * queries for `_parley._tcp.local` with PTR, SRV, TXT and A records and announces changes; a
 * browser asks every few seconds and keeps what answered. Both take the interface to use, so
 * tests (and users with several networks) can keep it to one, loopback included.
 */
export const SERVICE = '_parley._tcp.local';
const TTL = 120;

export interface DiscoveryOptions {
  /** Interface to announce and browse on: a name (`eth0`), an IPv4 address, or `loopback`. Default: all. */
  interface?: string;
  /** UDP port; 5353 is mDNS. Tests may use another one. */
  port?: number;
  /** Socket errors (e.g. the port is taken without address reuse); discovery then stays quiet. */
  onError?: (err: Error) => void;
}

/** What a relay tells the network about itself (TXT record). */
export interface TeamInfo {
  team: string;
  port: number;
  secure: boolean;
  /** Whether joining needs the team secret. */
  secret: boolean;
  members: number;
  online: number;
}

export interface DiscoveredTeam extends TeamInfo {
  /** The service instance name, unique on the network. */
  id: string;
  host: string;
  /** Address to join: from the host's answer, as `ws://` or `wss://`. */
  url: string;
  addresses: string[];
  lastSeen: number;
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

function open(opts: DiscoveryOptions) {
  const iface = interfaceAddress(opts.interface);
  // Bound to any address (a socket bound to a unicast address does not see multicast), but
  // memberships and sends only on the chosen interface.
  return makeMdns({ ...(iface ? { interface: iface, bind: '0.0.0.0' } : {}), port: opts.port ?? 5353, reuseAddr: true, loopback: true });
}

const label = (s: string) => s.replace(/[^\p{L}\p{N} ._-]/gu, '').slice(0, 40) || 'team';

/** Announces one relay; answers queries until stopped, then says goodbye. */
export class Announcer {
  private readonly mdns: ReturnType<typeof makeMdns>;
  private readonly instance: string;
  private readonly target: string;
  private info: TeamInfo;
  private stopped = false;
  private readonly iface: string | undefined;

  constructor(info: TeamInfo, opts: DiscoveryOptions = {}) {
    this.info = info;
    this.iface = interfaceAddress(opts.interface);
    const host = label(hostname()).replace(/[ .]/g, '-');
    this.instance = `${label(info.team)} on ${host}-${info.port}.${SERVICE}`;
    this.target = `${host}.local`;
    this.mdns = open(opts);
    this.mdns.on('error', (err: Error) => opts.onError?.(err));
    this.mdns.on('warning', () => undefined);
    this.mdns.on('query', (q) => {
      if (q.questions.some((x) => (x.name === SERVICE && (x.type === 'PTR' || (x.type as string) === 'ANY')) || x.name === this.instance)) this.announce();
    });
    this.mdns.on('ready', () => this.announce());
  }

  /** New member counts (or anything else); announced at once so browsers refresh live. */
  update(change: Partial<TeamInfo>): void {
    const next = { ...this.info, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.info)) return;
    this.info = next;
    this.announce();
  }

  private records(ttl: number): Answer[] {
    const i = this.info;
    const txt = [`v=1`, `team=${i.team}`, `tls=${i.secure ? 1 : 0}`, `secret=${i.secret ? 1 : 0}`, `members=${i.members}`, `online=${i.online}`, `host=${hostname()}`];
    const addresses = this.iface ? [this.iface] : lanAddresses();
    return [
      { name: SERVICE, type: 'PTR', ttl, data: this.instance },
      { name: this.instance, type: 'SRV', ttl, data: { port: i.port, target: this.target, priority: 0, weight: 0 } },
      { name: this.instance, type: 'TXT', ttl, data: txt.map((t) => Buffer.from(t)) },
      ...addresses.map((a): Answer => ({ name: this.target, type: 'A', ttl, data: a })),
    ];
  }

  private announce(): void {
    if (this.stopped) return;
    this.mdns.respond({ answers: this.records(TTL) });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    // Goodbye: the same records with TTL 0, so browsers drop the team at once.
    await new Promise<void>((r) => this.mdns.respond({ answers: this.records(0) }, () => r()));
    this.stopped = true;
    await new Promise<void>((r) => this.mdns.destroy(() => r()));
  }
}

type BrowserEvents = { change: (teams: DiscoveredTeam[]) => void };

/** Lists the teams that answer on the network, asking every `intervalMs`; a team that stops answering for three rounds is dropped. */
export class TeamBrowser extends Emitter<BrowserEvents> {
  private readonly mdns: ReturnType<typeof makeMdns>;
  private readonly found = new Map<string, DiscoveredTeam>();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    opts: DiscoveryOptions & { intervalMs?: number } = {},
    private readonly now = () => Date.now(),
  ) {
    super();
    const every = opts.intervalMs ?? 5000;
    this.mdns = open(opts);
    this.mdns.on('error', (err: Error) => opts.onError?.(err));
    this.mdns.on('warning', () => undefined);
    this.mdns.on('response', (res, rinfo) => this.onResponse([...res.answers, ...res.additionals], rinfo));
    this.mdns.on('ready', () => this.ask());
    this.timer = setInterval(() => {
      this.ask();
      this.expire(every * 3);
    }, every);
    this.timer.unref();
  }

  teams(): DiscoveredTeam[] {
    return [...this.found.values()].sort((a, b) => a.team.localeCompare(b.team) || a.host.localeCompare(b.host));
  }

  /** Asks now (the view calls it when it opens). */
  ask(): void {
    if (!this.stopped) this.mdns.query({ questions: [{ name: SERVICE, type: 'PTR' }] });
  }

  private expire(maxAge: number): void {
    let changed = false;
    for (const [id, t] of this.found) {
      if (this.now() - t.lastSeen > maxAge) {
        this.found.delete(id);
        changed = true;
      }
    }
    if (changed) this.emit('change', this.teams());
  }

  private onResponse(records: Answer[], rinfo: RemoteInfo): void {
    let changed = false;
    for (const ptr of records) {
      if (ptr.type !== 'PTR' || ptr.name !== SERVICE) continue;
      const id = String(ptr.data);
      if (ptr.ttl === 0) {
        changed = this.found.delete(id) || changed;
        continue;
      }
      const srv = records.find((r) => r.type === 'SRV' && r.name === id);
      const txtRec = records.find((r) => r.type === 'TXT' && r.name === id);
      if (!srv || srv.type !== 'SRV' || !txtRec || txtRec.type !== 'TXT') continue;
      const txt = parseTxt(txtRec.data);
      if (txt.v !== '1' || !txt.team) continue;
      const port = srv.data.port;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) continue;
      const addresses = records.filter((r) => r.type === 'A' && r.name === srv.data.target).map((r) => (r.type === 'A' ? r.data : ''));
      const secure = txt.tls === '1';
      const team: DiscoveredTeam = {
        id,
        team: txt.team.slice(0, 48),
        host: (txt.host ?? srv.data.target.replace(/\.local$/, '')).slice(0, 64),
        port,
        secure,
        secret: txt.secret === '1',
        members: toCount(txt.members),
        online: toCount(txt.online),
        // The address the answer came from is the one that reaches the host from here.
        url: `${secure ? 'wss' : 'ws'}://${rinfo.address}:${port}`,
        addresses,
        lastSeen: this.now(),
      };
      const before = this.found.get(id);
      this.found.set(id, team);
      if (!before || before.url !== team.url || before.members !== team.members || before.online !== team.online || before.team !== team.team || before.secure !== team.secure) changed = true;
    }
    if (changed) this.emit('change', this.teams());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await new Promise<void>((r) => this.mdns.destroy(() => r()));
  }
}

function parseTxt(data: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const parts = Array.isArray(data) ? data : [data];
  for (const p of parts) {
    const s = Buffer.isBuffer(p) ? p.toString('utf8') : String(p);
    const eq = s.indexOf('=');
    if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function toCount(s: string | undefined): number {
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n < 1e6 ? n : 0;
}

/** This machine's IPv4 addresses that others on the network can reach (no loopback). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}
