import { DEFAULT_ROOM, ErrorCode, SEEN_MAX_MEMBERS } from '../protocol/constants';
import type { Conversation, Member, Message, PresenceState } from '../protocol/wire';
import { isAuthed, type AuthedConnection, type Connection } from './connection';
import { encode, type EventJson } from './events';
import { applyNotice } from './rules';
import type { ConversationRecord, Store, UserRecord } from './store';
import type { TeamAdmin } from './admin';

// The hub: who is connected, who is in which conversation, and how a change becomes deliveries.
// Handlers decide and store; the hub turns "a message was committed in conv X", "Y joined or left
// a room", "member Y's presence changed", "Y is typing" into events queued on the connections
// that should see them, each event serialized once for all of them, and writes every
// connection's queue once per tick (the dirty set flushed in a microtask).
//
// This is the seam a bus between relay nodes plugs into (issue 17): a node that commits a
// message or sees a presence change publishes it, and every node's hub delivers it to its own
// connections through the same calls (`committed`, `presenceChanged`). Nothing outside this file
// walks the connections of a conversation's members.

/** A conversation as the relay holds it: its record, and its members as a set. */
export interface ConvState {
  rec: ConversationRecord;
  members: Set<string>;
}

export interface HubOptions {
  store: Store;
  admin: TeamAdmin;
  /** Called when a member comes online or goes offline. */
  onPresence?: () => void;
}

export class Hub {
  /** Every open connection, signed in or not. */
  readonly conns = new Set<Connection>();
  readonly users = new Map<string, UserRecord>();
  readonly convs = new Map<string, ConvState>();
  private readonly byUser = new Map<string, Set<AuthedConnection>>();
  private readonly dirty = new Set<Connection>();
  private flushScheduled = false;
  private readonly store: Store;
  private readonly admin: TeamAdmin;

  constructor(private readonly opts: HubOptions) {
    this.store = opts.store;
    this.admin = opts.admin;
    for (const c of this.store.conversations()) this.convs.set(c.id, { rec: c, members: new Set(c.members) });
  }

  // ---- connections ----

  opened(conn: Connection): void {
    this.conns.add(conn);
  }

  /** Registers a signed-in connection with its member (their presence is announced by the caller). */
  signedIn(conn: AuthedConnection): void {
    let set = this.byUser.get(conn.user.id);
    if (!set) this.byUser.set(conn.user.id, (set = new Set()));
    set.add(conn);
  }

  /** Forgets a closed connection; its member's presence is announced when it changed. */
  closed(conn: Connection): void {
    this.conns.delete(conn);
    this.dirty.delete(conn);
    if (!isAuthed(conn)) return;
    const user = conn.user;
    const set = this.byUser.get(user.id);
    if (!set) return;
    const was = this.presenceOf(user.id);
    set.delete(conn);
    if (set.size === 0) this.byUser.delete(user.id);
    this.presenceChanged(user.id, was);
  }

  connectionsOf(user: string): ReadonlySet<AuthedConnection> {
    return this.byUser.get(user) ?? NO_CONNECTIONS;
  }

  /** Members with at least one connection open. */
  onlineCount(): number {
    return this.byUser.size;
  }

  /** Writes `c`'s queue at the end of this tick, with every other connection's. */
  markDirty(c: Connection): void {
    this.dirty.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const list = [...this.dirty];
      this.dirty.clear();
      for (const conn of list) conn.flush();
    });
  }

  // ---- conversations ----

  general(): ConvState | undefined {
    for (const c of this.convs.values()) if (c.rec.kind === 'room' && c.rec.name === DEFAULT_ROOM) return c;
    return undefined;
  }

  /** The conversations `user` is in. */
  convsOf(user: string): ConvState[] {
    return [...this.convs.values()].filter((c) => c.members.has(user));
  }

  /**
   * The conversation `conv` when `conn`'s member is in it; else undefined, and `conn` was told why
   * (answering `ref`). A direct message the member is not in is answered as one that does not
   * exist: whether two others talk is not a third member's to learn. (Rooms are listed to all.)
   */
  memberConv(conn: AuthedConnection, conv: string, ref?: string): ConvState | undefined {
    const state = this.convs.get(conv);
    if (!state || (state.rec.kind === 'dm' && !state.members.has(conn.user.id))) {
      conn.error(ErrorCode.unknownConversation, `no conversation ${conv}`, ref);
      return undefined;
    }
    if (!state.members.has(conn.user.id)) {
      conn.error(ErrorCode.notMember, `not a member of ${conv}`, ref);
      return undefined;
    }
    return state;
  }

  createConv(rec: Omit<ConversationRecord, 'head' | 'floor' | 'archived'>): ConvState {
    this.store.createConversation(rec);
    const state: ConvState = { rec: { ...rec, head: 0, floor: 1 }, members: new Set(rec.members) };
    if (state.rec.topic === undefined) delete state.rec.topic;
    this.convs.set(rec.id, state);
    return state;
  }

  /** Adds `user` to a conversation; every member gets its new state (with `rid` on `conn`). */
  addMember(state: ConvState, user: string, conn?: Connection, rid?: string): void {
    this.store.addMember(state.rec.id, user);
    // What was said before joining is history, not unread; nor read: others do not see it so.
    if (state.rec.head > 0) this.store.passRead(user, state.rec.id, state.rec.head);
    state.members.add(user);
    state.rec.members = [...state.members];
    for (const m of state.members) this.pushConv(state, m, m === user ? conn : undefined, m === user ? rid : undefined);
  }

  /** Takes `user` out of a room's members in memory; the remaining members get its new state. */
  leftRoom(state: ConvState, user: string): void {
    state.members.delete(user);
    state.rec.members = [...state.members];
    for (const m of state.members) this.pushConv(state, m);
  }

  // ---- deliveries ----

  /**
   * A message was stored in its conversation's sequence: every connection of every member gets
   * it (one serialization for all), and a topic or archive notice changes the room itself, so its
   * members get the room's new state too.
   */
  committed(m: Message): void {
    const state = this.convs.get(m.conv);
    if (!state) return;
    state.rec.head = m.seq;
    const json = encode({ t: 'msg', m });
    for (const member of state.members) for (const c of this.connectionsOf(member)) c.push(json, { conv: m.conv, seq: m.seq });
    if (applyNotice(state.rec, m.body)) for (const member of state.members) this.pushConv(state, member);
  }

  /** `json` to every connection of `user` but `except`. */
  toUser(user: string, json: EventJson, except?: Connection): void {
    for (const c of this.connectionsOf(user)) if (c !== except) c.push(json);
  }

  /** `json` to every signed-in connection (of everyone but `exceptUser`). */
  toSignedIn(json: EventJson, opts: { droppable?: boolean; exceptUser?: string } = {}): void {
    for (const c of this.conns) {
      if (!c.user || c.user.id === opts.exceptUser) continue;
      c.push(json, opts.droppable ? { droppable: true } : {});
    }
  }

  /** Tells the other members of a conversation that `user` is typing (dropped under load). */
  typing(state: ConvState, user: string): void {
    const json = encode({ t: 'typing', conv: state.rec.id, user });
    for (const m of state.members) {
      if (m === user) continue;
      for (const c of this.connectionsOf(m)) c.push(json, { droppable: true });
    }
  }

  /** Sends a conversation's current state to every connection of `user` (with the rid on `conn`; only to `conn` when `onlyConn`). */
  pushConv(state: ConvState, user: string, conn?: Connection, rid?: string, onlyConn = false): void {
    const reads = this.store.reads(user);
    const conversation = this.convView(state, reads.get(state.rec.id) ?? 0, user);
    for (const c of this.connectionsOf(user)) {
      if (onlyConn && c !== conn) continue;
      c.send(c === conn && rid ? { t: 'conv', rid, conversation } : { t: 'conv', conversation });
    }
  }

  /** A conversation as `viewer` gets it: with their read marker and, where shared, the others'. */
  convView(state: ConvState, read: number, viewer: string): Conversation {
    const r = state.rec;
    const seen: Record<string, number> = {};
    if (this.sharesSeen(state)) {
      // Only markers members set by reading; joining and posting move only their unread start.
      for (const [user, seq] of this.store.convSeen(r.id)) {
        if (user !== viewer && seq > 0 && state.members.has(user) && this.users.get(user)?.shareRead !== false) seen[user] = seq;
      }
    }
    const creator = this.admin.creatorOf(r.id);
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      ...(r.topic !== undefined ? { topic: r.topic } : {}),
      members: [...state.members],
      head: r.head,
      read,
      ...(Object.keys(seen).length ? { seen } : {}),
      ...(r.archived ? { archived: true } : {}),
      ...(creator !== undefined ? { creator } : {}),
    };
  }

  /** Whether a conversation is small enough for "seen by". */
  sharesSeen(state: ConvState): boolean {
    return state.rec.kind === 'dm' || state.members.size <= SEEN_MAX_MEMBERS;
  }

  /** Tells the other members of a small conversation where `user` has read to (0: not shared). */
  announceSeen(state: ConvState, user: string, seq: number): void {
    if (!this.sharesSeen(state)) return;
    const json = encode({ t: 'seen', conv: state.rec.id, user, seq });
    for (const m of state.members) if (m !== user) this.toUser(m, json);
  }

  // ---- presence and members ----

  presenceOf(user: string): PresenceState {
    const set = this.byUser.get(user);
    if (!set || set.size === 0) return 'offline';
    for (const c of set) if (c.presence === 'online') return 'online';
    return 'away';
  }

  /** Member `user`'s presence may have changed from `was`: everyone signed in hears the new one. */
  presenceChanged(user: string, was: PresenceState): void {
    const now = this.presenceOf(user);
    if (now === was) return;
    this.opts.onPresence?.();
    this.toSignedIn(encode({ t: 'presence', user, state: now }), { droppable: true });
  }

  /** A member as the wire has it: with their role, and marked when removed. */
  memberView(u: UserRecord): Member {
    return { id: u.id, name: u.name, presence: this.admin.isRemoved(u.id) ? 'offline' : this.presenceOf(u.id), ...this.admin.memberFlags(u.id) };
  }

  /** Tells every connected member how `user` stands now (role, removed); the request's answer on `conn`. */
  announceMember(user: string, conn?: Connection, rid?: string): void {
    const u = this.users.get(user);
    if (!u) return;
    const member = this.memberView(u);
    const json = encode({ t: 'member', member });
    for (const c of this.conns) {
      if (!c.user || c.closed) continue;
      if (c === conn && rid !== undefined) c.send({ t: 'member', rid, member });
      else c.push(json);
    }
  }
}

const NO_CONNECTIONS: ReadonlySet<AuthedConnection> = new Set();
