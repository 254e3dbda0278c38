import type { ConversationView, MessageView } from '../protocol/view';
import { HIDDEN_KINDS, threadOf } from '../protocol/wire';
import { unreadableBody } from './bodyCheck';
import { mentionHits } from './mentionsList';
import { applyReaction } from './reactions';
import type { ParleyClient } from './client';
import type { CachedMessage } from './clientStore';

/** Conversations as the chat view lists them: most recent activity first. */
export function conversationViews(client: ParleyClient): ConversationView[] {
  const me = client.self?.id;
  const names = new Map(client.members().map((m) => [m.id, m.name]));
  const last = client.store.lastTimes();
  return client
    .conversations()
    .map((c): ConversationView => {
      const peer = c.kind === 'dm' ? (c.members.find((m) => m !== me) ?? me) : undefined;
      const title = c.kind === 'room' ? `#${c.name}` : peer === me ? `${names.get(me ?? '') ?? 'me'} (you)` : (names.get(peer ?? '') ?? 'unknown member');
      return {
        id: c.id,
        kind: c.kind,
        title,
        ...(c.topic !== undefined ? { topic: c.topic } : {}),
        members: c.members,
        unread: c.unread,
        ...(peer !== undefined ? { peer } : {}),
        lastTs: last.get(c.id) ?? 0,
        head: c.head,
        read: c.read,
        // Among the newest 500 unread at most: a snapshot must stay cheap in a busy room nobody reads.
        mentions: c.unread > 0 ? mentionHits(client, { unread: { conv: c.id, after: Math.max(c.read, c.head - 500) }, limit: 99 }).length : 0,
        ...(c.seen ? { seen: { ...c.seen } } : {}),
        ...(c.archived ? { archived: true } : {}),
        ...(c.creator !== undefined ? { creator: c.creator } : {}),
      };
    })
    .sort((a, b) => b.lastTs - a.lastTs || (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'room' ? -1 : 1));
}

/**
 * Unread messages for the status bar and the view's badge: all those of conversations that are
 * not muted, and of muted ones only those that mention me.
 */
export function unreadTotal(client: ParleyClient, muted: (conv: string) => boolean): number {
  let total = 0;
  for (const c of client.conversations()) {
    if (c.unread === 0) continue;
    if (!muted(c.id)) total += c.unread;
    else total += mentionHits(client, { unread: { conv: c.id, after: Math.max(c.read, c.head - 500) }, limit: 99 }).length;
  }
  return total;
}

/** The body a view shows for a message, or an `unsupported` placeholder flagged `unreadable`. */
function viewBody(m: { body: unknown; unreadable?: string }): Pick<MessageView, 'body' | 'unreadable'> {
  const why = m.unreadable ?? unreadableBody(m.body);
  return why === undefined ? { body: m.body as MessageView['body'] } : { body: { kind: 'unsupported', was: 'unreadable' }, unreadable: why };
}

function toView(m: CachedMessage, me: string | undefined): MessageView {
  return {
    seq: m.seq,
    id: m.id,
    author: m.author,
    ts: m.ts,
    ...viewBody(m),
    ...(m.edited !== undefined ? { edited: m.edited } : {}),
    ...(m.deleted ? { deleted: true } : {}),
    ...(m.author === me ? { delivery: 'sent' as const } : {}),
    ...(m.reactions?.length ? { reactions: m.reactions.map((r) => ({ emoji: r.emoji, users: [...r.users] })) } : {}),
    ...(m.replies ? { replies: { count: m.replies.count, lastTs: m.replies.lastTs, users: [...m.replies.users] } } : {}),
    ...(m.pinned ? { pinned: { ...m.pinned } } : {}),
  };
}

/** A conversation's pinned messages that the cache holds, most recently pinned first. */
export function pinnedViews(client: ParleyClient, conv: string): MessageView[] {
  const me = client.self?.id;
  return client.store.pinnedMessages(conv).map((m) => toView(m, me));
}

/**
 * Cached messages followed by what is still in the outbox for the same place (queued or
 * failed), each with its delivery state. Queued reactions and pins show at once, as the relay
 * will apply them (in order).
 */
function withOutbox(client: ParleyClient, conv: string, cached: CachedMessage[], thread: number | undefined, newest: boolean): MessageView[] {
  const me = client.self?.id;
  const messages = cached.map((m) => toView(m, me));
  const outbox = client.store.outbox(conv);
  if (me !== undefined) {
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    for (const e of outbox) {
      if (e.kind !== 'send' || unreadableBody(e.body) !== undefined) continue;
      if (e.body.kind === 'react') applyReaction(bySeq.get(e.body.target), me, e.body.emoji, e.body.on);
      if (e.body.kind === 'pin') {
        const m = bySeq.get(e.body.target);
        if (m && e.body.on) m.pinned = { by: me, ts: e.created };
        else if (m) delete m.pinned;
      }
    }
  }
  if (newest) {
    for (const e of outbox) {
      const body =
        e.kind === 'send'
          ? e.body
          : {
              kind: 'file' as const,
              file: 'pending',
              name: e.body.name,
              size: e.body.size,
              sha256: e.body.sha256,
              ...(e.body.mime ? { mime: e.body.mime } : {}),
              ...(e.body.thread !== undefined ? { thread: e.body.thread } : {}),
            };
      const shown = viewBody({ body });
      if (!shown.unreadable && (HIDDEN_KINDS.has(body.kind) || threadOf(body) !== thread)) continue;
      messages.push({ id: e.id, author: me ?? '', ts: e.created, ...shown, delivery: e.state, ...(e.error ? { error: e.error } : {}) });
    }
  }
  return messages;
}

/**
 * The newest `limit` messages of a conversation from the cache (without thread replies, which
 * their thread lists), followed by what is still in the outbox for it.
 */
export function messageViews(
  client: ParleyClient,
  conv: string,
  opts: { limit?: number; before?: number; from?: number } = {},
): { messages: MessageView[]; more: boolean } {
  const cached = client.messages(conv, {
    limit: opts.limit ?? 200,
    ...(opts.before !== undefined ? { before: opts.before } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
  });
  const messages = withOutbox(client, conv, cached, undefined, opts.before === undefined);
  // Threads with replies I have not read (in threads I am in) say so on their root.
  const me = client.self?.id;
  const c = client.conversation(conv);
  if (me !== undefined && c && c.unread > 0 && cached.length) {
    const unread = client.store.unreadReplies(conv, c.read, me, cached[0].seq, cached[cached.length - 1].seq);
    for (const m of messages) if (m.replies && m.seq !== undefined && unread.has(m.seq)) m.replies.unread = unread.get(m.seq);
  }
  const lowest = cached.length ? cached[0].seq : undefined;
  const head = c?.head ?? 0;
  const more = lowest !== undefined ? lowest > 1 : head > 0;
  return { messages, more };
}

/**
 * A thread: its root (when cached) and every reply, oldest first, then replies still in the
 * outbox. `root` is undefined when the cache does not hold the root message.
 */
export function threadViews(client: ParleyClient, conv: string, root: number): { root?: MessageView; replies: MessageView[] } {
  const cached = client.messages(conv, { limit: 10_000, scope: { thread: root } });
  const all = withOutbox(client, conv, cached, root, true);
  const first = all[0];
  return first?.seq === root ? { root: first, replies: all.slice(1) } : { replies: all };
}
