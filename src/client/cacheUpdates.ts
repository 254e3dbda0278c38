import {
  HIDDEN_KINDS,
  NOTICE_KINDS,
  threadOf,
  type Conversation,
  type Member,
  type Message,
  type ResetEvent,
  type TeamRole,
  type WelcomeEvent,
} from '../protocol/wire';
import type { ClientStore } from './clientStore';
import type { ConversationState, Emit } from './clientTypes';

/**
 * What the client knows of the team, kept in its store and updated from the relay's events:
 * conversations with their cursors and markers, members and presence, who I am. The store is
 * written inside the transaction of the relay frame being applied (see ParleyClient); a frame's
 * conversations are written and announced once, at its end (`endFrame`).
 */
export class ClientCache {
  private readonly convs = new Map<string, { conv: Conversation; cursor: number }>();
  private readonly memberMap = new Map<string, Member>();
  private readonly unreadCache = new Map<string, { read: number; count: number }>();
  /** Conversations the messages of the relay frame being handled touched. */
  private readonly frameTouched = new Set<string>();
  private me: { id: string; name: string } | undefined;
  private epoch: string | undefined;

  constructor(
    private readonly store: ClientStore,
    private readonly emit: Emit,
    private readonly log: (line: string) => void,
  ) {
    this.epoch = store.get('epoch');
    const me = store.get('me');
    if (me) this.me = JSON.parse(me) as { id: string; name: string };
    for (const [id, c] of store.conversations()) this.convs.set(id, c);
    for (const m of store.members()) this.memberMap.set(m.id, { ...m, presence: 'offline' });
  }

  get self(): { id: string; name: string } | undefined {
    return this.me;
  }

  /** The relay store's epoch this cache holds messages of (sent back in `sync`). */
  get storeEpoch(): string | undefined {
    return this.epoch;
  }

  members(): Member[] {
    return [...this.memberMap.values()];
  }

  roleOf(user: string): TeamRole {
    return this.memberMap.get(user)?.role ?? 'member';
  }

  conversations(): ConversationState[] {
    return [...this.convs.values()].map((c) => this.view(c.conv));
  }

  conversation(id: string): ConversationState | undefined {
    const c = this.convs.get(id);
    return c ? this.view(c.conv) : undefined;
  }

  cursor(conv: string): number | undefined {
    return this.convs.get(conv)?.cursor;
  }

  /** Every conversation's cursor, for a `sync`. */
  cursors(): Record<string, number> {
    const cursors: Record<string, number> = {};
    for (const [id, c] of this.convs) cursors[id] = c.cursor;
    return cursors;
  }

  /** My read markers, before a welcome replaces them (those that moved offline go to the relay). */
  readMarkers(): Map<string, number> {
    return new Map([...this.convs].map(([id, c]) => [id, c.conv.read]));
  }

  /**
   * A conversation with its unread count. The count is computed from the cache once per read
   * marker and then kept up to date as messages arrive (a COUNT per incoming message would cost
   * O(unread) each time in a busy room nobody reads).
   */
  view(conv: Conversation): ConversationState {
    const cached = this.unreadCache.get(conv.id);
    if (cached && cached.read === conv.read) return { ...conv, unread: cached.count };
    const count = this.store.unread(conv.id, conv.read, this.me?.id ?? '');
    this.unreadCache.set(conv.id, { read: conv.read, count });
    return { ...conv, unread: count };
  }

  /** The welcome: who I am, the members, the conversations I am in (a new epoch drops the cache first). */
  welcome(e: WelcomeEvent): void {
    const store = this.store;
    if (this.epoch !== undefined && this.epoch !== e.epoch) {
      this.log(`relay store changed (epoch ${this.epoch} -> ${e.epoch}); dropping the cache`);
      store.clearAll();
      this.unreadCache.clear();
      for (const id of this.convs.keys()) this.emit('reset', id, 'epoch');
      this.convs.clear();
    }
    this.epoch = e.epoch;
    this.me = e.you;
    store.transaction(() => {
      store.set('epoch', e.epoch);
      store.set('me', JSON.stringify(e.you));
      store.set('members', JSON.stringify(e.members));
      const live = new Set(e.conversations.map((c) => c.id));
      for (const id of [...this.convs.keys()]) if (!live.has(id)) this.left(id);
      for (const c of e.conversations) this.upsertConv(c, true);
    });
    this.memberMap.clear();
    for (const m of e.members) this.memberMap.set(m.id, m);
    this.emit('members', this.members());
  }

  /** A conversation's state from the relay (joined, opened, changed). */
  conv(conv: Conversation): void {
    this.store.transaction(() => this.upsertConv(conv, false));
  }

  left(conv: string): void {
    this.convs.delete(conv);
    this.store.removeConversation(conv);
    this.emit('left', conv);
  }

  member(m: Member): void {
    this.memberMap.set(m.id, m);
    this.store.set('members', JSON.stringify(this.members()));
    this.emit('members', this.members());
  }

  presence(user: string, state: Member['presence']): void {
    const m = this.memberMap.get(user);
    if (!m) return;
    m.presence = state;
    this.emit('members', this.members());
  }

  /** The connection was lost: nobody is known to be online (no event: the state change says it). */
  allOffline(): void {
    for (const m of this.memberMap.values()) m.presence = 'offline';
  }

  /** A message; returns true when it left a gap behind the cursor (the relay must replay it). */
  msg(m: Message): boolean {
    const c = this.convs.get(m.conv);
    if (!c) return false; // a conversation we are not in (any more)
    if (m.seq <= c.cursor) return false; // already have it
    const store = this.store;
    let fresh = false;
    store.transaction(() => {
      fresh = store.putMessage(m);
      // Advance over this and anything after it that is already cached (sent ahead of a replay).
      while (store.hasMessage(m.conv, c.cursor + 1)) c.cursor++;
      if (m.seq > c.conv.head) c.conv = { ...c.conv, head: m.seq };
      if (m.author === this.me?.id && m.seq > c.conv.read) c.conv = { ...c.conv, read: m.seq };
    });
    if (fresh) {
      if (this.countsAsUnread(m, c.conv)) {
        const u = this.unreadCache.get(m.conv);
        if (u && u.read === c.conv.read) u.count++;
      }
      this.emit('message', m);
    }
    this.frameTouched.add(m.conv);
    return c.cursor < m.seq;
  }

  /** Stores a page of history (the unread count is computed again from the cache). */
  history(conv: string, messages: Message[]): void {
    this.store.transaction(() => {
      for (const m of messages) this.store.putMessage(m);
    });
    this.unreadCache.delete(conv);
  }

  /** The relay cannot replay a conversation's gap: start again at its head (true when we are in it). */
  reset(e: ResetEvent): boolean {
    const c = this.convs.get(e.conv);
    if (!c) return false;
    this.log(`reset of ${e.conv} (${e.reason}); loading the latest page`);
    this.store.resetConversation(e.conv, e.head);
    this.unreadCache.delete(e.conv);
    c.cursor = e.head;
    c.conv = { ...c.conv, head: e.head, read: Math.min(c.conv.read, e.head) };
    this.store.putConversation(c.conv, c.cursor);
    this.emit('reset', e.conv, e.reason);
    return true;
  }

  /** Moves my read marker forward here (never back); returns the new marker, or undefined. */
  markRead(conv: string, seq: number): number | undefined {
    const c = this.convs.get(conv);
    if (!c || seq <= c.conv.read) return undefined;
    c.conv = { ...c.conv, read: Math.min(seq, c.conv.head) };
    this.changed(conv);
    return c.conv.read;
  }

  /** My read marker moved in another of my windows. */
  read(conv: string, seq: number): void {
    const c = this.convs.get(conv);
    // A marker past the head (a relay's bug or a malicious one) would hide every later message
    // as read: markers go no further than the messages this client knows of.
    const read = c ? Math.min(seq, Math.max(c.conv.head, c.cursor)) : 0;
    if (!c || read <= c.conv.read) return;
    c.conv = { ...c.conv, read };
    this.changed(conv);
  }

  /** Another member's read marker moved (seq 0: they stopped sharing it). */
  seen(conv: string, user: string, seq: number): void {
    const c = this.convs.get(conv);
    if (!c) return;
    const seen = { ...(c.conv.seen ?? {}) };
    if (seq > 0) seen[user] = Math.min(seq, Math.max(c.conv.head, c.cursor));
    else delete seen[user];
    c.conv = { ...c.conv, seen };
    if (Object.keys(seen).length === 0) delete c.conv.seen;
    this.changed(conv);
  }

  /** The frame is applied: each conversation its messages touched is written and announced once. */
  endFrame(): void {
    for (const id of this.frameTouched) this.changed(id);
    this.frameTouched.clear();
  }

  /** Writes a conversation's state (cursor, head, markers) and tells listeners. */
  changed(id: string): void {
    const c = this.convs.get(id);
    if (!c) return;
    this.store.putConversation(c.conv, c.cursor);
    this.emit('conversation', this.view(c.conv));
  }

  /** Whether a new message adds to its conversation's unread count (as ClientStore.unread counts). */
  private countsAsUnread(m: Message, conv: Conversation): boolean {
    if (HIDDEN_KINDS.has(m.body.kind) || NOTICE_KINDS.has(m.body.kind) || m.author === this.me?.id || m.seq <= conv.read) return false;
    // A reply counts only in a thread I am in.
    const root = threadOf(m.body);
    return root === undefined || this.store.threadParticipants(m.conv, root).has(this.me?.id ?? '');
  }

  private upsertConv(conv: Conversation, fromWelcome: boolean): void {
    const existing = this.convs.get(conv.id);
    // A conversation new to us: from the welcome, what is past our read marker is replayed (it is
    // unread); one we just joined or opened starts at its head. Older history is paged on demand.
    const cursor = existing ? existing.cursor : fromWelcome ? Math.min(conv.read, conv.head) : conv.head;
    const head = Math.max(conv.head, existing?.conv.head ?? 0);
    // Markers never pass the head (see `read`).
    const merged: Conversation = { ...conv, head, read: Math.min(Math.max(conv.read, existing?.conv.read ?? 0), head) };
    if (conv.seen) merged.seen = Object.fromEntries(Object.entries(conv.seen).map(([u, s]) => [u, Math.min(s, head)]));
    this.convs.set(conv.id, { conv: merged, cursor });
    this.store.putConversation(merged, cursor);
    if (!fromWelcome || !existing) this.emit('conversation', this.view(merged));
  }
}
