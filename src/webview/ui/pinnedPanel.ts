import type { MessageView } from '../../protocol/view';
import type { Member } from '../../protocol/wire';
import { messageGist } from '../logic/messageGist';
import { bdi, formatDayTime, h, iconButton } from './dom';
import { rovingList } from './roving';

/**
 * The conversation's pinned messages, under its header; clicking one shows it in context.
 * `unpin` is given only to those who may change the pins (protocol/roles.ts): others get no Unpin.
 */
export function renderPinned(
  pinned: MessageView[],
  members: Map<string, Member>,
  me: string | undefined,
  open: (m: MessageView) => void,
  unpin?: (m: MessageView) => void,
): HTMLElement {
  const list = h('div', { class: 'pinned-panel', attrs: { role: 'list', 'aria-label': 'Pinned messages' } });
  if (pinned.length === 0)
    list.append(
      h('div', {
        class: 'search-note muted',
        text: unpin ? 'Nothing is pinned. Pin a message from its toolbar to keep it here for everyone.' : 'Nothing is pinned.',
      }),
    );
  for (const m of pinned) {
    const who = m.author === me ? 'you' : (members.get(m.author)?.name ?? 'unknown member');
    const by = m.pinned ? (m.pinned.by === me ? 'you' : (members.get(m.pinned.by)?.name ?? 'someone')) : '';
    const item = h(
      'div',
      { class: 'search-hit pinned-item', attrs: { role: 'listitem', tabindex: '-1', 'aria-label': `${who}: ${messageGist(m)}` } },
      h(
        'div',
        { class: 'search-meta' },
        h('span', { class: 'author' }, bdi(who)),
        h('span', { class: 'muted' }, formatDayTime(m.ts), ...(by ? [' · pinned by ', bdi(by)] : [])),
      ),
      h('div', { class: 'search-text', text: messageGist(m) }),
    );
    if (unpin) item.append(iconButton('close', 'Unpin', () => unpin(m), 'unpin'));
    item.addEventListener('click', () => open(m));
    item.addEventListener('keydown', (e) => e.key === 'Enter' && open(m));
    list.append(item);
  }
  // One tab stop; Up, Down, Home and End move between the pins.
  rovingList(list, '.pinned-item');
  return list;
}
