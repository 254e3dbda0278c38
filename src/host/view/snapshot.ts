import { threadNotifies } from '../../client/notifyPolicy';
import { conversationViews, messageViews, pinnedViews, threadViews } from '../../client/viewModel';
import { VIEW_PROTOCOL_VERSION, type MessageView, type ThreadView, type ViewSnapshot } from '../../protocol/view';
import { readConfig } from '../config';
import type { NetworkTeams } from '../networkTeams';
import type { NotificationPrefs } from '../notificationPrefs';
import type { OpenThread, ViewHost } from './viewHost';

/** What a snapshot is built from. */
export interface SnapshotSources {
  session: ViewHost['session'];
  drafts: Pick<ViewHost['drafts'], 'all'>;
  place: Pick<ViewHost['place'], 'get'>;
  networkTeams: Pick<NetworkTeams, 'teams' | 'flooded'>;
  /** The conversation the user last chose (may be gone: the first room is shown then). */
  active: string | undefined;
  openThread: OpenThread | undefined;
  prefs: Pick<NotificationPrefs, 'muted' | 'mutedSet' | 'following'>;
  withPreviews(messages: MessageView[]): MessageView[];
}

/** Everything the view shows, from the client's cache and the host's state. */
export function buildSnapshot(src: SnapshotSources): ViewSnapshot {
  const client = src.session.client;
  const conversations = client ? withMuted(conversationViews(client), src.prefs) : [];
  let active = src.active;
  if (!active || !conversations.some((c) => c.id === active)) active = conversations.find((c) => c.kind === 'room')?.id;
  const page = client && active ? messageViews(client, active) : { messages: [], more: false };
  const open = src.openThread;
  let thread: ThreadView | undefined;
  if (client && open && open.conv === active) {
    const t = threadViews(client, open.conv, open.root);
    const me = client.self?.id;
    const explicit = src.prefs.following(open.conv, open.root);
    // The thread's bell says what the notifications do (those that mention me aside).
    const following = threadNotifies(
      {
        ...(explicit !== undefined ? { following: explicit } : {}),
        muted: src.prefs.muted(open.conv),
        isDm: client.conversation(open.conv)?.kind === 'dm',
        inMyThread: me !== undefined && client.store.threadParticipants(open.conv, open.root).has(me),
      },
      readConfig().notifications,
    );
    thread = {
      conv: open.conv,
      root: open.root,
      ...(t.root ? { message: src.withPreviews([t.root])[0] } : {}),
      replies: src.withPreviews(t.replies),
      following,
    };
  }
  return {
    ...baseSnapshot(src),
    conversations,
    ...(active ? { active } : {}),
    messages: src.withPreviews(page.messages),
    more: page.more,
    ...(thread ? { thread } : {}),
    pinned: client && active ? src.withPreviews(pinnedViews(client, active)) : [],
    discovered: src.networkTeams.teams(),
    ...(src.networkTeams.flooded() ? { discoveryFlooded: true } : {}),
  };
}

/** What the view gets when the full snapshot failed: the connection and the list, no messages. */
export function degradedSnapshot(src: SnapshotSources, problem: string): ViewSnapshot {
  const client = src.session.client;
  let conversations: ViewSnapshot['conversations'] = [];
  try {
    conversations = client ? withMuted(conversationViews(client), src.prefs) : [];
  } catch {
    // The list failed too: the connection and the problem are still worth showing.
    conversations = [];
  }
  return { ...baseSnapshot(src), conversations, messages: [], more: false, pinned: [], discovered: [], problem };
}

function withMuted(list: ViewSnapshot['conversations'], prefs: Pick<NotificationPrefs, 'mutedSet'>): ViewSnapshot['conversations'] {
  const muted = prefs.mutedSet();
  return list.map((c) => (muted.has(c.id) ? { ...c, muted: true } : c));
}

/** The parts of a snapshot that do not depend on the cache's messages. */
function baseSnapshot(src: SnapshotSources): Omit<ViewSnapshot, 'conversations' | 'messages' | 'more' | 'pinned' | 'discovered'> {
  const client = src.session.client;
  const cfg = readConfig();
  const place = src.place.get();
  return {
    v: VIEW_PROTOCOL_VERSION,
    connection: src.session.connection(),
    ...(client?.self ? { me: client.self } : {}),
    members: client?.members() ?? [],
    maxFileBytes: client?.limits.maxFileBytes ?? 10 * 1024 * 1024,
    prefill: { relayUrl: cfg.relayUrl, name: cfg.displayName },
    discovery: cfg.discovery.enabled,
    drafts: src.drafts.all(),
    ...(place ? { place } : {}),
    ...(client ? { limits: { maxTextChars: client.limits.maxTextChars, maxFileBytes: client.limits.maxFileBytes } } : {}),
  };
}
