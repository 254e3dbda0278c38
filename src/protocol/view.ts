import { z } from 'zod';
import { Emoji, type Body, type Member, type PresenceState, type SearchHit } from './wire';

// Host <-> webview messages (postMessage). The host owns the socket, the store and all state;
// the webview renders what it is given and asks the host to act. The webview posts `ready` when
// it loads and receives a snapshot, so a view that was hidden or reloaded misses nothing.

// The plain values of this protocol live in viewShared.ts (no zod), which the webview imports.
export { isSignedIn, MENTIONS_QUERY, VIEW_PROTOCOL_VERSION } from './viewShared';

export type ConnectionView = {
  state: 'signedOut' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'stopped';
  detail?: string;
  relayUrl?: string;
  /** Set while this window hosts the relay. */
  hosting?: { addresses: string[]; online: number; members: number; shared: boolean; secure: boolean; announced: boolean };
};

/** A team announcing itself on the local network (DNS-SD). */
export interface DiscoveredTeamView {
  id: string;
  team: string;
  host: string;
  url: string;
  members: number;
  online: number;
  secure: boolean;
  secret: boolean;
  /**
   * How far this client trusts the answer: `trusted`, its certificate is pinned for this address;
   * `changed`, pinned but the announced fingerprint differs; `unknown`, wss:// never trusted here;
   * `plain`, ws:// (nothing to pin).
   */
  trust: 'trusted' | 'changed' | 'unknown' | 'plain';
  /** Entries (this one included) whose team names would pass for each other; 2 or more: flagged. */
  sameName: number;
  /** The announced certificate fingerprint (AB:CD:…), when not trusted: to compare with the host's. */
  fingerprint?: string;
}

export interface ConversationView {
  id: string;
  kind: 'room' | 'dm';
  /** Shown name: '#room' or the other member's name. */
  title: string;
  topic?: string;
  members: string[];
  unread: number;
  /** An archived room: read-only until unarchived. */
  archived?: boolean;
  /** Who created the room (they manage it; see protocol/roles.ts). */
  creator?: string;
  /** The other member, for direct messages (presence dot). */
  peer?: string;
  /** Time of the newest message known, for sorting; 0 when none. */
  lastTs: number;
  head: number;
  read: number;
  /** Unread messages that mention me (by name, or @room/@here). */
  mentions: number;
  /** How far the other members have read, for those who share it (DMs and small rooms). */
  seen?: Record<string, number>;
  /** Muted on this machine: no notifications, and its unread messages count in no badge but the list's. */
  muted?: boolean;
}

export type DeliveryView = 'queued' | 'sent' | 'failed';

export interface MessageView {
  /** seq for stored messages; absent for ones still in the outbox. */
  seq?: number;
  id: string;
  author: string;
  ts: number;
  body: Body;
  edited?: string;
  deleted?: boolean;
  delivery?: DeliveryView;
  error?: string;
  /** Set when the stored message cannot be shown (why, for the log); `body` is then a placeholder. */
  unreadable?: string;
  /** data: URL of an image file's bytes, when it was small enough to preview. */
  preview?: string;
  /** Emoji reactions, each with who reacted (member ids, in order), including ones still queued. */
  reactions?: { emoji: string; users: string[] }[];
  /** Pinned in the conversation: by whom, when. */
  pinned?: { by: string; ts: number };
  /** On a thread's root: how many replies, the newest reply's time, the latest repliers (newest first, at most 3). */
  replies?: { count: number; lastTs: number; users: string[]; /** Unread replies, in a thread I am in. */ unread?: number };
}

/** The thread open beside the active conversation. */
export interface ThreadView {
  conv: string;
  root: number;
  /** The root message; absent when this window does not hold it (older than its cache). */
  message?: MessageView;
  /** Replies, oldest first, then those still queued. */
  replies: MessageView[];
  /** Whether its replies notify me: followed by hand, or I took part in it and did not leave it. */
  following: boolean;
}

export interface ViewSnapshot {
  v: number;
  connection: ConnectionView;
  me?: { id: string; name: string };
  members: Member[];
  conversations: ConversationView[];
  active?: string;
  /** Messages of the active conversation, oldest first (the newest page or more). */
  messages: MessageView[];
  /** Whether older messages exist before messages[0]. */
  more: boolean;
  /** The open thread of the active conversation, if any. */
  thread?: ThreadView;
  /** The active conversation's pinned messages (that this window holds), most recently pinned first. */
  pinned: MessageView[];
  maxFileBytes: number;
  prefill: { relayUrl: string; name: string };
  /** Teams on this network, for the join screen (empty when discovery is off). */
  discovered: DiscoveredTeamView[];
  /** Composer drafts the host kept (they survive a reload that the view's own state may not). */
  drafts: Record<string, { text: string; at: number }>;
  /** Where the view was, as the host kept it (it survives a reload that the view's own state may not). */
  place?: ViewPlace;
  /** Set when the host could not build the full snapshot: shown as an error in any layout. */
  problem?: string;
  /** Whether this window looks for teams on the network (parley.discovery.enabled). */
  discovery: boolean;
  /** More answered than could be listed: someone on the network may be imitating teams. */
  discoveryFlooded?: boolean;
  /** The relay's limits for what the composer sends (from its welcome), when connected once. */
  limits?: { maxTextChars: number; maxFileBytes: number };
}

export type HostToView =
  | { type: 'snapshot'; snapshot: ViewSnapshot }
  /** Answers `loadOlder` (same `rid`). */
  | { type: 'older'; rid: string; conv: string; messages: MessageView[]; more: boolean }
  | { type: 'typing'; conv: string; user: string }
  /**
   * Answers `openResult` (same `rid`): show message `seq` of the active conversation in context;
   * `messages` runs from before it to the newest. With `reply`, the open thread's reply to show.
   */
  | { type: 'reveal'; rid: string; conv: string; seq: number; reply?: number; messages: MessageView[]; more: boolean }
  /** `pane`: that composer only (a focus given back after a reload); absent: the thread's when one is open, else the conversation's. */
  | { type: 'focusComposer'; pane?: 'main' | 'thread' }
  /** Put the keyboard focus somewhere useful in the view as it is (Parley: Open Chat). */
  | { type: 'focus' }
  | { type: 'focusSearch' }
  /** Answers `search` or `mentions` (same `rid`; the view ignores answers to a request it no longer waits for). */
  | { type: 'results'; rid: string; q: string; hits: SearchHit[]; more: boolean; error?: string }
  /** With `rid`: the request of that id failed (no other answer comes). */
  | { type: 'notice'; level: 'info' | 'error'; text: string; rid?: string };

export type { Member, PresenceState, SearchHit };

const Conv = z.string().min(1).max(64);

/**
 * Where the chat view was: what a narrow view showed (the list or the conversation) and, when the
 * open conversation was scrolled up from its bottom, which row was first on screen and how far
 * from the top. `at`: when it changed (ms), the newer of the view's and the host's copy wins.
 */
export const ViewPlace = z.object({
  screen: z.enum(['list', 'chat']),
  scroll: z.object({ conv: Conv, key: z.string().min(1).max(200), offset: z.number().finite().min(-1e6).max(1e6) }).optional(),
  at: z.number().int().nonnegative(),
});
export type ViewPlace = z.infer<typeof ViewPlace>;
/**
 * Request id of a view message that gets a reply; the reply echoes it, so the view matches answers
 * to what it asked (not to their content) and drops one that arrives after a newer request.
 */
const Rid = z.string().min(1).max(64);

export const ViewToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), v: z.number().int() }),
  z.object({ type: z.literal('join'), relayUrl: z.string().max(2048), name: z.string().max(64), secret: z.string().max(512) }),
  z.object({ type: z.literal('host'), name: z.string().max(64) }),
  z.object({ type: z.literal('invite'), text: z.string().max(8192) }),
  z.object({ type: z.literal('select'), conv: Conv }),
  z.object({ type: z.literal('send'), conv: Conv, text: z.string().min(1).max(100_000), thread: z.number().int().min(1).optional() }),
  z.object({ type: z.literal('openThread'), conv: Conv, root: z.number().int().min(1) }),
  z.object({ type: z.literal('closeThread') }),
  z.object({ type: z.literal('edit'), conv: Conv, target: z.number().int().nonnegative(), text: z.string().min(1).max(100_000) }),
  z.object({ type: z.literal('delete'), conv: Conv, target: z.number().int().nonnegative() }),
  z.object({ type: z.literal('pin'), conv: Conv, target: z.number().int().nonnegative(), on: z.boolean() }),
  /** Mutes (or unmutes) a conversation's notifications on this machine. */
  z.object({ type: z.literal('mute'), conv: Conv, on: z.boolean() }),
  /** Follows (or leaves) a thread: whether its replies notify me. */
  z.object({ type: z.literal('follow'), conv: Conv, root: z.number().int().min(1), on: z.boolean() }),
  z.object({ type: z.literal('react'), conv: Conv, target: z.number().int().nonnegative(), emoji: Emoji, on: z.boolean() }),
  z.object({
    type: z.literal('sendFile'),
    conv: Conv,
    name: z.string().min(1).max(255),
    mime: z.string().max(128),
    data: z.string(),
    thread: z.number().int().min(1).optional(),
  }),
  /** Files dragged from VS Code (Explorer, editor tabs) into a composer: the host reads and sends each. */
  z.object({
    type: z.literal('sendUris'),
    conv: Conv,
    uris: z.array(z.string().min(1).max(4096)).min(1).max(1000), // over MAX_DROPPED: refused by the handler, with a notice
    thread: z.number().int().min(1).optional(),
  }),
  /** The Mentions list: answered with `results` for the query MENTIONS_QUERY. */
  z.object({ type: z.literal('mentions'), rid: Rid }),
  z.object({ type: z.literal('search'), rid: Rid, q: z.string().min(1).max(200), conv: Conv.optional(), from: z.string().min(1).max(64).optional() }),
  /** Show a search result in its conversation (and thread). */
  z.object({ type: z.literal('openResult'), rid: Rid, conv: Conv, seq: z.number().int().min(1), thread: z.number().int().min(1).optional() }),
  /** `before`: the oldest seq the view shows (older cached messages are served first). */
  z.object({ type: z.literal('loadOlder'), rid: Rid, conv: Conv, before: z.number().int().min(1).optional() }),
  z.object({ type: z.literal('retry'), id: z.string().max(64) }),
  z.object({ type: z.literal('discard'), id: z.string().max(64) }),
  z.object({ type: z.literal('read'), conv: Conv, seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('typing'), conv: Conv }),
  /** A composer's draft changed (`text` empty: gone); `key` is the conversation or `conv:root` of a thread. */
  z.object({ type: z.literal('draft'), key: z.string().min(1).max(160), text: z.string().max(100_000), at: z.number().int().nonnegative() }),
  /** The view moved (another screen, scrolled); kept by the host across a reload. */
  z.object({ type: z.literal('place'), place: ViewPlace }),
  /** Which field of the view has the keyboard focus (null: none, or the focus left the view); kept across a reload. */
  z.object({ type: z.literal('focusState'), field: z.enum(['composer', 'thread', 'search']).nullable() }),
  z.object({ type: z.literal('openLink'), url: z.string().max(4096) }),
  z.object({ type: z.literal('saveFile'), conv: Conv, seq: z.number().int().nonnegative() }),
  /** Opens a received text file in an editor (read-only, not saved anywhere). */
  z.object({ type: z.literal('openFile'), conv: Conv, seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('openDm'), user: z.string().min(1).max(64) }),
  /** Team administration of one member (the host asks which act, then confirms; the relay decides). */
  z.object({ type: z.literal('manageMember'), user: z.string().min(1).max(64) }),
  z.object({ type: z.literal('copy'), text: z.string().max(2_000_000) }),
  z.object({
    type: z.literal('snippet'),
    conv: Conv,
    seq: z.number().int().nonnegative(),
    action: z.enum(['open', 'compare', 'insert', 'copy', 'save', 'openDiff', 'apply']),
  }),
  z.object({ type: z.literal('openRef'), path: z.string().min(1).max(1024), line: z.number().int().min(1), col: z.number().int().min(1).optional() }),
  z.object({
    type: z.literal('command'),
    command: z.enum([
      'startDm',
      'createRoom',
      'joinRoom',
      'leaveRoom',
      'reconnect',
      'signOut',
      'showLog',
      'copyInvite',
      'hostingStatus',
      'setTopic',
      'archiveRoom',
      'unarchiveRoom',
    ]),
  }),
]);
export type ViewToHost = z.infer<typeof ViewToHost>;
