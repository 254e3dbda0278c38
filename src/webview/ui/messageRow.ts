import type { MessageView } from '../../protocol/view';
import { mentions } from '../../protocol/mentions';
import { threadOf } from '../../protocol/constants';
import type { Member } from '../../protocol/wire';
import { mayBeTall } from '../logic/collapse';
import { isNotice, type Row } from '../logic/timeline';
import { collapsible } from './collapsible';
import { bdi, formatTime, h, icon, iconButton } from './dom';
import { avatar, tint } from './faces';
import type { MarkdownHooks } from './markdown';
import { renderBody } from './messageBody';
import { renderReactions, renderSeen, renderStatus, renderThreadSummary } from './messageFooter';
import { renderNotice } from './noticeRow';

export interface RowContext extends MarkdownHooks {
  me?: string;
  members: Map<string, Member>;
  /** An author's colour in this conversation (a CSS variable name; logic/authorColor.ts). */
  colour(user: string): string;
  conv: string;
  retry(id: string): void;
  discard(id: string): void;
  edit(m: MessageView): void;
  remove(m: MessageView): void;
  saveFile(seq: number): void;
  /** Opens a received text file in an editor. */
  openFile(seq: number): void;
  snippet(seq: number, action: 'open' | 'compare' | 'insert' | 'copy' | 'save' | 'openDiff' | 'apply'): void;
  /** Adds or removes my reaction. */
  react(seq: number, emoji: string, on: boolean): void;
  /** Opens the emoji picker for a message, next to `anchor`. */
  pickReaction(seq: number, anchor: HTMLElement): void;
  /** Opens a message's thread; absent inside a thread (rows there show no thread links). */
  openThread?(seq: number): void;
  /** Pins or unpins a message. */
  pin(seq: number, on: boolean): void;
  /** The conversation is read-only (an archived room): no actions but copying. */
  readOnly?: boolean;
  /** False: pins here are the room's managers' (protocol/roles.ts), so no Pin or Unpin. */
  mayPin?: boolean;
}

/** A key that changes whenever the row would render differently; `ctx`: what every row also depends on (see App.rowsKey). */
export function rowVersion(row: Row, ctx = ''): string {
  if (row.kind !== 'msg') return row.key;
  const m = row.message;
  const reactions = (m.reactions ?? []).map((r) => `${r.emoji}:${r.users.join(',')}`).join(';');
  const replies = m.replies ? `${m.replies.count}:${m.replies.lastTs}:${m.replies.users.join(',')}:${m.replies.unread ?? 0}` : '';
  return `${ctx}|${row.key}|${replies}|${row.seenBy?.join(',') ?? ''}|${m.pinned?.by ?? ''}|${row.first ? 1 : 0}|${m.seq ?? ''}|${m.edited ?? ''}|${m.deleted ? 1 : 0}|${m.delivery ?? ''}|${m.error ?? ''}|${m.preview ? 1 : 0}|${reactions}`;
}

export function renderRow(row: Row, ctx: RowContext): HTMLElement {
  if (row.kind === 'day') return h('div', { class: 'day', attrs: { role: 'separator' } }, h('span', { text: row.label }));
  if (row.kind === 'new') return h('div', { class: 'new-divider', attrs: { role: 'separator', 'aria-label': 'New messages' } }, h('span', { text: 'New' }));
  return renderMessage(row.message, row.first, ctx, row.seenBy);
}

function renderMessage(m: MessageView, first: boolean, ctx: RowContext, seenBy?: string[]): HTMLElement {
  if (isNotice(m)) return renderNotice(m, ctx);
  const own = m.author === ctx.me;
  const author = ctx.members.get(m.author);
  const name = author?.name ?? (own ? 'you' : 'unknown');
  const mentionsMe =
    !own &&
    !m.deleted &&
    m.body.kind === 'text' &&
    ctx.mentions?.me !== undefined &&
    mentions(m.edited ?? m.body.text, ctx.mentions.me, { room: ctx.mentions.room });
  const el = h('div', {
    class: `msg${first ? ' first' : ''}${own ? ' own' : ''}${mentionsMe ? ' mentions-me' : ''}${m.delivery === 'failed' ? ' failed' : ''}${m.delivery === 'queued' ? ' queued' : ''}`,
    attrs: { role: 'article', tabindex: '-1', 'aria-label': `${name} at ${formatTime(m.ts)}` },
  });
  const gutter = h('div', { class: 'gutter' });
  if (first) {
    gutter.append(avatar(m.author, name, ctx));
  } else {
    gutter.append(h('span', { class: 'gutter-time', text: formatTime(m.ts) }));
  }
  const main = h('div', { class: 'main' });
  if (first) {
    const who = tint(h('span', { class: 'author' }, bdi(name)), ctx.colour(m.author));
    // A removed member's messages stay, marked as theirs.
    const removed = author?.removed
      ? h('span', { class: 'removed-tag muted small', text: 'removed', attrs: { title: `${name} was removed from the team` } })
      : undefined;
    main.append(
      h('div', { class: 'header' }, who, removed, h('span', { class: 'time', text: formatTime(m.ts), attrs: { title: new Date(m.ts).toLocaleString() } })),
    );
  }
  if (m.pinned && !m.deleted) {
    const by = m.pinned.by === ctx.me ? 'you' : (ctx.members.get(m.pinned.by)?.name ?? 'someone');
    main.append(h('div', { class: 'pinned-label' }, icon('pinned'), h('span', {}, 'Pinned by ', bdi(by))));
  }
  const body = renderBody(m, ctx);
  main.append(body);
  if (!m.deleted && m.body.kind === 'text' && mayBeTall(m.edited ?? m.body.text)) main.append(collapsible(body, `${ctx.conv}:${m.id}`));
  const reactions = renderReactions(m, ctx);
  if (reactions) main.append(reactions);
  const thread = renderThreadSummary(m, ctx);
  if (thread) main.append(thread);
  const status = renderStatus(m, ctx);
  if (status) main.append(status);
  if (seenBy?.length) main.append(renderSeen(seenBy, ctx));
  el.append(gutter, main);
  const actions = renderActions(m, own, ctx);
  if (actions) el.append(actions);
  return el;
}

function renderActions(m: MessageView, own: boolean, ctx: RowContext): HTMLElement | undefined {
  if (m.deleted || m.seq === undefined) return undefined;
  const bar = h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Message actions' } });
  const seq = m.seq;
  if (ctx.readOnly) {
    if (m.body.kind === 'text') {
      const text = m.edited ?? m.body.text;
      bar.append(iconButton('copy', 'Copy text', () => ctx.copy(text)));
    }
    return bar.childElementCount ? bar : undefined;
  }
  const react = iconButton('reactions', 'Add a reaction', () => ctx.pickReaction(seq, react));
  bar.append(react);
  const open = ctx.openThread;
  if (open && (m.body.kind === 'text' || m.body.kind === 'snippet' || m.body.kind === 'file') && threadOf(m.body) === undefined) {
    bar.append(iconButton('comment-discussion', 'Reply in thread', () => open(seq)));
  }
  if (ctx.mayPin !== false)
    bar.append(m.pinned ? iconButton('pinned', 'Unpin', () => ctx.pin(seq, false)) : iconButton('pin', 'Pin to the conversation', () => ctx.pin(seq, true)));
  if (m.body.kind === 'text') {
    const text = m.edited ?? m.body.text;
    bar.append(iconButton('copy', 'Copy text', () => ctx.copy(text)));
    if (own) {
      bar.append(iconButton('edit', 'Edit message', () => ctx.edit(m)));
      bar.append(iconButton('trash', 'Delete message', () => ctx.remove(m)));
    }
  } else if (own) {
    bar.append(iconButton('trash', 'Delete message', () => ctx.remove(m)));
  }
  return bar.childElementCount ? bar : undefined;
}
