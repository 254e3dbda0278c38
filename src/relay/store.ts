import type { Body, Message, SearchHit } from '../protocol/wire';
import type { ErrorCode } from '../protocol/constants';
import type { TargetRefusal } from './rules';
import type { SearchTerms } from './searchText';

// The relay's storage, behind an interface so that a server database (PostgreSQL, …) can replace
// the embedded SQLite file without touching the relay. Calls are synchronous: the embedded store
// is in-process, and a networked store would sit behind a write-behind queue that keeps this shape.
// A store only persists: what a message may do to another, and what it then changes, is decided by
// src/relay/rules.ts (decideAppend), which a store calls inside its batch transaction with the
// target as that transaction sees it, then carries out the effects it gets back.

export interface UserRecord {
  id: string;
  name: string;
  /**
   * nameKey(name) (src/protocol/names.ts: confusable skeleton of the NFKC, case-folded name);
   * unique. A member whose key collided with an earlier member's when keys were recomputed keeps
   * `<key> <id>` here (see SqliteStore's migration).
   */
  norm: string;
  /**
   * sha256 (hex) of the member's protocol-1 identity key while they have not migrated;
   * `retired:<hash>` once a device key was bound with it; `none:<id>` for members made with a device key.
   */
  keyHash: string;
  created: number;
  /** Whether the member lets others see how far they have read ("seen by"); default true. */
  shareRead?: boolean;
}

/** A name a member gave up by renaming: kept for them (they may take it back; nobody else may). */
export interface ReservedName {
  /** nameKey(name); unique. */
  norm: string;
  user: string;
  /** The name as it was written. */
  name: string;
  since: number;
}

/** An invite for one name (see relay/inviteTokens.ts); the token itself is never stored. */
export interface InviteRecord {
  /** sha256 of the token, hex. */
  hash: string;
  /** The name it reserves. */
  name: string;
  /** The member who made it. */
  maker: string;
  created: number;
  expires: number;
}

/** One of a member's devices: an Ed25519 public key that signs in as them. */
export interface DeviceRecord {
  id: string;
  user: string;
  /** Public key, base64url (unique across all members). */
  key: string;
  label: string;
  added: number;
  /** Last sign-in (ms). */
  seen?: number;
}

/** A member an admin removed from the team (src/relay/admin.ts). */
export interface RemovedRecord {
  user: string;
  /** The admin who removed them. */
  by: string;
  ts: number;
}

export interface ConversationRecord {
  id: string;
  kind: 'room' | 'dm';
  name: string;
  topic?: string;
  members: string[];
  head: number;
  /** Lowest seq still stored (1 when nothing was pruned). */
  floor: number;
  /** Archived rooms are read-only until unarchived. */
  archived?: boolean;
}

export interface AppendItem {
  conv: string;
  author: string;
  /** Client-chosen message id; unique per author. */
  id: string;
  ts: number;
  body: Body;
  /** File bytes, stored in the same transaction as the message. */
  chunks?: Buffer[];
}

export type AppendResult =
  { ok: true; message: Message; dup: boolean } | { ok: false; code: TargetRefusal['code'] | typeof ErrorCode.unknownConversation; message: string };

export interface SearchQuery extends SearchTerms {
  /** Only these conversations (the searcher's). */
  convs: string[];
  from?: string;
  limit: number;
}

export interface FileInfo {
  conv: string;
  size: number;
  count: number;
}

export interface Store {
  /** Random id made when the store was created; a new epoch tells clients their caches are void. */
  readonly epoch: string;
  /** Where the data lives, for the log line. */
  readonly location: string;

  users(): UserRecord[];
  createUser(user: UserRecord): void;
  renameUser(id: string, name: string, norm: string): void;
  /** Marks the member's protocol-1 key as used up: it no longer signs in. */
  retireLegacyKey(id: string): void;
  /** Names kept for the members who gave them up (src/relay/nameIndex.ts). */
  reservedNames(): ReservedName[];
  /** Keeps a name for a member (replacing whoever held that key). */
  reserveName(r: ReservedName): void;
  releaseName(norm: string): void;
  /** What opening the store changed that an operator should know (logged by the relay once). */
  readonly openingNotes?: readonly string[];

  invites(): InviteRecord[];
  addInvite(invite: InviteRecord): void;
  removeInvite(hash: string): void;

  devices(): DeviceRecord[];
  /**
   * Adds a device, in one transaction with what makes it sign in: the new member it is the first
   * device of, or the protocol-1 key it replaces (retired).
   */
  addDevice(device: DeviceRecord, with_?: { user?: UserRecord; retireLegacyOf?: string }): void;
  removeDevice(id: string): void;
  deviceSeen(id: string, at: number): void;

  conversations(): ConversationRecord[];
  createConversation(conv: Omit<ConversationRecord, 'head' | 'floor' | 'archived'>): void;
  addMember(conv: string, user: string): void;
  removeMember(conv: string, user: string): void;

  /**
   * Stores a batch in one transaction (group commit) and returns one result per item, in order.
   * Assigns each conversation's next seq; a repeated (author, id) returns the stored original.
   * Each item's target (an event's, a reply's root) is looked up and put to rules.decideAppend:
   * its refusal is the item's result, its effects (rewritten text, tombstone, a file's bytes
   * dropped, the room's topic or archived flag) are stored with the item.
   * Each author's read marker moves past what they sent (as passRead: not a read others see).
   */
  appendBatch(items: AppendItem[]): AppendResult[];
  /** The message an author sent with this client id, if stored. */
  findByClientId(author: string, id: string): Message | undefined;
  /** Messages with seq > after, ascending, at most limit. */
  after(conv: string, after: number, limit: number): Message[];
  /**
   * The same messages as `after`, each already serialized as its `msg` event
   * (`{"t":"msg","m":{…}}`): the replay path sends them as they are, without parsing and
   * re-serializing every body.
   */
  afterJson(conv: string, after: number, limit: number): { seq: number; json: string }[];
  /** Messages with seq < before, the newest `limit` of them, ascending. */
  before(conv: string, before: number, limit: number): Message[];
  /**
   * The same as message JSON (`history`'s `messages` items), only as many of the newest as fit
   * in `maxBytes` (at least one), so a page of large messages is neither read whole to be cut
   * down nor parsed and serialized again.
   */
  beforeJson(conv: string, before: number, limit: number, maxBytes: number): { seq: number; json: string }[];
  /** Drops all but the newest `keep` messages of a conversation (retention). */
  prune(conv: string, keep: number): void;

  /** Messages matching a full-text query, newest first; one more than `limit` says there are more. */
  search(q: SearchQuery): SearchHit[];
  /** Indexes for search what was stored since, at most `maxRows` messages; true when all is indexed (search() indexes everything first). */
  indexPending(maxRows?: number): boolean;

  /**
   * The member read up to `seq` (their `read` frame): moves their read marker and the one others
   * see ("seen by") forward, never back; true when the one others see moved.
   */
  setRead(user: string, conv: string, seq: number): boolean;
  /**
   * Moves only the marker a member's unread messages start from (what came before they joined),
   * never back; not a read others see. appendBatch does the same for each author's messages.
   */
  passRead(user: string, conv: string, seq: number): void;
  /** A member's read markers (where their unread messages start), by conversation. */
  reads(user: string): Map<string, number>;
  /** Every member's read marker in a conversation. */
  convReads(conv: string): Map<string, number>;
  /** The markers members of a conversation set by reading (`setRead`), for "seen by"; none at 0. */
  convSeen(conv: string): Map<string, number>;
  setShareRead(user: string, on: boolean): void;

  // ---- team administration (src/relay/admin.ts) ----
  /** Members with a role above `member`. */
  roles(): { user: string; role: 'owner' | 'admin' }[];
  /** Sets a member's role (`member` drops their row). */
  setRole(user: string, role: 'owner' | 'admin' | 'member'): void;
  removedMembers(): RemovedRecord[];
  /** Marks a member removed and takes them out of every room (not direct messages), in one transaction. */
  markRemoved(r: RemovedRecord, rooms: string[]): void;
  /** Who created each room that records it. */
  roomCreators(): Map<string, string>;
  setRoomCreator(conv: string, user: string): void;
  /** A value the relay keeps beside its data (the team secret's hash), or undefined. */
  setting(key: string): string | undefined;
  setSetting(key: string, value: string): void;

  fileInfo(file: string): FileInfo | undefined;
  fileChunk(file: string, index: number): Buffer | undefined;

  close(): void;
}
