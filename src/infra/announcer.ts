import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Answer, Packet, Question } from 'dns-packet';
import { Emitter } from './emitter';
import { Admission, SERVICE, TTL, interfaceAddress, lanAddresses, openMdns, plausible, type DiscoveryOptions, type Mdns } from './mdnsSocket';
import { label, parseTxt, type TeamInfo } from './teamRecords';

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
    this.mdns = openMdns(opts, (msg, rinfo) => plausible(msg) && admission.admit(rinfo.address));
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
    const probe: Packet & { questions: Question[] } = {
      type: 'query',
      questions: [{ name: this._instance, type: 'ANY' as Question['type'] }],
      authorities: [srv, txt],
    };
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
    const txt = [
      `v=1`,
      `team=${i.team}`,
      `tls=${i.secure ? 1 : 0}`,
      `secret=${i.secret ? 1 : 0}`,
      `members=${i.members}`,
      `online=${i.online}`,
      `host=${hostname()}`,
      `id=${this.token}`,
    ];
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
