import type { ConversationView, MessageView } from '../protocol/view';
import { HIDDEN_KINDS } from '../protocol/wire';
import { applyReaction } from './reactions';
import type { ParleyClient } from './client';

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
      };
    })
    .sort((a, b) => b.lastTs - a.lastTs || (a.kind === b.kind ? a.title.localeCompare(b.title) : a.kind === 'room' ? -1 : 1));
}

/**
 * The newest `limit` messages of a conversation from the cache, followed by what is still in the
 * outbox for it (queued or failed), each with its delivery state.
 */
export function messageViews(client: ParleyClient, conv: string, opts: { limit?: number; before?: number } = {}): { messages: MessageView[]; more: boolean } {
  const me = client.self?.id;
  const cached = client.messages(conv, { limit: opts.limit ?? 200, ...(opts.before !== undefined ? { before: opts.before } : {}) });
  const messages: MessageView[] = cached.map((m) => ({
    seq: m.seq,
    id: m.id,
    author: m.author,
    ts: m.ts,
    body: m.body,
    ...(m.edited !== undefined ? { edited: m.edited } : {}),
    ...(m.deleted ? { deleted: true } : {}),
    ...(m.author === me ? { delivery: 'sent' as const } : {}),
    ...(m.reactions?.length ? { reactions: m.reactions.map((r) => ({ emoji: r.emoji, users: [...r.users] })) } : {}),
  }));
  const outbox = client.store.outbox(conv);
  // Reactions still in the outbox show at once, as the relay will apply them (in order).
  if (me !== undefined) {
    const bySeq = new Map(messages.map((m) => [m.seq, m]));
    for (const e of outbox) if (e.kind === 'send' && e.body.kind === 'react') applyReaction(bySeq.get(e.body.target), me, e.body.emoji, e.body.on);
  }
  if (opts.before === undefined) {
    for (const e of outbox) {
      const body =
        e.kind === 'send'
          ? e.body
          : { kind: 'file' as const, file: 'pending', name: e.body.name, size: e.body.size, sha256: e.body.sha256, ...(e.body.mime ? { mime: e.body.mime } : {}) };
      if (HIDDEN_KINDS.has(body.kind)) continue;
      messages.push({ id: e.id, author: me ?? '', ts: e.created, body, delivery: e.state, ...(e.error ? { error: e.error } : {}) });
    }
  }
  const lowest = cached.length ? cached[0].seq : undefined;
  const head = client.conversation(conv)?.head ?? 0;
  const more = lowest !== undefined ? lowest > 1 : head > 0;
  return { messages, more };
}
