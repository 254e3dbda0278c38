import { mentionSpans } from '../protocol/mentions';
import { SEARCH_MARK_END, SEARCH_MARK_START, type SearchHit } from '../protocol/wire';
import type { ParleyClient } from './client';

/** Text messages scanned for the Mentions list (the newest that contain an '@'). */
const SCAN = 5000;
/** Characters of context kept on each side of the first mention. */
const CONTEXT = 80;

/**
 * Messages from this window's cache that mention me (by name, or @room/@here in a room), newest
 * first, as search hits whose excerpt marks the mentions. `unread`: only one conversation's,
 * after its read marker.
 */
export function mentionHits(client: ParleyClient, opts: { limit?: number; unread?: { conv: string; after: number } } = {}): SearchHit[] {
  const me = client.self;
  if (!me) return [];
  // Each conversation's kind, looked up once (undefined: not one I am in any more).
  const kinds = new Map<string, 'room' | 'dm' | undefined>();
  const out: SearchHit[] = [];
  for (const m of client.store.textsWithAt(me.id, SCAN, opts.unread)) {
    if (!kinds.has(m.conv)) kinds.set(m.conv, client.conversation(m.conv)?.kind);
    const kind = kinds.get(m.conv);
    if (!kind || m.body.kind !== 'text') continue;
    const text = m.edited ?? m.body.text;
    const spans = mentionSpans(text, [me.name], { room: kind === 'room', me: me.name }).filter((s) => s.me);
    if (spans.length === 0) continue;
    const from = Math.max(0, spans[0].index - CONTEXT);
    const to = Math.min(text.length, spans[spans.length - 1].index + spans[spans.length - 1].length + CONTEXT);
    let excerpt = from > 0 ? '…' : '';
    let at = from;
    for (const s of spans) {
      if (s.index + s.length > to) break;
      excerpt += text.slice(at, s.index) + SEARCH_MARK_START + text.slice(s.index, s.index + s.length) + SEARCH_MARK_END;
      at = s.index + s.length;
    }
    excerpt += text.slice(at, to) + (to < text.length ? '…' : '');
    out.push({
      conv: m.conv,
      seq: m.seq,
      id: m.id,
      author: m.author,
      ts: m.ts,
      kind: 'text',
      ...(m.body.thread !== undefined ? { thread: m.body.thread } : {}),
      text: excerpt,
    });
    if (out.length >= (opts.limit ?? 100)) break;
  }
  return out;
}
