import type { RemoteInfo } from 'node:dgram';
import type { Answer, Packet, Question } from 'dns-packet';
import { Emitter } from './emitter';
import { Admission, DISCOVERY_LIMITS, SERVICE, openMdns, plausible, type DiscoveryOptions, type Mdns } from './mdnsSocket';
import { groupRecords, readTeam, sameListing, type DiscoveredTeam } from './teamRecords';

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
    this.mdns = openMdns(opts, (msg, rinfo) => {
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
    const byName = groupRecords(records);
    const now = this.now();
    let changed = false;
    for (const ptr of records) {
      if (ptr.type !== 'PTR' || ptr.name !== SERVICE || typeof ptr.data !== 'string' || ptr.data.length > 255) continue;
      const id = `${ptr.data}|${rinfo.address}`;
      // A goodbye counts only from the address that gave the entry (the id says so).
      if (ptr.ttl === 0) {
        changed = this.remove(id) || changed;
        continue;
      }
      if (!this.found.has(id) && !this.mayAdd(rinfo.address)) {
        this.counters.droppedFull++;
        continue;
      }
      const before = this.found.get(id);
      const team = readTeam(ptr.data, ptr.ttl, byName, rinfo, before?.firstSeen ?? now, now);
      if (!team) {
        this.counters.malformed++;
        continue;
      }
      if (!before) {
        if (!this.makeRoom(rinfo.address)) {
          this.counters.droppedFull++;
          continue;
        }
        this.perSource.set(rinfo.address, (this.perSource.get(rinfo.address) ?? 0) + 1);
      }
      this.found.set(id, team);
      this.refreshAsked.delete(id);
      if (!before || !sameListing(before, team)) changed = true;
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
