import { mentionHits } from '../../client/mentionsList';
import { messageViews } from '../../client/viewModel';
import { MENTIONS_QUERY } from '../../protocol/view';
import type { ViewHandlers, ViewHost, ViewMessage } from './viewHost';

type SearchHandlers = Pick<ViewHandlers, 'search' | 'mentions' | 'openResult' | 'loadOlder'>;

/**
 * The requests the view waits an answer for: search and the Mentions list (`results`), a result
 * shown in context (`reveal`), older history (`older`). Each answer carries the request's `rid`.
 */
export function searchHandlers(host: ViewHost): SearchHandlers {
  return {
    search: (msg) => search(host, msg),
    mentions: (msg) => {
      const client = host.session.client;
      if (client) host.post({ type: 'results', rid: msg.rid, q: MENTIONS_QUERY, hits: mentionHits(client), more: false });
    },
    openResult: (msg) => revealMessage(host, msg),
    loadOlder: (msg) => loadOlder(host, msg),
  };
}

async function search(host: ViewHost, msg: ViewMessage<'search'>): Promise<void> {
  const client = host.session.client;
  if (!client) return;
  try {
    const res = await client.search(msg.q, { ...(msg.conv ? { conv: msg.conv } : {}), ...(msg.from ? { from: msg.from } : {}) });
    host.post({ type: 'results', rid: msg.rid, q: msg.q, hits: res.hits, more: res.more });
  } catch (err) {
    const offline = client.state !== 'connected';
    const error = offline ? 'Search runs on the relay, which is not reachable right now.' : (err as Error).message;
    host.post({ type: 'results', rid: msg.rid, q: msg.q, hits: [], more: false, error });
  }
}

/**
 * Shows a message in context: pages the history back to it (the cache then holds everything
 * from a little before it to the newest), opens its conversation (and thread, for a reply),
 * and has the view scroll to it.
 */
async function revealMessage(host: ViewHost, { rid, conv, seq, thread }: ViewMessage<'openResult'>): Promise<void> {
  const client = host.session.client;
  if (!client) return;
  const anchor = thread ?? seq;
  const from = Math.max(1, anchor - 10);
  for (let pages = 0; (client.store.lowestSeq(conv) ?? Number.MAX_SAFE_INTEGER) > from; pages++) {
    if (client.state !== 'connected') throw new Error('That message is older than this window keeps; it can be shown when the relay is reachable.');
    if (pages >= 100) throw new Error('That message is too far back to show here; export the conversation to read it.');
    const page = await client.history(conv, client.store.lowestSeq(conv));
    if (!page.more) break;
  }
  if (thread !== undefined) await host.showThread({ conv, root: thread });
  else await host.select(conv);
  await host.focusView();
  // A view that reloaded meanwhile gets the conversation in its first snapshot (at the newest).
  if (!host.ready) return;
  host.push();
  const page = messageViews(client, conv, { from, limit: Number.MAX_SAFE_INTEGER });
  host.post({
    type: 'reveal',
    rid,
    conv,
    seq: anchor,
    ...(thread !== undefined ? { reply: seq } : {}),
    messages: host.withPreviews(page.messages),
    more: page.more,
  });
}

async function loadOlder(host: ViewHost, { rid, conv, before: shown }: ViewMessage<'loadOlder'>): Promise<void> {
  const client = host.session.client;
  if (!client) return;
  const before = shown ?? client.store.lowestSeq(conv) ?? (client.conversation(conv)?.head ?? 0) + 1;
  // The cache may already hold older pages (scrolled before); otherwise ask the relay.
  let page = messageViews(client, conv, { before, limit: 100 });
  if (page.messages.length === 0 && before > 1) {
    if (client.state !== 'connected') {
      host.post({ type: 'older', rid, conv, messages: [], more: true });
      host.post({ type: 'notice', level: 'info', text: 'Older messages load when the relay is reachable.' });
      return;
    }
    // The relay pages from below what the cache holds.
    const fetched = await client.history(conv, client.store.lowestSeq(conv) ?? before);
    page = { ...messageViews(client, conv, { before, limit: 200 }), more: fetched.more };
  }
  host.post({ type: 'older', rid, conv, messages: host.withPreviews(page.messages), more: page.more });
}
