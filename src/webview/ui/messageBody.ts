import { formatBytes } from '../../protocol/formatBytes';
import type { MessageView } from '../../protocol/view';
import { canOpenFile } from '../logic/fileKinds';
import { snippetWhere } from '../logic/snippetCard';
import type { RowContext } from './messageRow';
import { bdi, h, icon, iconButton } from './dom';
import { codeBlock, renderMarkdown } from './markdown';

type BodyOf<K extends MessageView['body']['kind']> = Extract<MessageView['body'], { kind: K }>;

/** What a message says: its text, a snippet card, a file card, or a placeholder. */
export function renderBody(m: MessageView, ctx: RowContext): HTMLElement {
  if (m.deleted) return h('div', { class: 'body deleted', text: 'message deleted' });
  const b = m.body;
  switch (b.kind) {
    case 'text': {
      const body = h('div', { class: 'body markdown' }, renderMarkdown(m.edited ?? b.text, ctx));
      if (m.edited !== undefined) body.append(h('span', { class: 'edited', text: ' (edited)' }));
      return body;
    }
    case 'snippet':
      return snippetCard(b, m.seq, ctx);
    case 'file':
      return fileCard(b, m, ctx);
    default:
      if (m.unreadable) return h('div', { class: 'body muted unreadable', text: 'This message could not be read (Parley: Show Log says why).' });
      return h('div', { class: 'body muted', text: `(${b.kind})` });
  }
}

/**
 * One header line (where, the language once, Copy and Save as icons), the code, then the
 * actions on one row: Open, Compare, Insert (or Open as diff, Apply for a patch).
 */
function snippetCard(b: BodyOf<'snippet'>, seq: number | undefined, ctx: RowContext): HTMLElement {
  const where = snippetWhere(b.path, b.lines);
  const ref = [b.git?.branch, b.git?.commit ? `@${b.git.commit.slice(0, 7)}` : undefined].filter(Boolean).join('');
  const meta = [ref, b.git?.dirty ? 'uncommitted changes' : undefined].filter(Boolean).join(' · ');
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
  if (seq !== undefined) card.append(snippetActions(b, seq, ctx));
  return card;
}

function snippetActions(b: BodyOf<'snippet'>, seq: number, ctx: RowContext): HTMLElement {
  const act = (label: string, title: string, action: Parameters<RowContext['snippet']>[1], primary = false) =>
    h('button', {
      class: primary ? 'primary small' : 'secondary small',
      text: label,
      attrs: { type: 'button', title },
      on: { click: () => ctx.snippet(seq, action) },
    });
  return b.patch
    ? h(
        'div',
        { class: 'card-actions' },
        act('Open as diff', 'Show your file next to it with these changes applied', 'openDiff', true),
        act('Apply', 'Apply these changes to your file', 'apply'),
      )
    : h(
        'div',
        { class: 'card-actions' },
        act('Open', 'Open your copy of the file at this code (followed if it moved)', 'open', true),
        act('Compare', 'Compare with mine: a diff of this code against your file', 'compare'),
        act('Insert', 'Insert at the cursor of your active editor', 'insert'),
      );
}

function fileCard(b: BodyOf<'file'>, m: MessageView, ctx: RowContext): HTMLElement {
  const pending = b.file === 'pending';
  const card = h(
    'div',
    { class: 'body card file' },
    h(
      'div',
      { class: 'card-title' },
      icon(b.mime?.startsWith('image/') ? 'file-media' : 'file'),
      h('span', { class: 'path' }, bdi(b.name)),
      h('span', { class: 'muted', text: formatBytes(b.size) }),
    ),
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
      ? h('button', {
          class: 'secondary',
          text: 'Open',
          attrs: { type: 'button', title: `Open ${b.name} in an editor (read-only, not saved)` },
          on: { click: () => ctx.openFile(seq) },
        })
      : undefined;
    card.append(
      h(
        'div',
        { class: 'card-actions' },
        open,
        h('button', { class: 'secondary', text: 'Save as…', attrs: { type: 'button' }, on: { click: () => ctx.saveFile(seq) } }),
      ),
    );
  }
  return card;
}
