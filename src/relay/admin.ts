import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { CloseCode, DEFAULT_ROOM, ErrorCode } from '../protocol/constants';
import type { AdminBody, ClientFrame, Member, TeamRole } from '../protocol/wire';
import { secretMatches } from './auth';
import type { Connection } from './connection';
import { nameKey } from '../protocol/names';
import { canRemove, canRotate, canSetRole, type RoomFacts } from '../protocol/roles';
import { manageRefusal } from './rules';
import type { ConversationRecord, RemovedRecord, Store, UserRecord } from './store';

// Team administration: roles, removing members, rotating the team secret, and who manages a
// room. The rules are in roles.ts; this file keeps the state (in the store and in memory) and
// carries out each act through the relay's AdminHost. docs/PROTOCOL.md "Roles" describes it.

type Frame<T extends ClientFrame['t']> = Extract<ClientFrame, { t: T }>;

/** A conversation as the relay holds it. */
export interface AdminConv {
  rec: ConversationRecord;
  members: Set<string>;
}

/** What the administration needs from the relay. */
export interface AdminHost {
  readonly users: ReadonlyMap<string, UserRecord>;
  /** Open connections of a member. */
  connections(user: string): Iterable<Connection>;
  conversations(): Iterable<AdminConv>;
  /** Stores `body` in `conv` as a notice by the member of `conn`, in the conversation's sequence, and fans it out (no ack). */
  notice(conn: Connection, conv: string, body: AdminBody): void;
  /** Takes `user` out of a room's members in memory and tells the remaining members. */
  leftRoom(state: AdminConv, user: string): void;
  /** Tells every connected member about `user` (role, removed); with `rid` on `conn` as the answer to a request. */
  announceMember(user: string, conn?: Connection, rid?: string): void;
  sendError(conn: Connection, code: string, message: string, ref?: string): void;
  /** Voids waiting named invites: those `maker` made, or all; how many. */
  revokeInvites(maker?: string): number;
  log(line: string): void;
}

export interface AdminOptions {
  /** The member who owns the team (`parley-relay --owner`, the hosting member), by name. */
  owner?: string;
  /** The team secret the relay was started with. */
  secret?: string;
  /** Called with the new secret after a rotation (the hosting window and the CLI make new invites from it). */
  onSecret?: (secret: string) => void;
}

/** The current secret as stored: scrypt of it (the relay keeps no copy of a secret it was not given). */
interface StoredSecret {
  salt: string;
  hash: string;
  /** Set by a rotation: then it outlives a restart with the secret that was rotated away. */
  rotated?: boolean;
  at: number;
}

/** A secret rotated away: a quick hash is enough (it lets nobody in any more). */
interface RetiredSecret {
  salt: string;
  sha256: string;
}

/** How a presented secret compares with the team's. */
export type SecretCheck = 'open' | 'current' | 'retired' | 'wrong';

const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/** Retired secrets kept to tell "rotated away" from "wrong". */
const RETIRED_KEPT = 8;
/** Distinct wrong secrets remembered, so one repeated never costs a second scrypt. */
const WRONG_REMEMBERED = 256;

/** Names compared as the relay compares them: by their key (NFKC, case folding, confusable skeleton; protocol/names.ts). */
function sameName(a: string, b: string): boolean {
  return nameKey(a.normalize('NFC').trim()) === nameKey(b.normalize('NFC').trim());
}

function scrypt(secret: string, salt: string): string {
  return scryptSync(secret, Buffer.from(salt, 'hex'), 32, SCRYPT).toString('hex');
}

function sha256(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret, 'utf8').digest('hex');
}

export class TeamAdmin {
  private readonly roles = new Map<string, 'owner' | 'admin'>();
  private readonly removed = new Map<string, RemovedRecord>();
  private readonly creators: Map<string, string>;
  private stored: StoredSecret | undefined;
  /** The current secret itself, when this process knows it (given at start, rotated here, or presented once). */
  private plain: string | undefined;
  /** Hashes of wrong secrets already put through scrypt (while `plain` is unknown). */
  private readonly wrongSeen = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly opts: AdminOptions,
    private readonly log: (line: string) => void,
  ) {
    for (const r of store.roles()) this.roles.set(r.user, r.role);
    for (const r of store.removedMembers()) this.removed.set(r.user, r);
    this.creators = store.roomCreators();
    this.loadSecret();
  }

  // ---- roles ----

  roleOf(user: string): TeamRole {
    return this.roles.get(user) ?? 'member';
  }

  isRemoved(user: string): boolean {
    return this.removed.has(user);
  }

  removal(user: string): RemovedRecord | undefined {
    return this.removed.get(user);
  }

  private owners(): number {
    let n = 0;
    for (const r of this.roles.values()) if (r === 'owner') n++;
    return n;
  }

  /** The fields a member's record carries on the wire besides id, name and presence. */
  memberFlags(user: string): Pick<Member, 'role' | 'removed'> {
    const role = this.roles.get(user);
    return { ...(role ? { role } : {}), ...(this.removed.has(user) ? { removed: true } : {}) };
  }

  /**
   * Gives the team its owner: the member named at start (once they exist), else, while the team
   * has no owner, its first member (the earliest still on the team). Returns members whose role
   * changed.
   */
  resolveOwner(users: Iterable<UserRecord>): string[] {
    const list = [...users].filter((u) => !this.removed.has(u.id));
    let pick: UserRecord | undefined;
    if (this.opts.owner !== undefined) pick = list.find((u) => sameName(u.name, this.opts.owner!));
    else if (this.owners() === 0) pick = list.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))[0];
    if (!pick || this.roles.get(pick.id) === 'owner') return [];
    this.store.setRole(pick.id, 'owner');
    this.roles.set(pick.id, 'owner');
    this.log(`${pick.name} (${pick.id}) owns the team`);
    return [pick.id];
  }

  // ---- rooms ----

  creatorOf(conv: string): string | undefined {
    return this.creators.get(conv);
  }

  roomCreated(conv: string, user: string): void {
    this.store.setRoomCreator(conv, user);
    this.creators.set(conv, user);
  }

  /** What the rules (src/relay/rules.ts) need to know about a room. */
  roomFacts(state: AdminConv): RoomFacts {
    return { kind: state.rec.kind, name: state.rec.name, ...(this.creators.has(state.rec.id) ? { creator: this.creators.get(state.rec.id) } : {}) };
  }

  /** Why `user` may not change the topic, archive or pins of `state` (undefined: they may). */
  manageRefusal(user: string, state: AdminConv, act: 'topic' | 'archive' | 'pin'): string | undefined {
    return manageRefusal({ id: user, role: this.roleOf(user) }, this.roomFacts(state), act)?.message;
  }

  // ---- acts ----

  /** `member.remove`: the member's connections close at once, they leave every room, their key is refused from then on. */
  remove(host: AdminHost, conn: Connection, f: Frame<'member.remove'>): void {
    const actor = conn.user!;
    const target = host.users.get(f.user);
    if (!target) return host.sendError(conn, ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
    const why = canRemove({ id: actor.id, role: this.roleOf(actor.id) }, { id: target.id, role: this.roleOf(target.id), removed: this.removed.has(target.id) }, this.owners());
    if (why) return host.sendError(conn, ErrorCode.forbidden, why, f.rid);
    const convs = [...host.conversations()].filter((c) => c.members.has(target.id));
    const rooms = convs.filter((c) => c.rec.kind === 'room');
    const record: RemovedRecord = { user: target.id, by: actor.id, ts: Date.now() };
    this.store.markRemoved(record, rooms.map((c) => c.rec.id));
    this.removed.set(target.id, record);
    this.roles.delete(target.id);
    // Out at once, every device, with the reason their window shows.
    const message = `${actor.name} removed you from the team`;
    for (const c of [...host.connections(target.id)]) {
      host.sendError(c, ErrorCode.removed, message);
      c.close(CloseCode.removed, `removed from the team by ${actor.name}`);
    }
    // The notice goes in every conversation they were in (their messages stay there, marked).
    for (const c of convs) host.notice(conn, c.rec.id, { kind: 'admin', act: 'remove', user: target.id });
    for (const c of rooms) host.leftRoom(c, target.id);
    // Names they kept for someone with a named invite are free again; nobody joins on their word.
    const voided = host.revokeInvites(target.id);
    if (voided) host.log(`voided ${voided} named invite(s) ${target.name} had made`);
    host.announceMember(target.id, conn, f.rid);
    host.log(`${actor.name} removed ${target.name} (${target.id}) from the team`);
  }

  /** `member.role`: owners make admins and owners and take those roles back. */
  setRole(host: AdminHost, conn: Connection, f: Frame<'member.role'>): void {
    const actor = conn.user!;
    const target = host.users.get(f.user);
    if (!target) return host.sendError(conn, ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
    const why = canSetRole({ id: actor.id, role: this.roleOf(actor.id) }, { id: target.id, role: this.roleOf(target.id), removed: this.removed.has(target.id) }, f.role, this.owners());
    if (why) return host.sendError(conn, ErrorCode.forbidden, why, f.rid);
    this.store.setRole(target.id, f.role);
    if (f.role === 'member') this.roles.delete(target.id);
    else this.roles.set(target.id, f.role);
    const general = this.general(host);
    if (general) host.notice(conn, general.rec.id, { kind: 'admin', act: 'role', user: target.id, role: f.role });
    host.announceMember(target.id, conn, f.rid);
    host.log(`${actor.name} made ${target.name} ${f.role === 'member' ? 'a member' : `an ${f.role}`}`);
  }

  /**
   * `secret.rotate`: a new secret the relay makes replaces the old one, which no new member can
   * use from then on (members already in sign in with their keys). The new one goes to the admin
   * who asked, to the admins online and to `onSecret`; the store keeps only its hash.
   */
  rotate(host: AdminHost, conn: Connection, f: Frame<'secret.rotate'>): void {
    const actor = conn.user!;
    const why = canRotate({ role: this.roleOf(actor.id) });
    if (why) return host.sendError(conn, ErrorCode.forbidden, why, f.rid);
    const secret = randomBytes(18).toString('base64url');
    this.setSecret(secret);
    // A rotation ends every way in that was handed out before it, named invites included.
    const voided = host.revokeInvites();
    if (voided) host.log(`the rotation voided ${voided} waiting named invite(s)`);
    const general = this.general(host);
    if (general) host.notice(conn, general.rec.id, { kind: 'admin', act: 'rotate' });
    const event = JSON.stringify({ t: 'secret', secret });
    for (const [id, role] of this.roles) {
      if (role !== 'owner' && role !== 'admin') continue;
      for (const c of host.connections(id)) c.push(c === conn ? JSON.stringify({ t: 'secret', rid: f.rid, secret }) : event);
    }
    host.log(`${actor.name} rotated the team secret`);
    try {
      this.opts.onSecret?.(secret);
    } catch (err) {
      host.log(`passing on the new team secret failed: ${(err as Error).message}`);
    }
  }

  private general(host: AdminHost): AdminConv | undefined {
    for (const c of host.conversations()) if (c.rec.kind === 'room' && c.rec.name === DEFAULT_ROOM) return c;
    return undefined;
  }

  // ---- the team secret ----

  /** Whether new members must present a secret. */
  get secretRequired(): boolean {
    return this.stored !== undefined;
  }

  /** The current secret, when this process knows it. */
  get secret(): string | undefined {
    return this.plain;
  }

  /**
   * Compares a presented secret with the team's: `open` (the relay has none), `current`,
   * `retired` (one rotated away: a member already in may still present it; a new member may
   * not) or `wrong`. Constant-time; the scrypt runs only while the relay does not know the
   * current secret itself (after a restart following a rotation, until someone presents it).
   */
  checkSecret(presented: string | undefined): SecretCheck {
    const s = this.stored;
    if (!s) return 'open';
    if (presented === undefined || presented.length > 256) return 'wrong';
    if (this.plain !== undefined && secretMatches(this.plain, presented)) return 'current';
    const retired = this.retired().some((r) => timingSafeEqual(Buffer.from(sha256(r.salt, presented), 'hex'), Buffer.from(r.sha256, 'hex')));
    if (retired) return 'retired';
    if (this.plain !== undefined) return 'wrong';
    // Not held in clear (a restart after a rotation): scrypt, once per distinct wrong value (members
    // reconnecting with what they joined with are 'retired' above, without it).
    const seen = sha256('', presented);
    if (this.wrongSeen.has(seen)) return 'wrong';
    if (timingSafeEqual(Buffer.from(scrypt(presented, s.salt), 'hex'), Buffer.from(s.hash, 'hex'))) {
      this.plain = presented;
      this.wrongSeen.clear();
      return 'current';
    }
    this.wrongSeen.add(seen);
    if (this.wrongSeen.size > WRONG_REMEMBERED) this.wrongSeen.delete(this.wrongSeen.values().next().value as string);
    return 'wrong';
  }

  /** Replaces the team secret (kept hashed, and as rotated: a restart with the old one keeps this one). */
  setSecret(secret: string): void {
    const old = this.plain;
    if (old !== undefined && old !== secret) this.retire(old);
    this.writeSecret(secret, true);
  }

  private loadSecret(): void {
    const raw = this.store.setting('secret');
    const stored = raw ? (JSON.parse(raw) as StoredSecret) : undefined;
    const given = this.opts.secret;
    if (!stored) {
      if (given !== undefined) this.writeSecret(given, false);
      return;
    }
    this.stored = stored;
    if (given === undefined) {
      // Started without a secret: one set by a rotation still holds; one only mirrored from an
      // earlier start goes with the option.
      if (!stored.rotated) this.clearSecret();
      return;
    }
    if (timingSafeEqual(Buffer.from(scrypt(given, stored.salt), 'hex'), Buffer.from(stored.hash, 'hex'))) {
      this.plain = given;
      return;
    }
    if (stored.rotated && this.retired().some((r) => r.sha256 === sha256(r.salt, given))) {
      this.log(`the team secret given at start was rotated away on ${new Date(stored.at).toISOString()}; the rotated one stays (give it with --secret, or a new one to replace it)`);
      return;
    }
    // A new secret from whoever runs the relay replaces the stored one.
    this.stored = undefined;
    this.writeSecret(given, false);
    this.log('the team secret given at start replaces the one kept in the store');
  }

  private writeSecret(secret: string, rotated: boolean): void {
    const salt = randomBytes(16).toString('hex');
    const s: StoredSecret = { salt, hash: scrypt(secret, salt), ...(rotated ? { rotated: true } : {}), at: Date.now() };
    this.store.setSetting('secret', JSON.stringify(s));
    this.stored = s;
    this.plain = secret;
    this.wrongSeen.clear();
  }

  private clearSecret(): void {
    this.store.setSetting('secret', '');
    this.stored = undefined;
    this.plain = undefined;
  }

  private retire(secret: string): void {
    const salt = randomBytes(16).toString('hex');
    const list = [{ salt, sha256: sha256(salt, secret) }, ...this.retired()].slice(0, RETIRED_KEPT);
    this.store.setSetting('secret.retired', JSON.stringify(list));
  }

  private retired(): RetiredSecret[] {
    const raw = this.store.setting('secret.retired');
    return raw ? (JSON.parse(raw) as RetiredSecret[]) : [];
  }
}
