import type { ConversationView, SearchHit, ViewSnapshot } from '../../protocol/view';
import { MENTIONS_QUERY } from '../../protocol/viewShared';
import { excerptParts } from '../logic/searchExcerpt';
import { bdi, formatDayTime, h, icon, iconButton, visible } from './dom';
import { requestId } from './requestIds';

export interface SearchHooks {
  /** `rid`: the request id its `results` carry. */
  search(rid: string, q: string, conv?: string, from?: string): void;
  mentions(rid: string): void;
  open(hit: SearchHit): void;
  /** Searching started (a query is in the box) or ended (the box was cleared). */
  changed(active: boolean): void;
}

const DEBOUNCE_MS = 250;

/**
 * The search box above the conversation list, with filters by conversation and person; while
 * it holds a query, the results take the list's place. Matches are marked in each excerpt.
 */
export class SearchPanel {
  readonly element: HTMLElement;
  /** What shows in the list's place: a heading or a note (announced), then the hits. */
  readonly results = h('div', { class: 'search-results' });
  /** The hits alone (a list holds only its items). */
  private readonly hits = h('div', { class: 'search-hits', attrs: { role: 'list', 'aria-label': 'Search results' } });
  private readonly input: HTMLInputElement;
  private readonly inConv: HTMLSelectElement;
  private readonly fromUser: HTMLSelectElement;
  private readonly filters: HTMLElement;
  private snap: ViewSnapshot | undefined;
  private timer = 0;
  /** The request whose results are awaited: answers to earlier ones are dropped. */
  private waiting: string | undefined;
  /** Showing the Mentions list rather than search results. */
  private mentionsMode = false;
  private readonly heading = h('div', { class: 'search-heading' });

  constructor(private readonly hooks: SearchHooks) {
    this.input = h('input', {
      class: 'search-input',
      attrs: { type: 'search', placeholder: 'Search messages', 'aria-label': 'Search messages', spellcheck: 'false' },
    });
    this.inConv = h('select', { class: 'search-filter', attrs: { 'aria-label': 'In conversation' } });
    this.fromUser = h('select', { class: 'search-filter', attrs: { 'aria-label': 'From' } });
    this.filters = h('div', { class: 'search-filters' }, h('label', { text: 'in' }), this.inConv, h('label', { text: 'from' }), this.fromUser);
    this.filters.hidden = true;
    const clear = iconButton('close', 'Clear the search', () => this.clear(), 'search-clear');
    this.element = h('div', { class: 'search-panel' }, h('div', { class: 'search-row' }, icon('search'), this.input, clear), this.filters);
    this.results.hidden = true;
    this.heading.hidden = true;
    this.input.addEventListener('input', () => {
      this.mentionsMode = false;
      this.schedule();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.run();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.clear();
      } else if (e.key === 'ArrowDown') {
        const first = this.results.querySelector<HTMLElement>('.search-hit');
        if (first) {
          e.preventDefault();
          first.focus();
        }
      }
    });
    for (const sel of [this.inConv, this.fromUser]) sel.addEventListener('change', () => this.run());
  }

  get active(): boolean {
    return this.mentionsMode || this.input.value.trim() !== '';
  }

  /** Shows every message (this window holds) that mentions me, newest first. */
  showMentions(): void {
    this.input.value = '';
    this.mentionsMode = true;
    this.waiting = requestId();
    delete this.results.dataset.key;
    this.heading.replaceChildren(
      h('span', { text: 'Mentions of you' }),
      iconButton('close', 'Close the mentions', () => this.clear()),
    );
    this.results.replaceChildren();
    this.results.setAttribute('aria-busy', 'true');
    this.showState();
    this.hooks.mentions(this.waiting);
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  /** Keeps the filters' choices in step with the team (selections survive). */
  update(snap: ViewSnapshot): void {
    this.snap = snap;
    fillSelect(
      this.inConv,
      'All conversations',
      snap.conversations.map((c) => [c.id, c.title]),
    );
    fillSelect(
      this.fromUser,
      'Anyone',
      [...snap.members].sort((a, b) => a.name.localeCompare(b.name)).map((m) => [m.id, m.id === snap.me?.id ? `${m.name} (you)` : m.name]),
    );
  }

  /** The answer to request `rid` for `q`. */
  onResults(rid: string, q: string, hits: SearchHit[], more: boolean, error?: string): void {
    if (rid !== this.waiting) return;
    this.results.setAttribute('aria-busy', 'false');
    if (error) {
      this.results.replaceChildren(h('div', { class: 'search-note error', attrs: { role: 'alert' } }, icon('error'), h('span', { text: error })));
      return;
    }
    if (hits.length === 0) {
      const none = q === MENTIONS_QUERY ? 'Nobody has mentioned you yet.' : `No messages match “${q}”.`;
      this.results.replaceChildren(this.heading, h('div', { class: 'search-note muted', attrs: { role: 'status' }, text: none }));
      return;
    }
    const names = new Map((this.snap?.members ?? []).map((m) => [m.id, m.name]));
    const rows = hits.map((hit) => this.renderHit(hit, names));
    rows[0].tabIndex = 0;
    this.hits.setAttribute('aria-label', q === MENTIONS_QUERY ? 'Mentions of you' : 'Search results');
    if (q === MENTIONS_QUERY) {
      this.hits.replaceChildren(...rows);
      this.results.replaceChildren(this.heading, this.hits);
      return;
    }
    const count = `${hits.length}${more ? '+' : ''} result${hits.length === 1 && !more ? '' : 's'}`;
    this.hits.replaceChildren(...rows);
    this.results.replaceChildren(
      h('div', {
        class: 'search-note muted',
        attrs: { role: 'status' },
        text: more ? `${count}, newest first — add words to narrow it` : `${count}, newest first`,
      }),
      this.hits,
    );
  }

  private renderHit(hit: SearchHit, members: ReadonlyMap<string, string>): HTMLElement {
    const conv: ConversationView | undefined = this.snap?.conversations.find((c) => c.id === hit.conv);
    const who = hit.author === this.snap?.me?.id ? 'you' : (members.get(hit.author) ?? 'unknown member');
    const where = conv?.title ?? 'a conversation you left';
    const text = h('div', { class: 'search-text' });
    for (const part of excerptParts(hit.text)) text.append(part.match ? h('mark', { text: part.text }) : visible(part.text));
    const el = h(
      'div',
      { class: 'search-hit', attrs: { role: 'listitem', tabindex: '-1', 'aria-label': `${who} in ${where}: ${text.textContent ?? ''}` } },
      h(
        'div',
        { class: 'search-meta' },
        h('span', { class: 'author' }, bdi(who)),
        h('span', { class: 'muted' }, bdi(where), `${hit.thread !== undefined ? ' · in a thread' : ''} · ${formatDayTime(hit.ts)}`),
      ),
      text,
    );
    el.addEventListener('click', () => this.hooks.open(hit));
    // One tab stop for the results: the hit last focused (the first, to begin with).
    el.addEventListener('focus', () => {
      for (const other of this.hits.querySelectorAll<HTMLElement>('.search-hit')) other.tabIndex = other === el ? 0 : -1;
    });
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.hooks.open(hit);
      else if (e.key === 'ArrowDown') (el.nextElementSibling as HTMLElement | null)?.focus();
      else if (e.key === 'ArrowUp')
        ((el.previousElementSibling?.classList.contains('search-hit') ? el.previousElementSibling : this.input) as HTMLElement).focus();
      else if (e.key === 'Escape') this.focus();
      else return;
      e.preventDefault();
    });
    return el;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.run(), DEBOUNCE_MS);
    this.showState();
  }

  private run(): void {
    clearTimeout(this.timer);
    this.showState();
    const q = this.input.value.trim();
    if (!q) return;
    const key = `${q}\u0000${this.inConv.value}\u0000${this.fromUser.value}`;
    // The same search as the one shown (or awaited): its answer stands.
    if (this.results.dataset.key === key) return;
    this.results.dataset.key = key;
    this.results.setAttribute('aria-busy', 'true');
    this.waiting = requestId();
    this.hooks.search(this.waiting, q, this.inConv.value || undefined, this.fromUser.value || undefined);
  }

  private clear(): void {
    this.mentionsMode = false;
    this.input.value = '';
    this.inConv.value = '';
    this.fromUser.value = '';
    delete this.results.dataset.key;
    this.results.replaceChildren();
    this.showState();
    this.input.focus();
  }

  private showState(): void {
    const on = this.active;
    this.filters.hidden = !on || this.mentionsMode;
    this.heading.hidden = !this.mentionsMode;
    this.results.hidden = !on;
    if (!on) delete this.results.dataset.key;
    this.hooks.changed(on);
  }
}

function fillSelect(sel: HTMLSelectElement, all: string, options: [string, string][]): void {
  const keep = sel.value;
  const want = JSON.stringify(options);
  if (sel.dataset.options === want) return;
  sel.dataset.options = want;
  sel.replaceChildren(h('option', { text: all, attrs: { value: '' } }), ...options.map(([v, label]) => h('option', { text: label, attrs: { value: v } })));
  sel.value = options.some(([v]) => v === keep) ? keep : '';
}
