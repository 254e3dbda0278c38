import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { hostname, networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer, Packet, Question } from 'dns-packet';
import { Emitter } from './emitter';

/**
 * Teams on the local network, by DNS-SD over multicast DNS (RFC 6762/6763): a relay probes for
 * its instance name, then answers queries for `_parley._tcp.local` with PTR, SRV, TXT and A
 * records and announces changes; a browser asks with back-off and keeps what answered until its
 * TTL runs out. Both take the interface to use, so tests (and users with several networks) can
 * keep it to one, loopback included. Everything that arrives is admitted by size and by a
 * per-source and an overall packet budget before it is even decoded (see docs/RELIABILITY.md).
 */
export const SERVICE = '_parley._tcp.local';
const TTL = 120;

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

/** What a relay tells the network about itself (TXT record). */
export interface TeamInfo {
  team: string;
  port: number;
  secure: boolean;
  /** Whether joining needs the team secret. */
  secret: boolean;
  members: number;
  online: number;
  /** SHA-256 fingerprint of the TLS certificate (hex, colons allowed): lets a browser compare it with a pin before connecting. */
  fingerprint?: string;
}

export interface DiscoveredTeam extends TeamInfo {
  /** The service instance name and the address that answered: unique in the list. */
  id: string;
  /** The DNS-SD instance name (two sources may claim the same one: both are listed). */
  instance: string;
  host: string;
  /** Address to join: from the host's answer, as `ws://` or `wss://`. */
  url: string;
  /** The address the answer came from. */
  source: string;
  addresses: string[];
  /** When this entry was first listed, and last refreshed. */
  firstSeen: number;
  lastSeen: number;
  /** When the entry goes unless refreshed (ms since the epoch). */
  expires: number;
}

export interface BrowserStats {
  /** Packets that arrived on the socket. */
  received: number;
  /** Dropped undecoded: over a source's or the overall budget. */
  droppedRate: number;
  /** Dropped undecoded: larger than an mDNS packet may be, or with more records than `maxRecordsPerPacket`. */
  droppedSize: number;
  /** Teams not listed because the list (or the source's share of it) was full. */
  droppedFull: number;
  /** Packets that did not decode, and answers that were not a valid team. */
  malformed: number;
  /** Queries sent. */
  queries: number;
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
class Bucket {
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
class Admission {
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

type Mdns = ReturnType<typeof makeMdns>;

/** What the header says, read without decoding: no larger than mDNS allows, and no more records than we would look at. */
function plausible(msg: Buffer): boolean {
  if (msg.length < 12 || msg.length > DISCOVERY_LIMITS.maxPacketBytes) return false;
  const records = msg.readUInt16BE(4) + msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  return records <= DISCOVERY_LIMITS.maxRecordsPerPacket;
}

/**
 * A multicast-dns instance on a socket of ours, with `admit` run on every datagram before
 * multicast-dns decodes it: what is refused costs one comparison and a map look-up.
 */
function open(opts: DiscoveryOptions, admit: (msg: Buffer, rinfo: RemoteInfo) => boolean): Mdns {
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

const label = (s: string) => s.replace(/[^\p{L}\p{N} ._-]/gu, '').slice(0, 40) || 'team';

/** TXT strings as a map; the first of a repeated key counts (RFC 6763 §6.4). */
function parseTxt(data: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const parts = Array.isArray(data) ? data.slice(0, 32) : [data];
  for (const p of parts) {
    const s = Buffer.isBuffer(p) ? p.toString('utf8') : String(p);
    const eq = s.indexOf('=');
    if (eq > 0 && !(s.slice(0, eq) in out)) out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function toCount(s: string | undefined): number {
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && n < 1e6 ? n : 0;
}

/** A fingerprint as announced: 32 hex bytes, colons optional; anything else is ignored. */
function toFingerprint(s: string | undefined): string | undefined {
  const hex = s?.replace(/:/g, '').toLowerCase();
  return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

type AnnouncerEvents = { rename: (instance: string) => void };

/**
 * Announces one relay. It first probes for its instance name (RFC 6762 §8.1, three queries
 * 250 ms apart); when another responder holds the name it takes the next one ("Team (2) on …")
 * and probes again. It then announces, answers queries (at most one multicast answer a second,
 * and none when the query already lists it as a known answer), renames if another responder
 * later claims its name, and says goodbye when stopped.
 */
export class Announcer extends Emitter<AnnouncerEvents> {
  private readonly mdns: Mdns;
  private readonly host: string;
  private readonly target: string;
  /** Tells our own looped-back packets from another responder using the same name. */
  private readonly token = randomBytes(6).toString('hex');
  private _instance = '';
  private renames = 0;
  private info: TeamInfo;
  private state: 'probing' | 'announced' | 'stopped' = 'probing';
  private conflicts: number[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private lastAnswer = 0;
  private lastDefence = 0;
  private readonly iface: string | undefined;

  constructor(info: TeamInfo, opts: DiscoveryOptions = {}) {
    super();
    this.info = info;
    this.iface = interfaceAddress(opts.interface);
    this.host = label(hostname()).replace(/[ .]/g, '-');
    this.target = `${this.host}.local`;
    this.setInstance(0);
    const admission = new Admission(() => Date.now());
    this.mdns = open(opts, (msg, rinfo) => plausible(msg) && admission.admit(rinfo.address));
    this.mdns.on('query', (q) => this.onQuery(q));
    this.mdns.on('response', (r) => this.onResponse(r));
    this.mdns.on('ready', () => this.probe(0));
  }

  /** The instance name in use (changes when another responder held it). */
  get instance(): string {
    return this._instance;
  }

  private setInstance(n: number): void {
    this._instance = `${label(this.info.team)}${n ? ` (${n + 1})` : ''} on ${this.host}-${this.info.port}.${SERVICE}`;
  }

  /** New member counts (or anything else); announced soon so browsers refresh live. */
  update(change: Partial<TeamInfo>): void {
    const next = { ...this.info, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.info)) return;
    this.info = next;
    this.scheduleAnswer();
  }

  private probe(round: number): void {
    if (this.state !== 'probing') return;
    if (round === 3) {
      // Announced twice, a second apart (§8.3): one lost datagram does not hide the team.
      this.state = 'announced';
      this.answerNow();
      this.probeTimer = setTimeout(() => this.answerNow(), 1000);
      this.probeTimer.unref();
      return;
    }
    const [, srv, txt] = this.records(TTL);
    const probe: Packet & { questions: Question[] } = { type: 'query', questions: [{ name: this._instance, type: 'ANY' as Question['type'] }], authorities: [srv, txt] };
    this.mdns.query(probe);
    this.probeTimer = setTimeout(() => this.probe(round + 1), 250);
    this.probeTimer.unref();
  }

  /**
   * Another responder has our name: take the next one and probe for it. After 15 conflicts in
   * 10 s each next probe waits 5 s (§8.1), so a responder that claims every name we try makes
   * us slow, not busy.
   */
  private conflict(): void {
    if (this.state === 'stopped') return;
    clearTimeout(this.probeTimer);
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
    // Browsers that listed the old name from us drop it (a goodbye only counts from its source).
    if (this.state === 'announced') this.mdns.respond({ answers: this.records(0).slice(0, 3) });
    const now = Date.now();
    this.conflicts = [...this.conflicts.filter((t) => now - t < 10_000), now];
    this.setInstance(++this.renames);
    this.emit('rename', this._instance);
    this.state = 'probing';
    if (this.conflicts.length < 15) return this.probe(0);
    this.probeTimer = setTimeout(() => this.probe(0), 5000);
    this.probeTimer.unref();
  }

  private foreign(records: Answer[]): boolean {
    // (A goodbye, TTL 0, is a name being let go: never a conflict.)
    return records.some((r) => r.type === 'TXT' && r.name === this._instance && r.ttl !== 0 && parseTxt(r.data).id !== this.token);
  }

  private onQuery(q: Packet): void {
    const questions = q.questions ?? [];
    if (this.state === 'probing') {
      // Two responders probing for one name at once (§8.2): the lower token gives way.
      const theirs = (q.authorities ?? []).find((r) => r.type === 'TXT' && r.name === this._instance);
      const token = theirs?.type === 'TXT' ? parseTxt(theirs.data).id : undefined;
      if (token !== undefined && token !== this.token && token > this.token) this.conflict();
      return;
    }
    if (this.state !== 'announced') return;
    const asked = questions.some((x) => (x.name === SERVICE && (x.type === 'PTR' || (x.type as string) === 'ANY')) || x.name === this._instance);
    if (!asked) return;
    // A question for our own name is someone probing for it: defend it at once (§8.1 allows a
    // prober 750 ms), at most four times a second.
    if (questions.some((x) => x.name === this._instance)) {
      if (Date.now() - this.lastDefence < 250) return;
      this.lastDefence = Date.now();
      this.mdns.respond({ answers: this.records(TTL).slice(1, 3) });
      return;
    }
    // Known-answer suppression (§7.1): the asker has our PTR with at least half its TTL left.
    const known = (q.answers ?? []).some((a) => a.type === 'PTR' && a.name === SERVICE && a.data === this._instance && (a.ttl ?? 0) >= TTL / 2);
    if (!known) this.scheduleAnswer();
  }

  private onResponse(r: Packet): void {
    if (this.state !== 'stopped') {
      if (this.foreign([...(r.answers ?? []), ...(r.additionals ?? [])])) this.conflict();
    }
  }

  /** Answers after 20–120 ms (§6), and no sooner than a second after the last answer. */
  private scheduleAnswer(): void {
    if (this.state !== 'announced' || this.answerTimer) return;
    const wait = Math.max(20 + Math.random() * 100, this.lastAnswer + 1000 - Date.now());
    this.answerTimer = setTimeout(() => {
      this.answerTimer = undefined;
      this.answerNow();
    }, wait);
    this.answerTimer.unref();
  }

  private answerNow(): void {
    if (this.state !== 'announced') return;
    this.lastAnswer = Date.now();
    this.mdns.respond({ answers: this.records(TTL) });
  }

  private records(ttl: number): Answer[] {
    const i = this.info;
    const txt = [`v=1`, `team=${i.team}`, `tls=${i.secure ? 1 : 0}`, `secret=${i.secret ? 1 : 0}`, `members=${i.members}`, `online=${i.online}`, `host=${hostname()}`, `id=${this.token}`];
    if (i.fingerprint) txt.push(`fp=${i.fingerprint.replace(/:/g, '').toLowerCase()}`);
    const addresses = this.iface ? [this.iface] : lanAddresses().slice(0, 8);
    return [
      { name: SERVICE, type: 'PTR', ttl, data: this._instance },
      { name: this._instance, type: 'SRV', ttl, data: { port: i.port, target: this.target, priority: 0, weight: 0 } },
      { name: this._instance, type: 'TXT', ttl, data: txt.map((t) => Buffer.from(t)) },
      ...addresses.map((a): Answer => ({ name: this.target, type: 'A', ttl, data: a })),
    ];
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasAnnounced = this.state === 'announced';
    this.state = 'stopped';
    clearTimeout(this.probeTimer);
    clearTimeout(this.answerTimer);
    // Goodbye: the same records with TTL 0, so browsers drop the team at once.
    if (wasAnnounced) await new Promise<void>((r) => this.mdns.respond({ answers: this.records(0) }, () => r()));
    await new Promise<void>((r) => this.mdns.destroy(() => r()));
  }
}

type BrowserEvents = { change: (teams: DiscoveredTeam[]) => void };

export interface BrowserOptions extends DiscoveryOptions {
  /** First wait between queries; each next one doubles (RFC 6762 §5.2), up to `maxIntervalMs`. Default 1 s. */
  intervalMs?: number;
  /** Longest wait between queries. Default 60 s. */
  maxIntervalMs?: number;
}

/**
 * Lists the teams that answer on the network. Queries back off from `intervalMs` to
 * `maxIntervalMs` and carry the answers already known (so responders stay quiet); an entry goes
 * when its TTL (at most 120 s) runs out, with a query at 80% of it to refresh it; a goodbye
 * removes it at once. An entry is keyed by instance name *and* source address: an answer from
 * elsewhere that reuses a listed team's name cannot take over its entry, it shows as a second one.
 */
export class TeamBrowser extends Emitter<BrowserEvents> {
  private readonly mdns: Mdns;
  private readonly found = new Map<string, DiscoveredTeam>();
  private readonly perSource = new Map<string, number>();
  private readonly refreshAsked = new Set<string>();
  private readonly first: number;
  private readonly max: number;
  private interval: number;
  private nextQuery = Infinity;
  private readonly tick: NodeJS.Timeout;
  private changeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly counters: BrowserStats = { received: 0, droppedRate: 0, droppedSize: 0, droppedFull: 0, malformed: 0, queries: 0 };

  constructor(
    opts: BrowserOptions = {},
    private readonly now = () => Date.now(),
  ) {
    super();
    this.first = opts.intervalMs ?? 1000;
    this.max = Math.max(this.first, opts.maxIntervalMs ?? 60_000);
    this.interval = this.first;
    const admission = new Admission(now, (source) => this.perSource.has(source));
    this.mdns = open(opts, (msg, rinfo) => {
      this.counters.received++;
      if (!plausible(msg)) return (this.counters.droppedSize++, false);
      if (!admission.admit(rinfo.address)) return (this.counters.droppedRate++, false);
      return true;
    });
    this.mdns.on('warning', () => this.counters.malformed++);
    this.mdns.on('response', (res, rinfo) => this.onResponse([...(res.answers ?? []), ...(res.additionals ?? [])], rinfo));
    this.mdns.on('ready', () => this.ask());
    this.tick = setInterval(() => this.onTick(), Math.min(this.first, 1000));
    this.tick.unref();
  }

  teams(): DiscoveredTeam[] {
    return [...this.found.values()].sort((a, b) => a.team.localeCompare(b.team) || a.host.localeCompare(b.host) || a.url.localeCompare(b.url));
  }

  stats(): BrowserStats {
    return { ...this.counters };
  }

  /** Asks now and starts the back-off again (the view calls it when it opens). */
  ask(): void {
    this.interval = this.first;
    this.query();
  }

  private query(): void {
    if (this.stopped) return;
    const now = this.now();
    // Known answers (§7.1): what we hold with more than half its TTL left, once per instance name.
    const known = new Map<string, number>();
    for (const t of this.found.values()) {
      const left = Math.floor((t.expires - now) / 1000);
      const ttl = Math.round((t.expires - t.lastSeen) / 1000);
      if (left > ttl / 2 && !known.has(t.instance)) known.set(t.instance, left);
    }
    const answers: Answer[] = [...known].slice(0, 32).map(([data, ttl]) => ({ name: SERVICE, type: 'PTR', ttl, data }));
    const q: Packet & { questions: Question[] } = { type: 'query', questions: [{ name: SERVICE, type: 'PTR' }], ...(answers.length ? { answers } : {}) };
    this.mdns.query(q);
    this.counters.queries++;
    this.nextQuery = now + this.interval;
    this.interval = Math.min(this.max, this.interval * 2);
  }

  private onTick(): void {
    const now = this.now();
    let changed = false;
    let refresh = false;
    for (const [id, t] of this.found) {
      if (now >= t.expires) {
        this.remove(id);
        changed = true;
      } else if (now >= t.lastSeen + (t.expires - t.lastSeen) * 0.8 && !this.refreshAsked.has(id)) {
        this.refreshAsked.add(id);
        refresh = true;
      }
    }
    if (refresh || now >= this.nextQuery) this.query();
    if (changed) this.changed();
  }

  private remove(id: string): boolean {
    const t = this.found.get(id);
    if (!t) return false;
    this.found.delete(id);
    this.refreshAsked.delete(id);
    const n = (this.perSource.get(t.source) ?? 1) - 1;
    if (n > 0) this.perSource.set(t.source, n);
    else this.perSource.delete(t.source);
    return true;
  }

  /**
   * Whether a new entry from `source` may be listed. A full list gives way only to a source with
   * fewer entries than the one that has most: that one loses its newest entry. So each of up to
   * `maxTeams` sources keeps one entry however many entries others forge, and what was listed
   * first from a source (the real team, announced before a flood) is the last to go.
   */
  private makeRoom(source: string): boolean {
    const biggest = this.mayAdd(source);
    if (biggest === false) return false;
    if (biggest === true) return true;
    let newest: DiscoveredTeam | undefined;
    for (const t of this.found.values()) if (t.source === biggest && (!newest || t.firstSeen > newest.firstSeen)) newest = t;
    if (newest) this.remove(newest.id);
    this.changed();
    return true;
  }

  /** Whether `source` may add an entry: yes, no, or only in place of an entry of the source returned. */
  private mayAdd(source: string): boolean | string {
    const mine = this.perSource.get(source) ?? 0;
    if (mine >= DISCOVERY_LIMITS.maxTeamsPerSource) return false;
    if (this.found.size < DISCOVERY_LIMITS.maxTeams) return true;
    let biggest: string | undefined;
    let most = 0;
    for (const [s, n] of this.perSource) if (n > most) [biggest, most] = [s, n];
    return biggest !== undefined && most > mine + 1 ? biggest : false;
  }

  /** Listeners hear of changes at most every 50 ms, with the whole list. */
  private changed(): void {
    if (this.changeTimer || this.stopped) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      if (!this.stopped) this.emit('change', this.teams());
    }, 50);
  }

  private onResponse(all: Answer[], rinfo: RemoteInfo): void {
    const records = all.slice(0, DISCOVERY_LIMITS.maxRecordsPerPacket);
    const srvs = new Map<string, Extract<Answer, { type: 'SRV' }>>();
    const txts = new Map<string, Extract<Answer, { type: 'TXT' }>>();
    const as = new Map<string, string[]>();
    for (const r of records) {
      if (r.type === 'SRV' && !srvs.has(r.name)) srvs.set(r.name, r);
      else if (r.type === 'TXT' && !txts.has(r.name)) txts.set(r.name, r);
      else if (r.type === 'A' && typeof r.data === 'string') (as.get(r.name) ?? as.set(r.name, []).get(r.name)!).push(r.data);
    }
    const now = this.now();
    let changed = false;
    for (const ptr of records) {
      if (ptr.type !== 'PTR' || ptr.name !== SERVICE || typeof ptr.data !== 'string' || ptr.data.length > 255) continue;
      const instance = ptr.data;
      const id = `${instance}|${rinfo.address}`;
      // A goodbye counts only from the address that gave the entry (the id says so).
      if (ptr.ttl === 0) {
        changed = this.remove(id) || changed;
        continue;
      }
      if (!this.found.has(id) && !this.mayAdd(rinfo.address)) {
        this.counters.droppedFull++;
        continue;
      }
      const srv = srvs.get(instance);
      const txtRec = txts.get(instance);
      const txt = txtRec ? parseTxt(txtRec.data) : undefined;
      const port = srv?.data.port;
      if (!srv || !txt || txt.v !== '1' || !txt.team || !Number.isInteger(port) || !port || port <= 0 || port > 65535) {
        this.counters.malformed++;
        continue;
      }
      const before = this.found.get(id);
      if (!before) {
        if (!this.makeRoom(rinfo.address)) {
          this.counters.droppedFull++;
          continue;
        }
        this.perSource.set(rinfo.address, (this.perSource.get(rinfo.address) ?? 0) + 1);
      }
      const secure = txt.tls === '1';
      const fingerprint = toFingerprint(txt.fp);
      const ttl = Math.max(1, Math.min(DISCOVERY_LIMITS.maxTtl, ptr.ttl ?? TTL));
      const team: DiscoveredTeam = {
        id,
        instance,
        team: txt.team.slice(0, 48),
        host: (txt.host ?? srv.data.target.replace(/\.local$/, '')).slice(0, 64),
        port,
        secure,
        secret: txt.secret === '1',
        members: toCount(txt.members),
        online: toCount(txt.online),
        ...(secure && fingerprint ? { fingerprint } : {}),
        // The address the answer came from is the one that reaches the host from here.
        url: `${secure ? 'wss' : 'ws'}://${rinfo.address}:${port}`,
        source: rinfo.address,
        addresses: (as.get(srv.data.target) ?? []).slice(0, 8),
        firstSeen: before?.firstSeen ?? now,
        lastSeen: now,
        expires: now + ttl * 1000,
      };
      this.found.set(id, team);
      this.refreshAsked.delete(id);
      if (!before || before.url !== team.url || before.members !== team.members || before.online !== team.online || before.team !== team.team || before.secure !== team.secure || before.host !== team.host || before.fingerprint !== team.fingerprint) changed = true;
    }
    if (changed) this.changed();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.tick);
    clearTimeout(this.changeTimer);
    await new Promise<void>((r) => this.mdns.destroy(() => r()));
  }
}

/** This machine's IPv4 addresses that others on the network can reach (no loopback). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}
