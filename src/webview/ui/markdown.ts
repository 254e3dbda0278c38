import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { h, iconButton, visible } from './dom';
import { mentionSpans } from '../../protocol/mentions';
import { findFileRefs } from '../logic/references';
import { highlightCode } from './highlight';
import type { BudgetMeter } from '../logic/highlightBudget';

// Markdown with raw HTML off, rendered from markdown-it's token stream straight to DOM nodes:
// no HTML string is ever parsed, so message text cannot inject markup. Images become links
// (no remote content); links open through the extension host.

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image']);

const BLOCK_TAGS = new Set([
  'p',
  'ul',
  'ol',
  'li',
  'blockquote',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'strong',
  'em',
  's',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);

export interface MarkdownHooks {
  openLink(url: string): void;
  copy(text: string): void;
  openRef(path: string, line: number, col?: number): void;
  /** Member names to highlight as mentions (with `me`'s and the room's marked as mine). */
  mentions?: { names: readonly string[]; me?: string; room: boolean };
}

export function renderMarkdown(text: string, hooks: MarkdownHooks): DocumentFragment {
  const frag = document.createDocumentFragment();
  const tokens = md.parse(text, {});
  // The message's code blocks share one highlighting budget.
  build(frag, tokens, hooks, { spentMs: 0 });
  return frag;
}

function build(root: Node, tokens: Token[], hooks: MarkdownHooks, meter: BudgetMeter): void {
  const stack: Node[] = [root];
  const top = () => stack[stack.length - 1];
  for (const t of tokens) {
    if (t.nesting === 1) {
      let el: HTMLElement;
      if (t.type === 'link_open') el = link(t.attrGet('href') ?? '', hooks);
      else if (/^h[1-6]$/.test(t.tag)) el = h('p', { class: `md-heading md-${t.tag}` });
      else if (BLOCK_TAGS.has(t.tag)) el = document.createElement(t.tag);
      else el = document.createElement('span');
      if (t.tag === 'ol') {
        const start = t.attrGet('start');
        if (start) el.setAttribute('start', start);
      }
      top().appendChild(el);
      stack.push(el);
      continue;
    }
    if (t.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    switch (t.type) {
      case 'inline':
        build(top(), t.children ?? [], hooks, meter);
        break;
      case 'text':
        top().appendChild(insideLink(stack) ? withRefs(t.content, hooks, true) : withMentions(t.content, hooks));
        break;
      case 'code_inline': {
        const code = h('code');
        code.append(withRefs(t.content, hooks, insideLink(stack)));
        top().appendChild(code);
        break;
      }
      case 'softbreak':
      case 'hardbreak':
        top().appendChild(document.createElement('br'));
        break;
      case 'fence':
      case 'code_block':
        top().appendChild(codeBlock(t.content.replace(/\n$/, ''), t.info.trim().split(/\s+/)[0] || undefined, hooks, { meter }));
        break;
      case 'hr':
        top().appendChild(document.createElement('hr'));
        break;
      default:
        if (t.content) top().appendChild(visible(t.content));
    }
  }
}

/** Text with @mentions of members (and the room) highlighted; the rest goes through withRefs. */
function withMentions(text: string, hooks: MarkdownHooks): Node {
  const spans = hooks.mentions
    ? mentionSpans(text, hooks.mentions.names, { room: hooks.mentions.room, ...(hooks.mentions.me ? { me: hooks.mentions.me } : {}) })
    : [];
  if (spans.length === 0) return withRefs(text, hooks, false);
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const s of spans) {
    if (s.index > at) frag.append(withRefs(text.slice(at, s.index), hooks, false));
    frag.append(h('span', { class: `mention${s.me ? ' me' : ''}`, text: text.slice(s.index, s.index + s.length) }));
    at = s.index + s.length;
  }
  if (at < text.length) frag.append(withRefs(text.slice(at), hooks, false));
  return frag;
}

function insideLink(stack: Node[]): boolean {
  return stack.some((n) => n instanceof HTMLAnchorElement);
}

/** Text with `path:line[:col]` references made into links that open the file. */
function withRefs(text: string, hooks: MarkdownHooks, inLink: boolean): Node {
  const refs = inLink ? [] : findFileRefs(text);
  if (refs.length === 0) return visible(text);
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const r of refs) {
    if (r.index > at) frag.append(visible(text.slice(at, r.index)));
    const label = text.slice(r.index, r.index + r.length);
    const a = h('a', { class: 'md-ref', text: label, attrs: { title: `Open ${r.path} at line ${r.line}`, tabindex: '0', role: 'link' } });
    const open = (e: Event) => {
      e.preventDefault();
      hooks.openRef(r.path, r.line, r.col);
    };
    a.addEventListener('click', open);
    a.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && open(e));
    frag.append(a);
    at = r.index + r.length;
  }
  if (at < text.length) frag.append(visible(text.slice(at)));
  return frag;
}

function link(href: string, hooks: MarkdownHooks): HTMLAnchorElement {
  const safe = /^(https?:|mailto:)/i.test(href);
  const a = h('a', {
    class: safe ? 'md-link' : 'md-link md-link-blocked',
    attrs: { title: safe ? href : `${href} (not opened: only http, https and mailto links open)`, tabindex: '0', role: 'link' },
  });
  if (safe) {
    const open = (e: Event) => {
      e.preventDefault();
      hooks.openLink(href);
    };
    a.addEventListener('click', open);
    a.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && open(e));
  }
  return a;
}

/**
 * A highlighted code block that scrolls sideways (lines never wrap). `bar: false` leaves out the
 * bar with the language and Copy, for a card that shows both itself (snippet cards). Blocks with
 * the same `meter` share a highlighting budget (ui/highlight.ts).
 */
export function codeBlock(code: string, lang: string | undefined, hooks: MarkdownHooks, opts: { bar?: boolean; meter?: BudgetMeter } = {}): HTMLElement {
  // A Tab stop while its lines run past its width (ui/rowFocus.ts codeTabStops), to scroll them with the keys.
  const pre = h('pre', { class: 'code', attrs: { tabindex: '0' } }, h('code', {}, highlightCode(code, lang, opts.meter)));
  if (opts.bar === false) return h('div', { class: 'code-block' }, pre);
  const bar = h(
    'div',
    { class: 'code-bar' },
    h('span', { class: 'code-lang', text: lang ?? '' }),
    iconButton('copy', 'Copy code', () => hooks.copy(code)),
  );
  return h('div', { class: 'code-block' }, bar, pre);
}
