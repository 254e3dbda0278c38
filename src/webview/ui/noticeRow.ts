import type { MessageView } from '../../protocol/view';
import type { RowContext } from './messageRow';
import { renderStatus } from './messageFooter';
import { bdi, formatTime, h, icon } from './dom';

/** "bob set the topic: …" — a line about the room, not a message. */
export function renderNotice(m: MessageView, ctx: RowContext): HTMLElement {
  const who = m.author === ctx.me ? 'You' : (ctx.members.get(m.author)?.name ?? 'Someone');
  const b = m.body;
  // The name and the topic are isolated (<bdi>): a right-to-left one keeps the sentence in order.
  const said =
    b.kind === 'topic'
      ? b.text
        ? [' set the topic: ', bdi(b.text)]
        : [' cleared the topic']
      : b.kind === 'archive'
        ? [b.on ? ' archived the room' : ' unarchived the room']
        : b.kind === 'admin'
          ? adminSaid(b, ctx)
          : undefined;
  const el = h(
    'div',
    { class: `notice-row${m.delivery === 'queued' ? ' queued' : ''}${m.delivery === 'failed' ? ' failed' : ''}`, attrs: { role: 'note' } },
    icon(b.kind === 'archive' ? 'archive' : b.kind === 'admin' ? (b.act === 'rotate' ? 'key' : 'shield') : 'edit'),
    h('span', { class: 'notice-text' }, ...(said ? [bdi(who), ...said] : [])),
    h('span', { class: 'notice-time muted', text: formatTime(m.ts) }),
  );
  const status = renderStatus(m, ctx);
  if (status) el.append(status);
  return el;
}

/** What an administration notice says after its author's name: "removed mallory", "made bob an admin", "rotated the team secret". */
function adminSaid(b: Extract<MessageView['body'], { kind: 'admin' }>, ctx: RowContext): (string | HTMLElement)[] {
  const whom = b.user === ctx.me ? 'you' : (ctx.members.get(b.user ?? '')?.name ?? 'a member');
  if (b.act === 'rotate') return [' rotated the team secret (invites made before no longer admit anyone new)'];
  if (b.act === 'remove') return [' removed ', bdi(whom), ' from the team'];
  return [' made ', bdi(whom), b.role === 'owner' ? ' an owner' : b.role === 'admin' ? ' an admin' : ' a member'];
}
