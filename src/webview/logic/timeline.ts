import type { MessageView } from '../../protocol/view';
import { NOTICE_KINDS } from '../../protocol/constants';

// Turns a conversation's messages into the rows the list shows: day separators, a "new messages"
// divider, and messages grouped by author (a header only on the first of a run).

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'new'; key: string }
  | { kind: 'msg'; key: string; message: MessageView; first: boolean; seenBy?: string[] };

const GROUP_MS = 5 * 60 * 1000;

/** A notice about the room (topic, archive): a line of its own, never part of a group. */
export function isNotice(m: MessageView): boolean {
  return NOTICE_KINDS.has(m.body.kind);
}

export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

export function dayLabel(ts: number, now: number): string {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  if (dayKey(ts) === dayKey(now - 86_400_000)) return 'Yesterday';
  const d = new Date(ts);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return d.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}

/**
 * @param newAfter the read marker when the conversation was opened: a divider goes before the
 *   first message above it written by someone else.
 */
export function buildRows(messages: MessageView[], opts: { me?: string; newAfter?: number; now: number; seenBy?: Map<string, string[]> }): Row[] {
  const rows: Row[] = [];
  let prev: MessageView | undefined;
  let dividerPlaced = false;
  for (const m of messages) {
    const day = dayKey(m.ts);
    let breakGroup = false;
    if (!prev || dayKey(prev.ts) !== day) {
      rows.push({ kind: 'day', key: `day:${day}`, label: dayLabel(m.ts, opts.now) });
      breakGroup = true;
    }
    if (!dividerPlaced && opts.newAfter !== undefined && m.seq !== undefined && m.seq > opts.newAfter && m.author !== opts.me && !isNotice(m)) {
      rows.push({ kind: 'new', key: 'new' });
      dividerPlaced = true;
      breakGroup = true;
    }
    const first = breakGroup || !prev || prev.author !== m.author || m.ts - prev.ts > GROUP_MS || prev.deleted === true || isNotice(prev);
    const seenBy = opts.seenBy?.get(m.id);
    rows.push({ kind: 'msg', key: `m:${m.id}`, message: m, first, ...(seenBy ? { seenBy } : {}) });
    prev = m;
  }
  return rows;
}

/** Merges a page of older messages in front of what is loaded, dropping any overlap. */
export function mergeOlder(older: MessageView[], loaded: MessageView[]): MessageView[] {
  const have = new Set(loaded.map((m) => m.id));
  return [...older.filter((m) => !have.has(m.id)), ...loaded];
}

/**
 * Applies a fresh snapshot page (the newest messages) to what is loaded: keeps older messages
 * the user scrolled back to, replaces the rest with the snapshot's versions.
 */
export function mergeSnapshot(loaded: MessageView[], page: MessageView[]): MessageView[] {
  const firstSeq = page.find((m) => m.seq !== undefined)?.seq;
  if (firstSeq === undefined) return [...loaded.filter((m) => m.seq !== undefined), ...page];
  const keep = loaded.filter((m) => m.seq !== undefined && m.seq < firstSeq);
  // Older messages are still valid history only if what is loaded reaches into the page (seqs
  // have gaps where edits, reactions and thread replies took theirs, so adjacency says nothing).
  if (keep.length && !loaded.some((m) => m.seq === firstSeq)) return page;
  return [...keep, ...page];
}

/**
 * The rows of a thread: its root, a separator counting the replies, then the replies grouped as
 * in the conversation (a day separator only where the day changes).
 */
export function buildThreadRows(root: MessageView | undefined, replies: MessageView[], opts: { me?: string; now: number }): Row[] {
  const rows = buildRows(root ? [root, ...replies] : replies, opts);
  const n = replies.length;
  const label = n === 0 ? 'No replies yet' : `${n} repl${n === 1 ? 'y' : 'ies'}`;
  const at = root ? rows.findIndex((r) => r.kind === 'msg') + 1 : 0;
  rows.splice(at, 0, { kind: 'day', key: `day:replies:${n}`, label });
  // The first reply after the separator starts a group of its own.
  const next = rows[at + 1];
  if (next?.kind === 'msg') rows[at + 1] = { ...next, first: true };
  if (!root) rows.unshift({ kind: 'day', key: 'day:no-root', label: 'The first message of this thread is older than this window keeps' });
  return rows;
}

/**
 * Where each other member has read to: the newest listed message at or below the marker they set
 * by reading, unless they wrote it (their reply says it all). Having written a message is not
 * having read what came before it: posting never moves a "seen by". Message id → members.
 */
export function seenPositions(messages: MessageView[], seen: Record<string, number> | undefined, me?: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!seen) return out;
  const stored = messages.filter((m) => m.seq !== undefined);
  for (const [user, shared] of Object.entries(seen)) {
    if (user === me) continue;
    let at: MessageView | undefined;
    for (let i = stored.length - 1; i >= 0; i--) {
      if ((stored[i].seq ?? 0) <= shared) {
        at = stored[i];
        break;
      }
    }
    if (!at || at.author === user) continue;
    out.set(at.id, [...(out.get(at.id) ?? []), user]);
  }
  return out;
}
