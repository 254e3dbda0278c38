import type { MessageView } from '../../protocol/view';
import { mentions } from '../../protocol/mentions';
import { threadOf, type Member } from '../../protocol/wire';
import { authorColorVar } from '../logic/authorColor';
import { avatarLabels } from '../logic/avatars';
import { isTall, mayBeTall } from '../logic/collapse';
import { canOpenFile } from '../logic/fileKinds';
import { snippetWhere } from '../logic/snippetCard';
import { isNotice, type Row } from '../logic/timeline';
import { bdi, formatBytes, formatTime, h, icon, iconButton, nameList } from './dom';
import { codeBlock, renderMarkdown, type MarkdownHooks } from './markdown';

export interface RowContext extends MarkdownHooks {
  me?: string;
  members: Map<string, Member>;
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

/** "bob set the topic: …" — a line about the room, not a message. */
function renderNotice(m: MessageView, ctx: RowContext): HTMLElement {
  const who = m.author === ctx.me ? 'You' : (ctx.members.get(m.author)?.name ?? 'Someone');
  const b = m.body;
  // The name and the topic are isolated (<bdi>): a right-to-left one keeps the sentence in order.
  const said =
    b.kind === 'topic' ? (b.text ? [' set the topic: ', bdi(b.text)] : [' cleared the topic']) : b.kind === 'archive' ? [b.on ? ' archived the room' : ' unarchived the room'] : b.kind === 'admin' ? adminSaid(b, ctx) : undefined;
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

function renderMessage(m: MessageView, first: boolean, ctx: RowContext, seenBy?: string[]): HTMLElement {
  if (isNotice(m)) return renderNotice(m, ctx);
  const own = m.author === ctx.me;
  const author = ctx.members.get(m.author);
  const name = author?.name ?? (own ? 'you' : 'unknown');
  const mentionsMe = !own && !m.deleted && m.body.kind === 'text' && ctx.mentions?.me !== undefined && mentions(m.edited ?? m.body.text, ctx.mentions.me, { room: ctx.mentions.room });
  const el = h('div', {
    class: `msg${first ? ' first' : ''}${own ? ' own' : ''}${mentionsMe ? ' mentions-me' : ''}${m.delivery === 'failed' ? ' failed' : ''}${m.delivery === 'queued' ? ' queued' : ''}`,
    attrs: { role: 'article', tabindex: '-1', 'aria-label': `${name} at ${formatTime(m.ts)}` },
  });
  const gutter = h('div', { class: 'gutter' });
  if (first) {
    const avatar = h('div', { class: 'avatar', text: avatarLabel(m.author, ctx), attrs: { 'aria-hidden': 'true', title: name } });
    avatar.style.color = `var(${authorColorVar(m.author)})`;
    avatar.style.borderColor = `var(${authorColorVar(m.author)})`;
    gutter.append(avatar);
  } else {
    gutter.append(h('span', { class: 'gutter-time', text: formatTime(m.ts) }));
  }
  const main = h('div', { class: 'main' });
  if (first) {
    const who = h('span', { class: 'author' }, bdi(name));
    who.style.color = `var(${authorColorVar(m.author)})`;
    // A removed member's messages stay, marked as theirs.
    const removed = author?.removed ? h('span', { class: 'removed-tag muted small', text: 'removed', attrs: { title: `${name} was removed from the team` } }) : undefined;
    main.append(h('div', { class: 'header' }, who, removed, h('span', { class: 'time', text: formatTime(m.ts), attrs: { title: new Date(m.ts).toLocaleString() } })));
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

function renderBody(m: MessageView, ctx: RowContext): HTMLElement {
  if (m.deleted) return h('div', { class: 'body deleted', text: 'message deleted' });
  const b = m.body;
  switch (b.kind) {
    case 'text': {
      const body = h('div', { class: 'body markdown' }, renderMarkdown(m.edited ?? b.text, ctx));
      if (m.edited !== undefined) body.append(h('span', { class: 'edited', text: ' (edited)' }));
      return body;
    }
    case 'snippet': {
      // One header line (where, the language once, Copy and Save as icons), the code, then the
      // actions on one row: Open, Compare, Insert (or Open as diff, Apply for a patch).
      const where = snippetWhere(b.path, b.lines);
      const ref = [b.git?.branch, b.git?.commit ? `@${b.git.commit.slice(0, 7)}` : undefined].filter(Boolean).join('');
      const meta = [ref, b.git?.dirty ? 'uncommitted changes' : undefined].filter(Boolean).join(' · ');
      const seq = m.seq;
      const shown = b.patch ? `Changes to ${b.path ?? 'a file'}` : where;
      const cut = shown.lastIndexOf('/') + 1;
      const copy = iconButton('copy', b.patch ? 'Copy the patch' : 'Copy the code', () => ctx.copy(b.code), 'card-icon');
      const save = seq !== undefined ? iconButton('save-as', 'Save as…', () => ctx.snippet(seq, 'save'), 'card-icon') : undefined;
      save?.setAttribute('title', b.patch ? 'Save the patch as a file' : 'Save the code as a file');
      const card = h(
        'div',
        { class: 'body card snippet' },
        h(
          'div',
          { class: 'card-title' },
          icon(b.patch ? 'diff' : 'code'),
          // The folder gives way first (ellipsis); the file name and its lines stay readable.
          // Each part isolated (dir="auto"), so a right-to-left name cannot reorder the line.
          h(
            'span',
            { class: 'path', attrs: { title: b.git?.remote ? `${b.git.remote}: ${where}` : where } },
            cut > 0 ? h('span', { class: 'path-dir', text: shown.slice(0, cut), attrs: { dir: 'auto' } }) : undefined,
            h('span', { class: 'path-base', text: shown.slice(cut), attrs: { dir: 'auto' } }),
          ),
          b.lang ? h('span', { class: 'card-lang muted', text: b.lang }) : undefined,
          h('span', { class: 'card-icons' }, copy, save),
        ),
        meta ? h('div', { class: 'card-meta muted', text: meta }) : undefined,
      );
      if (b.note) card.append(h('div', { class: 'note markdown' }, renderMarkdown(b.note, ctx)));
      card.append(codeBlock(b.code, b.lang, ctx, { bar: false }));
      if (seq !== undefined) {
        const act = (label: string, title: string, action: Parameters<RowContext['snippet']>[1], primary = false) =>
          h('button', { class: primary ? 'primary small' : 'secondary small', text: label, attrs: { type: 'button', title }, on: { click: () => ctx.snippet(seq, action) } });
        card.append(
          b.patch
            ? h('div', { class: 'card-actions' }, act('Open as diff', 'Show your file next to it with these changes applied', 'openDiff', true), act('Apply', 'Apply these changes to your file', 'apply'))
            : h(
                'div',
                { class: 'card-actions' },
                act('Open', 'Open your copy of the file at this code (followed if it moved)', 'open', true),
                act('Compare', 'Compare with mine: a diff of this code against your file', 'compare'),
                act('Insert', 'Insert at the cursor of your active editor', 'insert'),
              ),
        );
      }
      return card;
    }
    case 'file': {
      const pending = b.file === 'pending';
      const card = h(
        'div',
        { class: 'body card file' },
        h('div', { class: 'card-title' }, icon(b.mime?.startsWith('image/') ? 'file-media' : 'file'), h('span', { class: 'path' }, bdi(b.name)), h('span', { class: 'muted', text: formatBytes(b.size) })),
      );
      if (m.preview) {
        const img = h('img', { class: 'preview', attrs: { src: m.preview, alt: b.name } });
        // Bytes that are not the image type they claim (an SVG sent as image/png) do not decode:
        // no broken-image icon, the card keeps its name and buttons.
        img.addEventListener('error', () => img.classList.add('broken'), { once: true });
        card.append(img);
      }
      if (b.note) card.append(h('div', { class: 'note markdown' }, renderMarkdown(b.note, ctx)));
      if (!pending && m.seq !== undefined) {
        const seq = m.seq;
        // Text files (by type or name, up to 1 MB) also open in an editor, read-only.
        const open = canOpenFile(b.name, b.mime, b.size)
          ? h('button', { class: 'secondary', text: 'Open', attrs: { type: 'button', title: `Open ${b.name} in an editor (read-only, not saved)` }, on: { click: () => ctx.openFile(seq) } })
          : undefined;
        card.append(h('div', { class: 'card-actions' }, open, h('button', { class: 'secondary', text: 'Save as…', attrs: { type: 'button' }, on: { click: () => ctx.saveFile(seq) } })));
      }
      return card;
    }
    default:
      if (m.unreadable) return h('div', { class: 'body muted unreadable', text: 'This message could not be read (Parley: Show Log says why).' });
      return h('div', { class: 'body muted', text: `(${b.kind})` });
  }
}

function renderStatus(m: MessageView, ctx: RowContext): HTMLElement | undefined {
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

function renderReactions(m: MessageView, ctx: RowContext): HTMLElement | undefined {
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
        attrs: { type: 'button', title: `${who} reacted with ${r.emoji}${mine ? ' (click to remove yours)' : ''}`, 'aria-pressed': mine ? 'true' : 'false', 'aria-label': `${r.emoji} ${r.users.length}: ${who}` },
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
function renderSeen(users: string[], ctx: RowContext): HTMLElement {
  const names = users.map((u) => ctx.members.get(u)?.name ?? 'someone');
  const text = `Seen by ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]}`;
  const faces = h('span', { class: 'thread-faces', attrs: { 'aria-hidden': 'true' } });
  for (const u of users.slice(0, 5)) faces.append(face(u, ctx));
  return h('div', { class: 'seen muted', attrs: { 'aria-label': text } }, faces, h('span', {}, 'Seen by ', ...nameList(names)));
}

/** Member id → avatar label, for the last set of members seen (labels unique among them). */
let avatarMemo: { key: string; labels: Map<string, string> } | undefined;

/**
 * A member's two-letter label ("Ca" for carol, "Ce" for carole): unique among the team's
 * members, so the same person has the same label wherever faces are shown together.
 */
function avatarLabel(user: string, ctx: RowContext): string {
  const members = [...ctx.members.values()];
  const key = members.map((m) => `${m.id}\u0000${m.name}`).join('\u0001');
  if (avatarMemo?.key !== key) {
    const labels = avatarLabels(members.map((m) => m.name));
    avatarMemo = { key, labels: new Map(members.map((m, i) => [m.id, labels[i]])) };
  }
  return avatarMemo.labels.get(user) ?? '?';
}

function face(user: string, ctx: RowContext): HTMLElement {
  const name = ctx.members.get(user)?.name ?? 'someone';
  const el = h('span', { class: 'face', text: avatarLabel(user, ctx), attrs: { title: name } });
  el.style.color = `var(${authorColorVar(user)})`;
  el.style.borderColor = `var(${authorColorVar(user)})`;
  return el;
}

/** Messages shown expanded ("Show more"), by conversation and message id, across re-renders. */
const expanded = new Set<string>();
let collapseIds = 0;
const toggles = new WeakMap<Element, HTMLButtonElement>();
let watcher: ResizeObserver | undefined;

/** Whether a body's full content is taller than the clamp: shows its toggle only then. */
function fit(body: HTMLElement): void {
  const toggle = toggles.get(body);
  if (!toggle || !body.isConnected || body.clientWidth === 0) return;
  const tall = isTall(body.scrollHeight);
  toggle.hidden = !tall;
  body.classList.toggle('clamped', tall && toggle.getAttribute('aria-expanded') !== 'true');
}

/**
 * A "Show more" / "Show less" button for a long text message: the body is clamped to about
 * twelve lines (media/chat.css) until expanded. It sits outside the body, which holds the text only.
 */
function collapsible(body: HTMLElement, key: string): HTMLButtonElement {
  body.id ||= `msg-body-${++collapseIds}`;
  const open = expanded.has(key);
  const toggle = h('button', { class: 'link-button show-more', text: open ? 'Show less' : 'Show more', attrs: { type: 'button', 'aria-expanded': String(open), 'aria-controls': body.id } });
  body.classList.add('collapsible');
  if (!open) body.classList.add('clamped');
  toggle.addEventListener('click', (e) => {
    e.stopPropagation();
    const now = toggle.getAttribute('aria-expanded') !== 'true';
    if (now) expanded.add(key);
    else expanded.delete(key);
    toggle.setAttribute('aria-expanded', String(now));
    toggle.textContent = now ? 'Show less' : 'Show more';
    body.classList.toggle('clamped', !now);
    // Collapsing a long message from below: keep its button (and the message) in view.
    if (!now) toggle.scrollIntoView({ block: 'nearest' });
  });
  toggles.set(body, toggle);
  watcher ??= new ResizeObserver((entries) => {
    for (const e of entries) fit(e.target as HTMLElement);
  });
  watcher.observe(body);
  return toggle;
}

/** "3 replies · alice, bob · last reply 10:42" under a thread's root, opening the thread. */
function renderThreadSummary(m: MessageView, ctx: RowContext): HTMLElement | undefined {
  const r = m.replies;
  if (!r || r.count === 0 || m.seq === undefined || !ctx.openThread) return undefined;
  const seq = m.seq;
  const open = ctx.openThread;
  const names = r.users.map((u) => (u === ctx.me ? 'you' : (ctx.members.get(u)?.name ?? 'someone')));
  const faces = h('span', { class: 'thread-faces', attrs: { 'aria-hidden': 'true' } });
  for (const u of r.users) faces.append(face(u, ctx));
  const count = `${r.count} repl${r.count === 1 ? 'y' : 'ies'}`;
  return h(
    'button',
    {
      class: 'thread-summary',
      attrs: { type: 'button', title: `Open the thread: ${count} from ${names.join(', ')}`, 'aria-label': `${count}${r.unread ? `, ${r.unread} new` : ''}, last reply at ${formatTime(r.lastTs)}; open the thread` },
      on: { click: () => open(seq) },
    },
    faces,
    h('span', { class: 'thread-count', text: count }),
    r.unread ? h('span', { class: 'badge thread-new', text: `${r.unread} new` }) : undefined,
    h('span', { class: 'muted', text: `last reply ${formatTime(r.lastTs)}` }),
  );
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
  if (ctx.mayPin !== false) bar.append(m.pinned ? iconButton('pinned', 'Unpin', () => ctx.pin(seq, false)) : iconButton('pin', 'Pin to the conversation', () => ctx.pin(seq, true)));
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
