/**
 * The wire protocol version spoken by this build. A relay refuses any other. 2: signed
 * identities (challenge, Ed25519 hello, devices); 1 sent a raw identity key.
 */
export const PROTOCOL_VERSION = 2;

/** HTTP header on the relay's upgrade response naming its protocol version (absent before 2). */
export const PROTOCOL_HEADER = 'x-parley-protocol';

/** "Seen by" (other members' read markers) is shared in DMs and in rooms of at most this many members. */
export const SEEN_MAX_MEMBERS = 12;

/** Error codes carried by `error` events. Each refusal has its own code. */
export const ErrorCode = {
  badFrame: 'bad_frame',
  tooLarge: 'too_large',
  rateLimited: 'rate_limited',
  unknownType: 'unknown_type',
  unknownConversation: 'unknown_conversation',
  notMember: 'not_member',
  nameTaken: 'name_taken',
  badName: 'bad_name',
  badSecret: 'bad_secret',
  unsupportedVersion: 'unsupported_version',
  handshakeRequired: 'handshake_required',
  alreadyHandshaken: 'already_handshaken',
  notAuthor: 'not_author',
  badTarget: 'bad_target',
  badUpload: 'bad_upload',
  hashMismatch: 'hash_mismatch',
  unknownFile: 'unknown_file',
  unknownUser: 'unknown_user',
  roomExists: 'room_exists',
  badRequest: 'bad_request',
  archived: 'archived',
  tooManyConnections: 'too_many_connections',
  badSignature: 'bad_signature',
  wrongRelay: 'wrong_relay',
  badCode: 'bad_code',
  retiredKey: 'retired_key',
  deviceRemoved: 'device_removed',
  unknownDevice: 'unknown_device',
  badInvite: 'bad_invite',
  /** The member's role does not allow this (see docs/PROTOCOL.md, "Roles"). */
  forbidden: 'forbidden',
  /** An admin removed this member from the team; their keys are refused from then on. */
  removed: 'removed',
  internal: 'internal',
  /** An upgrade from a browser origin the relay was not told to allow (HTTP 403, before any frame). */
  badOrigin: 'bad_origin',
  /** An upgrade to a path that is not the relay's (HTTP 404). */
  notFound: 'not_found',
  /** An upgrade while the relay shuts down (HTTP 503). */
  stopping: 'stopping',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Errors after which a client must not reconnect on its own: the user has to change something. */
export const FATAL_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.badSecret,
  ErrorCode.nameTaken,
  ErrorCode.badName,
  ErrorCode.unsupportedVersion,
  ErrorCode.badSignature,
  ErrorCode.wrongRelay,
  ErrorCode.badCode,
  ErrorCode.retiredKey,
  ErrorCode.deviceRemoved,
  ErrorCode.removed,
  ErrorCode.badInvite,
]);

/**
 * WebSocket close codes of the protocol (4000-4999 is the application range). The relay sends
 * 1001 and the 4xxx codes but 4009; `ws` itself closes with 1009 (a frame over maxFrameBytes) and
 * 1007 (invalid UTF-8); 1000 is a client's own close.
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  tooLarge: 1009,
  unsupportedVersion: 4000,
  badSecret: 4001,
  badFrame: 4002,
  nameTaken: 4003,
  handshakeTimeout: 4004,
  badName: 4005,
  /** The hello's signature, nonce or relay address did not check out. */
  badSignature: 4006,
  /** A device code, or a named invite, was wrong, used or expired. */
  badCode: 4007,
  rateLimited: 4008,
  /** Reserved: a slow consumer is terminated without a close frame (it is not reading anyway). */
  slowConsumer: 4009,
  tooManyConnections: 4010,
  /** This device's key was removed from its member (by the member, from another device). */
  deviceRemoved: 4011,
  /** An admin removed the member from the team: all their connections close with this, and they are refused from then on. */
  removed: 4012,
} as const;

/** Limits a relay announces in `welcome`; clients must stay within them. */
export interface Limits {
  /** Largest WebSocket message the relay accepts, in bytes. Above it the connection closes with 1009. */
  maxFrameBytes: number;
  /** Longest text body, in UTF-16 code units. */
  maxTextChars: number;
  /** Largest snippet code, in UTF-16 code units. */
  maxSnippetChars: number;
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** Size of every file chunk but the last, in bytes (before base64). */
  chunkBytes: number;
  /** Sustained frames per second per connection. */
  ratePerSecond: number;
  /** Frames a connection may send in a burst above the sustained rate. */
  rateBurst: number;
  /** Most messages a `history` page returns. */
  historyPage: number;
  /** Most messages a `sync` replays per conversation before it answers with a reset instead. */
  replayLimit: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 1024 * 1024,
  maxTextChars: 16_000,
  maxSnippetChars: 100_000,
  maxFileBytes: 10 * 1024 * 1024,
  chunkBytes: 256 * 1024,
  ratePerSecond: 50,
  rateBurst: 300,
  historyPage: 200,
  replayLimit: 2000,
};

/**
 * Largest frame a client accepts from a relay. A relay writes frames of about 256 KiB (one event
 * may pass that: a `history` page of at most 512 KiB of messages, a file chunk), so anything near
 * this is a relay trying to freeze the editor with one huge parse.
 */
export const MAX_RELAY_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * Most cursors one `sync` may carry (a client sends one per conversation it is in). Checked
 * before the frame is validated, so a frame of tens of thousands costs its parse and no more.
 */
export const MAX_SYNC_CURSORS = 5_000;

/** Name of the room every member joins on first connection. */
export const DEFAULT_ROOM = 'general';

/** Body kinds shown as a notice line about the room (not a message: no unread, no actions). */
export const NOTICE_KINDS: ReadonlySet<string> = new Set(['topic', 'archive', 'admin']);

/** Where a search result's matched words start and end in `text`. */
export const SEARCH_MARK_START = '\u0002';
export const SEARCH_MARK_END = '\u0003';

/** The thread a message replies in (its root's seq), if it is a reply. */
export function threadOf(b: { kind: string; thread?: number }): number | undefined {
  return b.kind === 'text' || b.kind === 'snippet' || b.kind === 'file' ? b.thread : undefined;
}
