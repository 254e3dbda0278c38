import type { MessageView } from '../../protocol/view';
import { face } from './faces';
import type { RowContext } from './messageRow';
import { formatTime, h, icon, iconButton, nameList } from './dom';

// What goes under a message's body: its delivery state, reactions, thread summary and who has seen it.

export function renderStatus(m: MessageView, ctx: RowContext): HTMLElement | undefined {
  if (m.delivery === 'queued') {
    const label = m.body.kind === 'file' ? 'Uploading — or queued until the relay is reachable' : 'Queued — sends when the relay is reachable';
    return h('div', { class: 'status queued', attrs: { role: 'status' } }, icon('clock'), h('span', { text: label }));
  }
  if (m.delivery === 'failed') {
    return h(
      'div',
      { class: 'status failed', attrs: { role: 'alert' } },
      icon('error'),
      h('span', { text: `Not sent: ${m.error ?? 'refused by the relay'}` }),
      h('button', { class: 'link-button', text: 'Retry', attrs: { type: 'button' }, on: { click: () => ctx.retry(m.id) } }),
      h('button', { class: 'link-button', text: 'Discard', attrs: { type: 'button' }, on: { click: () => ctx.discard(m.id) } }),
    );
  }
  return undefined;
}

/** Names for a reaction's tooltip: "alice, bob and you". */
function whoReacted(users: string[], ctx: RowContext): string {
  const names = users.map((u) => (u === ctx.me ? 'you' : (ctx.members.get(u)?.name ?? 'someone')));
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

export function renderReactions(m: MessageView, ctx: RowContext): HTMLElement | undefined {
  if (m.deleted || m.seq === undefined || !m.reactions?.length) return undefined;
  const seq = m.seq;
  const bar = h('div', { class: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } });
  for (const r of m.reactions) {
    const mine = ctx.me !== undefined && r.users.includes(ctx.me);
    const who = whoReacted(r.users, ctx);
    const chip = h(
      'button',
      {
        class: `reaction${mine ? ' mine' : ''}`,
        attrs: {
          type: 'button',
          title: `${who} reacted with ${r.emoji}${mine ? ' (click to remove yours)' : ''}`,
          'aria-pressed': mine ? 'true' : 'false',
          'aria-label': `${r.emoji} ${r.users.length}: ${who}`,
        },
        on: { click: () => ctx.react(seq, r.emoji, !mine) },
      },
      h('span', { class: 'emoji', text: r.emoji }),
      h('span', { class: 'count', text: String(r.users.length) }),
    );
    bar.append(chip);
  }
  if (!ctx.readOnly) {
    const add = iconButton('reactions', 'Add a reaction', () => ctx.pickReaction(seq, add), 'add-reaction');
    bar.append(add);
  }
  return bar;
}

/** "Seen by alice and bob" where their read markers are. */
export function renderSeen(users: string[], ctx: RowContext): HTMLElement {
  const names = users.map((u) => ctx.members.get(u)?.name ?? 'someone');
  const text = `Seen by ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]}`;
  const faces = h('span', { class: 'thread-faces', attrs: { 'aria-hidden': 'true' } });
  for (const u of users.slice(0, 5)) faces.append(face(u, ctx));
  return h('div', { class: 'seen muted', attrs: { 'aria-label': text } }, faces, h('span', {}, 'Seen by ', ...nameList(names)));
}

/** "3 replies · alice, bob · last reply 10:42" under a thread's root, opening the thread. */
export function renderThreadSummary(m: MessageView, ctx: RowContext): HTMLElement | undefined {
  const r = m.replies;
  if (!r || r.count === 0 || m.seq === undefined || !ctx.openThread) return undefined;
  const seq = m.seq;
  const open = ctx.openThread;
  const names = r.users.map((u) => (u === ctx.me ? 'you' : (ctx.members.get(u)?.name ?? 'someone')));
  const faces = h('span', { class: 'thread-faces', attrs: { 'aria-hidden': 'true' } });
  for (const u of r.users) faces.append(face(u, ctx));
  const count = `${r.count} repl${r.count === 1 ? 'y' : 'ies'}`;
  const last = `last reply ${formatTime(r.lastTs)}`;
  // Named by what it shows (so "click 1 reply" works for voice control), then what it does.
  return h(
    'button',
    {
      class: 'thread-summary',
      attrs: { type: 'button', title: `Open the thread: ${count} from ${names.join(', ')}` },
      on: { click: () => open(seq) },
    },
    faces,
    h('span', { class: 'thread-count', text: count }),
    ' ',
    r.unread ? h('span', { class: 'badge thread-new', text: `${r.unread} new` }) : undefined,
    r.unread ? ' ' : undefined,
    h('span', { class: 'muted', text: last }),
    h('span', { class: 'visually-hidden', text: ', open the thread' }),
  );
}
