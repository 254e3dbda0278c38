import { z } from 'zod';
import { MAX_SYNC_CURSORS, PROTOCOL_VERSION } from './constants';
import { USER_NAME_MAX, USER_NAME_PATTERN } from './nameRule';

// Plain values that modules without zod (the webview's) import from constants.ts directly.
export { NOTICE_KINDS, SEARCH_MARK_END, SEARCH_MARK_START, threadOf } from './constants';

// Client <-> relay frames. Every client frame is one JSON object; every relay frame is a JSON
// array of events (the relay coalesces what it sends to one connection within a tick).
// docs/PROTOCOL.md describes each type; keep the two in step.

const TOKEN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const token = (min: number, max: number) => z.string().min(min).max(max).regex(TOKEN_PATTERN, 'only A-Z a-z 0-9 _ - and starting with a letter or digit');

export const UserName = z.string().min(1).max(USER_NAME_MAX).regex(USER_NAME_PATTERN, 'letters, digits, . _ - and starting with a letter or digit');
export const RoomName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ - and starting with a letter or digit');
export const ConvId = token(1, 64);
export const UserId = token(1, 64);
export const MessageId = token(8, 64);
export const RequestId = token(1, 64);
export const FileId = token(1, 64);
/** A protocol-1 identity key (a secret sent raw); accepted only in `hello.legacy`, once, to migrate. */
export const IdentityKey = token(32, 128);
/** An Ed25519 public key: its 32 bytes, base64url without padding. */
export const PublicKey = z.string().regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'an Ed25519 public key (32 bytes, base64url)');
const Signature = z.string().regex(/^[A-Za-z0-9_-]{85}[AQgw]$/, 'an Ed25519 signature (64 bytes, base64url)');
const Nonce = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');
export const DeviceId = token(1, 64);
const Seq = z.number().int().nonnegative();
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex sha256');
export const Presence = z.enum(['online', 'away', 'offline']);

// ---- message bodies (what a client may send) ----

/** The seq of the message a reply belongs under (a thread's root, in the same conversation). */
const ThreadRoot = z.number().int().min(1);

export const TextBody = z.object({ kind: z.literal('text'), text: z.string().min(1), thread: ThreadRoot.optional() });

export const GitContext = z.object({
  remote: z.string().max(2048).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/)
    .optional(),
  branch: z.string().max(256).optional(),
  dirty: z.boolean().optional(),
});

export const SnippetBody = z.object({
  kind: z.literal('snippet'),
  code: z.string(),
  lang: z.string().max(64),
  path: z.string().max(1024).optional(),
  lines: z.object({ start: z.number().int().min(1), end: z.number().int().min(1) }).refine((l) => l.end >= l.start, 'end before start'),
  git: GitContext.optional(),
  hash: Sha256Hex,
  note: z.string().max(4000).optional(),
  /** The code is a unified diff of `path` against `git.commit` (from "Send Changes to…"). */
  patch: z.boolean().optional(),
  thread: ThreadRoot.optional(),
});

/**
 * What a relay takes in a sent snippet, beyond the stored shape: a language id (`typescript`,
 * `objective-c`, `c++`; it names a highlighter, a file extension and a code fence), and a path,
 * remote and branch without control or line-break characters (they are printed on one line in
 * cards, notices and exports). The relay also checks `hash` against `code` (handlers/messages.ts).
 */
export const LANGUAGE_ID_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9_.+#-]{0,63})?$/;
const LanguageId = z.string().regex(LANGUAGE_ID_PATTERN, 'a language id: up to 64 letters, digits, _ . + # - and starting with a letter or digit');
const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\p{Cc}\u2028\u2029]*$/u, 'no control or line-break characters');
const SentSnippetBody = SnippetBody.extend({
  lang: LanguageId,
  path: oneLine(1024).optional(),
  git: GitContext.extend({ remote: oneLine(2048).optional(), branch: oneLine(256).optional() }).optional(),
});

export const EditBody = z.object({ kind: z.literal('edit'), target: Seq, text: z.string().min(1) });
export const DeleteBody = z.object({ kind: z.literal('delete'), target: Seq });

/**
 * One emoji as a relay has stored it: a short run of visible characters holding at least one
 * pictograph or regional indicator (flags). What clients read: reactions stored before
 * `SentEmoji` was the rule must still decode.
 */
export const Emoji = z
  .string()
  .min(1)
  .refine((e) => e.length <= 32, 'an emoji is at most 32 UTF-16 code units')
  .regex(/^[^\s\p{Cc}\p{Cs}\p{Co}\p{Cn}]+$/u, 'an emoji has no spaces or control characters')
  .regex(/^[^\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+$/u, 'an emoji has no direction marks')
  .regex(/^[^A-Za-z]+$/, 'an emoji has no letters')
  .regex(/[\p{Extended_Pictographic}\p{Regional_Indicator}]/u, 'not an emoji');

/**
 * Exactly one emoji in its fully-qualified form, as Unicode recommends it for interchange
 * (`RGI_Emoji`: 👍, ❤️, 👩‍💻, 🇵🇱, 👍🏽) that `Emoji` also takes (so not a keycap, 1️⃣: clients
 * before this rule could not read one). Anything else that looks like one is refused: a
 * zero-width space, a filler, a combining mark or a text-style selector after 👍 would make a
 * second reaction drawn like the first. Unicode's list grows; a relay on an older Node refuses
 * the newest emoji with this message rather than store something it cannot check.
 */
const ONE_RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const NOT_ONE_EMOJI = 'not one emoji in its fully-qualified form (❤️, not ❤ or 👍 with an invisible character)';
export const SentEmoji = Emoji.refine((e) => ONE_RGI_EMOJI.test(e), NOT_ONE_EMOJI);

/** Adds (`on`) or removes the sender's reaction to message `target`; the newest event per sender and emoji wins. */
export const ReactBody = z.object({ kind: z.literal('react'), target: Seq, emoji: Emoji, on: z.boolean() });

/** Pins (`on`) or unpins message `target` in its conversation; the newest event per target wins. */
export const PinBody = z.object({ kind: z.literal('pin'), target: Seq, on: z.boolean() });
/** Sets a room's topic (empty: clears it); shown as a notice in the room. */
export const TopicBody = z.object({ kind: z.literal('topic'), text: z.string().max(250) });
/** Archives (`on`) a room — read-only until unarchived — or unarchives it; shown as a notice. */
export const ArchiveBody = z.object({ kind: z.literal('archive'), on: z.boolean() });

/** A member's role in the team (absent on the wire: `member`). */
export const TeamRole = z.enum(['owner', 'admin', 'member']);
/**
 * A team administration notice, written by the relay into the conversations an act affects (its
 * author is the admin who acted): `remove` (`user` was removed from the team), `role` (`user` now
 * has `role`), `rotate` (the team secret was replaced). Never sent by a client.
 */
export const AdminBody = z.object({
  kind: z.literal('admin'),
  act: z.enum(['remove', 'role', 'rotate']),
  user: UserId.optional(),
  role: TeamRole.optional(),
});

const SendBodyKinds = z.discriminatedUnion('kind', [TextBody, SentSnippetBody, EditBody, DeleteBody, ReactBody, PinBody, TopicBody, ArchiveBody]);
/**
 * A body as a client sends it: the stored shapes, with the stricter rules for what is new
 * (SentSnippetBody; an added reaction is SentEmoji, while one stored before that rule can still
 * be taken back).
 */
export const SendBody = SendBodyKinds.superRefine((b, ctx) => {
  if (b.kind === 'react' && b.on && !ONE_RGI_EMOJI.test(b.emoji)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: NOT_ONE_EMOJI, path: ['emoji'] });
});

/** Body kinds every relay accepts, including those from before `welcome.kinds` existed. */
export const BASE_SEND_KINDS: readonly string[] = ['text', 'snippet', 'edit', 'delete', 'react'];
/** Body kinds this build sends. */
export const SEND_KINDS: readonly string[] = SendBodyKinds.options.map((o) => o.shape.kind.value);

/**
 * What describes a file wherever it travels: the `upload` frame, the `file` body the relay makes
 * of it, the client's outbox entry and the relay's upload in progress. One schema so the limits
 * (a name of 1–255 characters, the mime and note caps) cannot drift apart between them.
 */
export const FileMeta = z.object({
  name: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
  sha256: Sha256Hex,
  mime: z.string().max(128).optional(),
  note: z.string().max(4000).optional(),
  /** The file is a reply in this thread (its root's seq). */
  thread: ThreadRoot.optional(),
});

/** A file body is made by the relay once an upload completes. */
export const FileBody = z.object({ kind: z.literal('file'), file: FileId, ...FileMeta.shape });

/** What a deleted message's body becomes: its content (and a file's bytes) are gone from the relay. */
export const DeletedBody = z.object({ kind: z.literal('deleted') });

/**
 * What a client makes of a body kind it does not know (one added by a newer relay or client): the
 * message keeps its seq, so the cursor moves on and nothing looks missing, but it is neither
 * shown nor counted. Never sent on the wire; decodeRelayFrame produces it.
 */
export const UnsupportedBody = z.object({ kind: z.literal('unsupported'), was: z.string().max(64) });

export const Body = z.discriminatedUnion('kind', [
  TextBody,
  SnippetBody,
  EditBody,
  DeleteBody,
  ReactBody,
  PinBody,
  TopicBody,
  ArchiveBody,
  FileBody,
  AdminBody,
  DeletedBody,
  UnsupportedBody,
]);

/** Body kinds that are events on another message (edits, deletions, reactions, pins), not messages to show. */
export const EVENT_KINDS: ReadonlySet<string> = new Set(['edit', 'delete', 'react', 'pin']);
/** Body kinds neither shown as a message nor counted as unread. */
export const HIDDEN_KINDS: ReadonlySet<string> = new Set([...EVENT_KINDS, 'unsupported']);
const KNOWN_BODY_KINDS: ReadonlySet<string> = new Set(Body.options.map((o) => o.shape.kind.value));

/** A body shown as a message of its own (not an event on another, not a kind this client does not know). */
export function isShownBody(b: z.infer<typeof Body>): b is Exclude<z.infer<typeof Body>, { kind: 'edit' | 'delete' | 'react' | 'pin' | 'unsupported' }> {
  return !HIDDEN_KINDS.has(b.kind);
}

// ---- client -> relay ----

/** The first frame: who this is, signed over the relay's nonce and the relay as the client reached it (see protocol/handshake.ts). */
export const HelloFrame = z.object({
  t: z.literal('hello'),
  v: z.number().int(),
  /**
   * No length cap of its own: a name of any length is the name rules' to refuse (`bad_name`, close
   * 4005, docs/PROTOCOL.md), not a malformed frame; the frame cap (maxFrameBytes) bounds it, and the
   * relay refuses an over-long name before any costly name work (NFC, confusable keys).
   */
  name: z.string(),
  /** This device's public key. */
  key: PublicKey,
  /** Ed25519 signature over helloPayload(...). */
  sig: Signature,
  /** The relay's address exactly as the client dialled it. */
  relay: z.string().min(1).max(2048),
  /** SHA-256 of the certificate the client saw (wss:// only). */
  fingerprint: Sha256Hex.optional(),
  /** A one-time code from one of the member's devices: adds this key as a new device. */
  code: z.string().max(32).optional(),
  /** A named invite's token (see `invite.make`): a new member under the invite's name, without the team secret. */
  invite: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/, 'an invite token (16 bytes, base64url)')
    .optional(),
  /** The protocol-1 key of a member who has no device yet: binds this key to that member, once. */
  legacy: IdentityKey.optional(),
  /** What to call this device in the member's device list ("VS Code on laptop"). */
  device: z.string().max(64).optional(),
  client: z.string().max(64).optional(),
});
/**
 * A sync's cursors, checked by hand and in place: a schema record costs about 3 µs a key, and
 * copying 5,000 keys into a new object cost more than checking them. Keys are conversation ids
 * (a `__proto__` key, which JSON gives as an own property, is refused like any other key that is
 * not one; readers look keys up with `Object.hasOwn`); values are seqs; more than
 * MAX_SYNC_CURSORS is refused before the rest is looked at.
 */
const Cursors = z.unknown().transform((v, ctx): Record<string, number> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'cursors must be an object of conversation id to seq' });
    return z.NEVER;
  }
  const record = v as Record<string, unknown>;
  let count = 0;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    if (++count > MAX_SYNC_CURSORS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `more than ${MAX_SYNC_CURSORS} cursors` });
      return z.NEVER;
    }
    const seq = record[k];
    if (k.length > 64 || !TOKEN_PATTERN.test(k)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(k.slice(0, 70))} is not a conversation id`, path: [k] });
      return z.NEVER;
    }
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a cursor is a whole number of at least 0', path: [k] });
      return z.NEVER;
    }
  }
  return record as Record<string, number>;
});
export const SyncFrame = z.object({
  t: z.literal('sync'),
  rid: RequestId,
  epoch: z.string().max(64).optional(),
  cursors: Cursors,
});
export const SendFrame = z.object({ t: z.literal('send'), id: MessageId, conv: ConvId, body: SendBody });
export const UploadFrame = z.object({ t: z.literal('upload'), id: MessageId, conv: ConvId, ...FileMeta.shape });
export const ChunkFrame = z.object({
  t: z.literal('chunk'),
  id: MessageId,
  index: z.number().int().nonnegative(),
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
});
export const FetchFrame = z.object({ t: z.literal('fetch'), rid: RequestId, file: FileId, index: z.number().int().nonnegative() });
export const HistoryFrame = z.object({
  t: z.literal('history'),
  rid: RequestId,
  conv: ConvId,
  before: Seq.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export const RoomCreateFrame = z.object({ t: z.literal('room.create'), rid: RequestId, name: RoomName, topic: z.string().max(250).optional() });
export const RoomJoinFrame = z.object({ t: z.literal('room.join'), rid: RequestId, conv: ConvId });
export const RoomLeaveFrame = z.object({ t: z.literal('room.leave'), rid: RequestId, conv: ConvId });
export const RoomListFrame = z.object({ t: z.literal('room.list'), rid: RequestId });
export const DmOpenFrame = z.object({ t: z.literal('dm.open'), rid: RequestId, user: UserId });
export const PresenceFrame = z.object({ t: z.literal('presence'), state: z.enum(['online', 'away']) });
export const TypingFrame = z.object({ t: z.literal('typing'), conv: ConvId });
export const ReadFrame = z.object({ t: z.literal('read'), conv: ConvId, seq: Seq });
/** The member's preferences: `shareRead` false keeps their read markers from other members. */
export const PrefsFrame = z.object({ t: z.literal('prefs'), shareRead: z.boolean() });
/** Asks for an invite that reserves `name` for the invitee (one use, seven days). */
export const InviteMakeFrame = z.object({ t: z.literal('invite.make'), rid: RequestId, name: z.string().max(256) });
/** Makes a one-time code another machine can use (in `hello.code`) to join as this member. */
export const DeviceCodeFrame = z.object({ t: z.literal('device.code'), rid: RequestId });
export const DeviceListFrame = z.object({ t: z.literal('device.list'), rid: RequestId });
/** Removes one of this member's devices; its connections close at once. */
export const DeviceRemoveFrame = z.object({ t: z.literal('device.remove'), rid: RequestId, device: DeviceId });
/** Removes a member from the team (admins; see docs/PROTOCOL.md, "Roles"): their connections close, their key is refused. */
export const MemberRemoveFrame = z.object({ t: z.literal('member.remove'), rid: RequestId, user: UserId });
/** Gives a member a role (owners only). */
export const MemberRoleFrame = z.object({ t: z.literal('member.role'), rid: RequestId, user: UserId, role: TeamRole });
/** Replaces the team secret with a new one the relay makes (admins); answered with `secret`. */
export const SecretRotateFrame = z.object({ t: z.literal('secret.rotate'), rid: RequestId });
/** Full-text search over the conversations you are in; `conv` and `from` narrow it. */
export const SearchFrame = z.object({
  t: z.literal('search'),
  rid: RequestId,
  q: z.string().min(1).max(200),
  conv: ConvId.optional(),
  from: UserId.optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

export const ClientFrame = z.discriminatedUnion('t', [
  HelloFrame,
  SyncFrame,
  SendFrame,
  UploadFrame,
  ChunkFrame,
  FetchFrame,
  HistoryFrame,
  RoomCreateFrame,
  RoomJoinFrame,
  RoomLeaveFrame,
  RoomListFrame,
  DmOpenFrame,
  PresenceFrame,
  TypingFrame,
  ReadFrame,
  SearchFrame,
  PrefsFrame,
  DeviceCodeFrame,
  InviteMakeFrame,
  DeviceListFrame,
  DeviceRemoveFrame,
  MemberRemoveFrame,
  MemberRoleFrame,
  SecretRotateFrame,
]);

// ---- relay -> client ----

export const Member = z.object({
  id: UserId,
  name: z.string(),
  presence: Presence,
  /** `owner` or `admin`; absent for other members. */
  role: TeamRole.optional(),
  /** Removed from the team by an admin: their messages stay, shown as a removed member's. */
  removed: z.boolean().optional(),
});

export const Conversation = z.object({
  id: ConvId,
  kind: z.enum(['room', 'dm']),
  /** Room name without '#'; empty for direct messages. */
  name: z.string(),
  topic: z.string().optional(),
  members: z.array(UserId),
  /** Highest seq in the conversation (0 when empty). */
  head: Seq,
  /** The reading member's read marker. */
  read: Seq,
  /** Other members' read markers ("seen by"), in DMs and small rooms, of those who share them. */
  seen: z.record(UserId, Seq).optional(),
  /** The room is archived: read-only until someone unarchives it. */
  archived: z.boolean().optional(),
  /** The member who created the room (they manage it: topic, archive, pins); absent for #general and rooms from before roles. */
  creator: UserId.optional(),
});

export const Message = z.object({
  conv: ConvId,
  seq: Seq,
  id: MessageId,
  ts: z.number().int(),
  author: UserId,
  body: Body,
});

export const LimitsSchema = z.object({
  maxFrameBytes: z.number().int(),
  maxTextChars: z.number().int(),
  maxSnippetChars: z.number().int(),
  maxFileBytes: z.number().int(),
  chunkBytes: z.number().int(),
  ratePerSecond: z.number(),
  rateBurst: z.number(),
  historyPage: z.number().int(),
  replayLimit: z.number().int(),
});

export const WelcomeEvent = z.object({
  t: z.literal('welcome'),
  v: z.number().int(),
  session: z.string(),
  epoch: z.string(),
  you: z.object({ id: UserId, name: z.string() }),
  members: z.array(Member),
  conversations: z.array(Conversation),
  limits: LimitsSchema,
  relay: z.string(),
  /** The body kinds this relay accepts in `send` (absent: a relay from before the list, see BASE_SEND_KINDS). */
  kinds: z.array(z.string().max(64)).max(64).optional(),
  /** This connection's device (see `devices`). */
  device: DeviceId.optional(),
});
/** The relay's first event on every connection: the nonce `hello` must sign. */
export const ChallengeEvent = z.object({
  t: z.literal('challenge'),
  v: z.number().int(),
  nonce: Nonce,
  /** The relay still has members from protocol 1 who have not bound a device key. */
  legacy: z.boolean().optional(),
});
export const Device = z.object({
  id: DeviceId,
  label: z.string().max(64),
  added: z.number().int(),
  /** Last time it connected (ms). */
  seen: z.number().int().optional(),
});
export const DevicesEvent = z.object({ t: z.literal('devices'), rid: RequestId.optional(), devices: z.array(Device).max(256) });
export const InviteEvent = z.object({ t: z.literal('invite'), rid: RequestId, token: z.string().max(64), name: z.string().max(64), expires: z.number().int() });
export const DeviceCodeEvent = z.object({ t: z.literal('device.code'), rid: RequestId, code: z.string().max(32), expires: z.number().int() });
export const MsgEvent = z.object({ t: z.literal('msg'), m: Message });
export const AckEvent = z.object({ t: z.literal('ack'), id: MessageId, conv: ConvId, seq: Seq, ts: z.number().int(), dup: z.boolean().optional() });
export const ErrorEvent = z.object({ t: z.literal('error'), code: z.string(), message: z.string(), ref: z.string().optional() });
export const SyncedEvent = z.object({ t: z.literal('synced'), rid: RequestId });
export const ResetEvent = z.object({
  t: z.literal('reset'),
  conv: ConvId,
  reason: z.enum(['epoch', 'ahead', 'retention', 'too_far']),
  head: Seq,
});
export const HistoryEvent = z.object({ t: z.literal('history'), rid: RequestId, conv: ConvId, messages: z.array(Message), more: z.boolean() });
export const ConvEvent = z.object({ t: z.literal('conv'), rid: RequestId.optional(), conversation: Conversation });
export const LeftEvent = z.object({ t: z.literal('left'), rid: RequestId.optional(), conv: ConvId });
export const RoomsEvent = z.object({
  t: z.literal('rooms'),
  rid: RequestId,
  rooms: z.array(
    z.object({
      id: ConvId,
      name: z.string(),
      topic: z.string().optional(),
      memberCount: z.number().int(),
      joined: z.boolean(),
      archived: z.boolean().optional(),
    }),
  ),
});
export const MemberEvent = z.object({ t: z.literal('member'), rid: RequestId.optional(), member: Member });
/** The new team secret, to the admin who rotated it (with `rid`) and to the admins online then. */
export const SecretEvent = z.object({ t: z.literal('secret'), rid: RequestId.optional(), secret: z.string().min(8).max(256) });
export const PresenceEvent = z.object({ t: z.literal('presence'), user: UserId, state: Presence });
export const TypingEvent = z.object({ t: z.literal('typing'), conv: ConvId, user: UserId });
export const ReadEvent = z.object({ t: z.literal('read'), conv: ConvId, seq: Seq });
/** Another member's read marker moved (seq 0: they no longer share it). */
export const SeenEvent = z.object({ t: z.literal('seen'), conv: ConvId, user: UserId, seq: Seq });
export const UploadReadyEvent = z.object({ t: z.literal('upload.ready'), id: MessageId, next: z.number().int().nonnegative() });
export const FileChunkEvent = z.object({
  t: z.literal('file.chunk'),
  rid: RequestId,
  file: FileId,
  index: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  data: z.string(),
});
export const ByeEvent = z.object({ t: z.literal('bye'), reason: z.string() });

export const SearchHit = z.object({
  conv: ConvId,
  seq: Seq,
  id: MessageId,
  author: UserId,
  ts: z.number().int(),
  kind: z.string().max(64),
  /** The root's seq when the message is a thread reply. */
  thread: Seq.optional(),
  /** An excerpt around the matches, each match between SEARCH_MARK_START and SEARCH_MARK_END. */
  text: z.string(),
});
export const ResultsEvent = z.object({ t: z.literal('results'), rid: RequestId, hits: z.array(SearchHit), more: z.boolean() });

export const RelayEvent = z.discriminatedUnion('t', [
  ChallengeEvent,
  DevicesEvent,
  DeviceCodeEvent,
  InviteEvent,
  WelcomeEvent,
  MsgEvent,
  AckEvent,
  ErrorEvent,
  SyncedEvent,
  ResetEvent,
  HistoryEvent,
  ConvEvent,
  LeftEvent,
  RoomsEvent,
  MemberEvent,
  PresenceEvent,
  TypingEvent,
  ReadEvent,
  UploadReadyEvent,
  FileChunkEvent,
  ByeEvent,
  ResultsEvent,
  SeenEvent,
  SecretEvent,
]);

export type PresenceState = z.infer<typeof Presence>;
export type GitContext = z.infer<typeof GitContext>;
export type TextBody = z.infer<typeof TextBody>;
export type SnippetBody = z.infer<typeof SnippetBody>;
export type EditBody = z.infer<typeof EditBody>;
export type DeleteBody = z.infer<typeof DeleteBody>;
export type ReactBody = z.infer<typeof ReactBody>;
export type PinBody = z.infer<typeof PinBody>;
export type AdminBody = z.infer<typeof AdminBody>;
export type TeamRole = z.infer<typeof TeamRole>;
export type FileMeta = z.infer<typeof FileMeta>;
export type FileBody = z.infer<typeof FileBody>;
export type DeletedBody = z.infer<typeof DeletedBody>;
export type SendBody = z.infer<typeof SendBody>;
export type Body = z.infer<typeof Body>;
export type ClientFrame = z.infer<typeof ClientFrame>;
export type Member = z.infer<typeof Member>;
export type Conversation = z.infer<typeof Conversation>;
export type Message = z.infer<typeof Message>;
export type RelayEvent = z.infer<typeof RelayEvent>;
export type WelcomeEvent = z.infer<typeof WelcomeEvent>;
export type ResetEvent = z.infer<typeof ResetEvent>;
export type RoomsEvent = z.infer<typeof RoomsEvent>;
export type RoomSummary = RoomsEvent['rooms'][number];
export type SearchHit = z.infer<typeof SearchHit>;
export type Device = z.infer<typeof Device>;
export type HelloFrame = z.infer<typeof HelloFrame>;

/** Relay event types a client knows; anything else is ignored so old clients survive new relays. */
const KNOWN_EVENTS: ReadonlySet<string> = new Set(RelayEvent.options.map((o) => o.shape.t.value));

/**
 * A failed decode. `ref` is the frame's own `id` (a send or upload) or `rid` (a request) when
 * it is well formed (in a frame of an unknown type too): the relay answers that frame alone,
 * so the client can fail that one message instead of resending it for ever.
 */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; code: 'bad_frame' | 'unknown_type' | 'unsupported_version'; message: string; ref?: string };

/** Parses and validates one client frame (the relay's inbound path). Never throws. */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad_frame', message: `malformed JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'bad_frame', message: 'a frame must be a JSON object' };
  }
  const t = (raw as { t?: unknown }).t;
  if (typeof t !== 'string') return { ok: false, code: 'bad_frame', message: 'missing string field "t"' };
  // Another version's hello has other fields: say which version, not which field is wrong.
  const v = t === 'hello' ? (raw as { v?: unknown }).v : PROTOCOL_VERSION;
  if (v !== PROTOCOL_VERSION) {
    const hint =
      typeof v === 'number' && v < PROTOCOL_VERSION
        ? '; update Parley (the extension or parley-relay client) to a version that signs in with a device key'
        : '';
    return { ok: false, code: 'unsupported_version', message: `this relay speaks protocol ${PROTOCOL_VERSION}, not ${JSON.stringify(v)}${hint}` };
  }
  const parsed = ClientFrame.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  if (!ClientFrame.options.some((o) => o.shape.t.value === t)) {
    const ref = frameRef(raw as Record<string, unknown>);
    return { ok: false, code: 'unknown_type', message: `unknown frame type ${JSON.stringify(t.slice(0, 40))}`, ...(ref !== undefined ? { ref } : {}) };
  }
  const ref = frameRef(raw as Record<string, unknown>);
  return { ok: false, code: 'bad_frame', message: describeIssues(t, parsed.error), ...(ref !== undefined ? { ref } : {}) };
}

function frameRef(raw: Record<string, unknown>): string | undefined {
  for (const [field, schema] of [
    ['id', MessageId],
    ['rid', RequestId],
  ] as const) {
    if (Object.hasOwn(raw, field) && schema.safeParse(raw[field]).success) return raw[field] as string;
  }
  return undefined;
}

/**
 * Parses one relay frame (the client's inbound path) into its events. Events of unknown types
 * are skipped; a malformed frame or a known event that fails validation is an error.
 */
export function decodeRelayFrame(text: string): DecodeResult<RelayEvent[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad_frame', message: `malformed JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(raw)) return { ok: false, code: 'bad_frame', message: 'a relay frame must be a JSON array of events' };
  const events: RelayEvent[] = [];
  for (const item of raw) {
    const t = typeof item === 'object' && item !== null ? (item as { t?: unknown }).t : undefined;
    if (typeof t !== 'string' || !KNOWN_EVENTS.has(t)) continue;
    if (t === 'msg') markUnsupported((item as { m?: unknown }).m);
    else if (t === 'history') {
      const list = (item as { messages?: unknown }).messages;
      if (Array.isArray(list)) for (const m of list) markUnsupported(m);
    }
    const parsed = RelayEvent.safeParse(item);
    if (!parsed.success) return { ok: false, code: 'bad_frame', message: describeIssues(t, parsed.error) };
    events.push(parsed.data);
  }
  return { ok: true, value: events };
}

/** Replaces a message body of a kind this client does not know by an `unsupported` placeholder. */
function markUnsupported(m: unknown): void {
  if (typeof m !== 'object' || m === null) return;
  const holder = m as { body?: unknown };
  const body = holder.body;
  if (typeof body !== 'object' || body === null) return;
  const kind = (body as { kind?: unknown }).kind;
  if (typeof kind === 'string' && !KNOWN_BODY_KINDS.has(kind)) holder.body = { kind: 'unsupported', was: kind.slice(0, 64) };
}

function describeIssues(t: string, error: z.ZodError): string {
  const first = error.issues[0];
  const where = first && first.path.length ? first.path.join('.') : 'frame';
  return `invalid ${t.slice(0, 40)} frame: ${where}: ${first ? first.message : 'invalid'}`;
}
