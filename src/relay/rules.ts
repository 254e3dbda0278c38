import { ErrorCode } from '../protocol/constants';
import { canManageRoom, type RoomFacts, type TeamRole } from '../protocol/roles';
import { HIDDEN_KINDS, NOTICE_KINDS, threadOf, type Body } from '../protocol/wire';
import type { ConversationRecord } from './store';

// The protocol's rules about messages, as pure functions: who may edit, delete, react to, pin or
// reply to which message, who may set a room's topic or archive it, and what a notice does to the
// room. The relay asks them before it queues a frame; a store asks them inside the transaction
// that stores a batch (only there is the target known for sure: an earlier item of the same batch
// may have deleted it) and then only carries out the effects it gets back, so a second store
// (PostgreSQL) repeats none of the deciding. Codes and sentences are the wire's
// (docs/PROTOCOL.md): clients show them.

export type { RoomFacts, TeamRole };

/** What the rules need to know about the stored message an event or a reply refers to. */
export interface TargetView {
  kind: string;
  author: string;
  /** Tombstoned (its content gone). */
  deleted: boolean;
  /** The root's seq when the target is itself a reply. */
  thread?: number;
  /** The file id of a file message (its chunks go with it when it is deleted). */
  file?: string;
}

/** A refusal as the `error` event carries it. */
export interface Refusal<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
}

/** The refusals a store can meet while storing a batch (the target is only known there). */
export type TargetRefusal = Refusal<typeof ErrorCode.notAuthor | typeof ErrorCode.badTarget>;

/** What storing a message does besides adding it, for the store to carry out in the same transaction. */
export type Effect =
  /** An edit: the target and every earlier edit of it now carry `text` (only the current text is kept). */
  | { t: 'rewrite'; target: number; text: string }
  /** A deletion: the target becomes a tombstone, its edits keep their seqs with `editText`, its file's bytes go. */
  | { t: 'tombstone'; target: number; editText: string; file?: string }
  /** A topic notice: the room's topic (undefined: none). */
  | { t: 'topic'; topic: string | undefined }
  /** An archive notice. */
  | { t: 'archived'; on: boolean };

/** The text an edit of a deleted message is left with (an edit's text may not be empty). */
export const DELETED_EDIT_TEXT = ' ';

const badTarget = (message: string): { refused: TargetRefusal } => ({ refused: { code: ErrorCode.badTarget, message } });

/**
 * The message another one refers to (an event's target, a reply's root) must exist, not be
 * deleted, and be a message shown in the conversation, not an event or a notice (`notShown` says
 * why that is refused).
 */
function shownTarget(conv: string, seq: number, t: TargetView | undefined, notShown: string): { refused: TargetRefusal } | { target: TargetView } {
  if (!t) return badTarget(`no message ${seq} in ${conv}`);
  if (t.deleted || t.kind === 'deleted') return badTarget(`message ${seq} is deleted`);
  if (HIDDEN_KINDS.has(t.kind) || NOTICE_KINDS.has(t.kind)) return badTarget(notShown);
  return { target: t };
}

/**
 * Whether `author` may store `body` in `conv`, and if so what else it changes. `lookup` reads a
 * stored message of the conversation by seq (as the store's transaction sees it).
 */
export function decideAppend(
  conv: string,
  author: string,
  body: Body,
  lookup: (seq: number) => TargetView | undefined,
): { refused: TargetRefusal } | { effects: Effect[] } {
  const notice = noticeEffect(body);
  if (notice) return { effects: [notice] };
  const effects: Effect[] = [];
  if (body.kind === 'edit' || body.kind === 'delete' || body.kind === 'react' || body.kind === 'pin') {
    const found = shownTarget(
      conv,
      body.target,
      lookup(body.target),
      'edits, deletions, reactions, pins and notices are not messages one can edit, delete, react to or pin',
    );
    if ('refused' in found) return found;
    const target = found.target;
    if ((body.kind === 'edit' || body.kind === 'delete') && target.author !== author)
      return { refused: { code: ErrorCode.notAuthor, message: 'only the author may edit or delete a message' } };
    if (body.kind === 'edit' && target.kind !== 'text') return badTarget('only text messages can be edited');
    if (body.kind === 'edit') effects.push({ t: 'rewrite', target: body.target, text: body.text });
    if (body.kind === 'delete')
      effects.push({
        t: 'tombstone',
        target: body.target,
        editText: DELETED_EDIT_TEXT,
        ...(target.kind === 'file' && target.file ? { file: target.file } : {}),
      });
  }
  const thread = threadOf(body);
  if (thread !== undefined) {
    // A reply: its root must be a shown message, and not a reply itself.
    const found = shownTarget(conv, thread, lookup(thread), 'only messages (not edits, deletions, reactions, pins or notices) start threads');
    if ('refused' in found) return found;
    if (found.target.thread !== undefined) return badTarget(`message ${thread} is a reply; reply to its thread's root (${found.target.thread})`);
  }
  return { effects };
}

/** What a topic or archive notice does to its room (undefined for every other body). */
export function noticeEffect(body: Body): Extract<Effect, { t: 'topic' | 'archived' }> | undefined {
  if (body.kind === 'topic') return { t: 'topic', topic: body.text === '' ? undefined : body.text };
  if (body.kind === 'archive') return { t: 'archived', on: body.on };
  return undefined;
}

/**
 * Applies a stored topic or archive notice to the relay's copy of the room; true when `body` was
 * one (its members then get the room's new state).
 */
export function applyNotice(rec: Pick<ConversationRecord, 'topic' | 'archived'>, body: Body): boolean {
  const effect = noticeEffect(body);
  if (!effect) return false;
  if (effect.t === 'topic') {
    if (effect.topic === undefined) delete rec.topic;
    else rec.topic = effect.topic;
  } else if (effect.on) rec.archived = true;
  else delete rec.archived;
  return true;
}

/** Changing a room itself (its topic, archiving, pins): see canManageRoom in protocol/roles.ts. */
export function manageRefusal(actor: { id: string; role: TeamRole }, room: RoomFacts, act: 'topic' | 'archive' | 'pin'): Refusal | undefined {
  const why = canManageRoom(actor, room, act);
  return why === undefined ? undefined : { code: ErrorCode.forbidden, message: why };
}

/** Posting in an archived room, refused until it is unarchived. */
export function archivedRefusal(room: { name: string }): Refusal {
  return { code: ErrorCode.archived, message: `#${room.name} is archived; unarchive it to post` };
}

/** What the relay knows about the room and the sender when a `send` arrives. */
export interface SendFacts {
  actor: { id: string; role: TeamRole };
  room: RoomFacts & { archived?: boolean };
  body: Body;
  /** Whether this is a resend of a message already stored (asked only in an archived room). */
  stored: () => boolean;
}

/**
 * The checks a `send` passes before it is queued (those on its target wait for the store):
 * topics and archives are for rooms only, an archived room takes nothing but its unarchiving (a
 * resend of what was stored before still gets its ack), and only those who manage a room change
 * its topic, archive or pins.
 */
export function sendRefusal(f: SendFacts): Refusal | undefined {
  const { body, room } = f;
  if ((body.kind === 'topic' || body.kind === 'archive') && room.kind !== 'room') {
    return { code: ErrorCode.badRequest, message: `a direct message has no ${body.kind === 'topic' ? 'topic' : 'archive'}; only rooms do` };
  }
  if (room.archived && !(body.kind === 'archive' && !body.on) && !f.stored()) return archivedRefusal(room);
  if (body.kind === 'topic' || body.kind === 'archive' || body.kind === 'pin') return manageRefusal(f.actor, room, body.kind);
  return undefined;
}
