import type { RemoteInfo } from 'node:dgram';
import type { Answer } from 'dns-packet';
import { DISCOVERY_LIMITS, TTL } from './mdnsSocket';

// What a team's DNS-SD records say, both ways: what a relay tells the network about itself, and
// the entry a browser lists from an answer (every field bounded and checked: anyone on the
// network can answer).

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

export const label = (s: string) => s.replace(/[^\p{L}\p{N} ._-]/gu, '').slice(0, 40) || 'team';

/** TXT strings as a map; the first of a repeated key counts (RFC 6763 §6.4). */
export function parseTxt(data: unknown): Record<string, string> {
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

/** The SRV, TXT and A records of one answer by name (the first of each counts). */
export interface RecordsByName {
  srv: Map<string, Extract<Answer, { type: 'SRV' }>>;
  txt: Map<string, Extract<Answer, { type: 'TXT' }>>;
  a: Map<string, string[]>;
}

export function groupRecords(records: Answer[]): RecordsByName {
  const out: RecordsByName = { srv: new Map(), txt: new Map(), a: new Map() };
  for (const r of records) {
    if (r.type === 'SRV' && !out.srv.has(r.name)) out.srv.set(r.name, r);
    else if (r.type === 'TXT' && !out.txt.has(r.name)) out.txt.set(r.name, r);
    else if (r.type === 'A' && typeof r.data === 'string') {
      const list = out.a.get(r.name) ?? [];
      list.push(r.data);
      out.a.set(r.name, list);
    }
  }
  return out;
}

/**
 * The entry an answer lists for `instance` (PTR TTL `ptrTtl`), or undefined when the answer is
 * not a valid team: no SRV or TXT for it, another TXT version, no team name, a port out of range.
 */
export function readTeam(
  instance: string,
  ptrTtl: number | undefined,
  records: RecordsByName,
  rinfo: RemoteInfo,
  firstSeen: number,
  now: number,
): DiscoveredTeam | undefined {
  const srv = records.srv.get(instance);
  const txtRec = records.txt.get(instance);
  const txt = txtRec ? parseTxt(txtRec.data) : undefined;
  const port = srv?.data.port;
  if (!srv || !txt || txt.v !== '1' || !txt.team || !Number.isInteger(port) || !port || port <= 0 || port > 65535) return undefined;
  const secure = txt.tls === '1';
  const fingerprint = toFingerprint(txt.fp);
  const ttl = Math.max(1, Math.min(DISCOVERY_LIMITS.maxTtl, ptrTtl ?? TTL));
  return {
    id: `${instance}|${rinfo.address}`,
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
    addresses: (records.a.get(srv.data.target) ?? []).slice(0, 8),
    firstSeen,
    lastSeen: now,
    expires: now + ttl * 1000,
  };
}

/** Whether a refreshed entry shows the same as before (listeners hear only of changes). */
export function sameListing(a: DiscoveredTeam, b: DiscoveredTeam): boolean {
  return (
    a.url === b.url &&
    a.members === b.members &&
    a.online === b.online &&
    a.team === b.team &&
    a.secure === b.secure &&
    a.host === b.host &&
    a.fingerprint === b.fingerprint
  );
}
