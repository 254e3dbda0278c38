import type { Row } from '../logic/timeline';
import { jumpLabel, lastVisibleIndex, newBelow } from '../logic/jumpLatest';
import { HeightIndex, visibleRange } from '../logic/windowing';
import { h, icon, visible } from './dom';
import { listKeys } from './listKeys';
import { codeTabStops, prepareRow, refocus, rowIdPrefix } from './rowFocus';

/** A row's place on screen: its key, and how far its top is below the viewport's top. */
export interface Spot {
  key: string;
  offset: number;
}

const OVERSCAN = 800;
const NEAR_BOTTOM = 48;
const NEAR_TOP = 300;

/**
 * A windowed, bottom-anchored list: only rows near the viewport are in the DOM; heights are
 * measured after rendering; scrolling near the top asks for older rows; the view sticks to the
 * bottom while the user is there and keeps its place when rows are added above.
 */
export class MessageList {
  /** The scrolling list: a named region, not a live one (announcer.ts reads out what arrives). */
  readonly element: HTMLElement;
  /** What to put in the page: the list with its "new messages" button floating over its bottom. */
  readonly host: HTMLElement;
  private readonly jump = h('button', { class: 'jump-latest', attrs: { type: 'button' } });
  /** The furthest-down row the user has had on screen: rows after it are unseen. */
  private seenKey: string | undefined;
  private readonly inner: HTMLElement;
  private readonly topSpacer = h('div', { class: 'spacer' });
  private readonly bottomSpacer = h('div', { class: 'spacer' });
  private readonly empty = h('div', { class: 'list-empty muted' });
  private readonly heights = new HeightIndex((key) => (key.startsWith('day:') || key === 'new' ? 32 : 44));
  private readonly cache = new Map<string, HTMLElement>();
  private rows: Row[] = [];
  private versions: string[] = [];
  private stick = true;
  private frame = 0;
  /** The scrollTop this list last set (-1: none yet). */
  private ownTop = -1;
  /** scrollTop at the last scroll event, to tell a move up from a move down. */
  private lastTop = 0;
  /** Where to put the rows once the list has a size (asked for while it was hidden). */
  private pending: Spot | undefined;
  private readonly idPrefix = rowIdPrefix();

  constructor(
    private readonly renderRow: (row: Row) => HTMLElement,
    private readonly version: (row: Row) => string,
    private readonly onNearTop: () => void,
    private readonly onAtBottom: () => void,
    /** Whether a row is the user's own (not counted as new). */
    private readonly own: (row: Row) => boolean = () => false,
  ) {
    this.inner = h('div', { class: 'list-inner' }, this.topSpacer, this.bottomSpacer);
    this.element = h('div', { class: 'list', attrs: { role: 'region', 'aria-label': 'Messages', tabindex: '0' } }, this.inner);
    this.jump.hidden = true;
    this.jump.addEventListener('click', () => this.toLatest());
    this.host = h('div', { class: 'list-wrap' }, this.element, this.jump);
    this.element.addEventListener('scroll', () => {
      // A scroll event for a position this list set itself says nothing about the user: it may
      // arrive after rows below grew, and would unstick the view from the bottom.
      // A move up by the user (a key, the wheel) unsticks at once, even a small one near the bottom
      // that would otherwise count as "at the bottom" and be scrolled back; a clamp to the end
      // (rows below shrank) does not.
      const top = this.element.scrollTop;
      if (top !== this.ownTop) this.stick = top < this.lastTop && this.distanceFromBottom() > 1 ? false : this.distanceFromBottom() < NEAR_BOTTOM;
      this.lastTop = top;
      this.schedule();
    });
    new ResizeObserver(() => this.schedule()).observe(this.element);
    // Rows change height after they are placed (fonts and image previews load, a reaction is
    // added): measure again, and stay at the bottom if the user is there.
    new ResizeObserver(() => this.schedule()).observe(this.inner);
    listKeys(this);
  }

  /**
   * Moves the keyboard focus from the message `from` (undefined: from the list itself, to the
   * newest message on screen) to the next, previous, first or last loaded one, scrolling only
   * as far as it takes to show it whole (or its top, when it is taller than the view).
   */
  focusRow(from: string | undefined, move: 'next' | 'prev' | 'first' | 'last'): void {
    const items = this.rows.flatMap((r, i) => (r.kind === 'msg' ? [i] : []));
    if (items.length === 0) return;
    const keys = this.rows.map((r) => r.key);
    const offsets = this.heights.offsets(keys);
    const at = from === undefined ? -1 : items.findIndex((i) => keys[i] === from);
    const onScreen = lastVisibleIndex(offsets, this.element.scrollTop, this.element.clientHeight);
    const pick = {
      first: 0,
      last: items.length - 1,
      next: at < 0 ? items.filter((i) => i <= onScreen).length - 1 : at + 1,
      prev: at < 0 ? items.filter((i) => i <= onScreen).length - 1 : at - 1,
    }[move];
    const index = items[Math.max(0, Math.min(items.length - 1, pick))];
    const top = offsets[index];
    const bottom = offsets[index + 1];
    const view = this.element.clientHeight;
    if (top < this.element.scrollTop || bottom - top > view) this.scrollTo(top);
    else if (bottom > this.element.scrollTop + view) this.scrollTo(bottom - view);
    this.stick = index === this.rows.length - 1 || (index === items[items.length - 1] && this.distanceFromBottom() < NEAR_BOTTOM);
    this.render();
    this.cache.get(this.versions[index])?.focus({ preventScroll: true });
  }

  /** The row the keyboard focus is on or in, by key. */
  private focusedRow(): string | undefined {
    const el = document.activeElement;
    if (!(el instanceof HTMLElement) || !this.inner.contains(el)) return undefined;
    return el.closest<HTMLElement>('[data-row-key]')?.dataset.rowKey;
  }

  /** Where the user is: undefined at the bottom (following new rows), else the first row on screen. */
  position(): Spot | undefined {
    return this.stick ? undefined : this.anchor();
  }

  /** Puts row `spot.key` back at its place on screen (not following the bottom); false when it is not loaded. */
  restore(spot: Spot): boolean {
    if (!this.rows.some((r) => r.key === spot.key)) return false;
    this.stick = false;
    this.render(spot);
    return true;
  }

  /** Whether the view follows new rows (the user is at the bottom). */
  get atBottom(): boolean {
    return this.stick;
  }

  /** Replaces the rows. `keepPlace`: rows were added above, keep what the user sees in place. */
  setRows(rows: Row[], opts: { keepPlace?: boolean; toBottom?: boolean } = {}): void {
    const anchor = opts.keepPlace ? this.anchor() : undefined;
    if (opts.toBottom) this.stick = true;
    this.rows = rows;
    this.versions = rows.map(this.version);
    const live = new Set(this.versions);
    for (const k of [...this.cache.keys()]) if (!live.has(k)) this.cache.delete(k);
    this.render(anchor);
  }

  /**
   * Scrolls a row into view (a third of the way down) and stops following the bottom; returns
   * the row's element once rendered, or undefined when there is no such row.
   */
  reveal(key: string): HTMLElement | undefined {
    const i = this.rows.findIndex((r) => r.key === key);
    if (i < 0) return undefined;
    this.stick = false;
    this.render({ key, offset: Math.round(this.element.clientHeight / 3) });
    return this.cache.get(this.versions[i]);
  }

  /** Text shown when there are no rows (or none when undefined); strings shown through visible(). */
  setEmpty(content: readonly (string | Node)[] | undefined): void {
    this.empty.replaceChildren(...(content ?? []).map((c) => (typeof c === 'string' ? visible(c) : c)));
    if (content?.length && !this.empty.isConnected) this.inner.prepend(this.empty);
    else if (!content?.length) this.empty.remove();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private scrollTo(top: number): void {
    this.element.scrollTop = top;
    this.ownTop = this.element.scrollTop;
  }

  private distanceFromBottom(): number {
    const e = this.element;
    return e.scrollHeight - e.scrollTop - e.clientHeight;
  }

  /** The first row at least partly visible, and how far its top is from the viewport's top. */
  private anchor(): Spot | undefined {
    const keys = this.rows.map((r) => r.key);
    const offsets = this.heights.offsets(keys);
    const top = this.element.scrollTop;
    for (let i = 0; i < keys.length; i++) if (offsets[i + 1] > top) return { key: keys[i], offset: offsets[i] - top };
    return undefined;
  }

  private render(anchor?: Spot): void {
    // Hidden (narrow layout showing the list): nothing can be measured; the ResizeObserver
    // renders again when the list gets a size, and then puts a row asked for where it belongs.
    if (this.element.clientHeight === 0) {
      if (anchor) this.pending = anchor;
      return;
    }
    anchor ??= this.pending;
    this.pending = undefined;
    const keys = this.rows.map((r) => r.key);
    const focused = this.focusedRow();
    for (let pass = 0; pass < 3; pass++) {
      const offsets = this.heights.offsets(keys);
      if (anchor) {
        const i = keys.indexOf(anchor.key);
        if (i >= 0) this.scrollTo(offsets[i] - anchor.offset);
      } else if (this.stick) {
        this.scrollTo(offsets[offsets.length - 1]);
      }
      const viewport = this.element.clientHeight || 400;
      const range = visibleRange(offsets, this.element.scrollTop, viewport, OVERSCAN);
      this.topSpacer.style.height = `${range.top}px`;
      this.bottomSpacer.style.height = `${range.bottom}px`;
      const wanted: HTMLElement[] = [];
      for (let i = range.start; i < range.end; i++) {
        const v = this.versions[i];
        let el = this.cache.get(v);
        if (!el) {
          el = this.renderRow(this.rows[i]);
          if (this.rows[i].kind === 'msg') prepareRow(el, keys[i], this.idPrefix);
          this.cache.set(v, el);
        }
        wanted.push(el);
      }
      this.place(wanted, focused);
      for (const el of wanted) codeTabStops(el);
      let changed = false;
      wanted.forEach((el, n) => {
        if (this.heights.set(keys[range.start + n], el.offsetHeight) !== 0) changed = true;
      });
      if (!changed) break;
    }
    if (this.stick) {
      this.scrollTo(this.element.scrollHeight);
      this.onAtBottom();
    }
    if (this.element.scrollTop < NEAR_TOP) this.onNearTop();
    this.updateJump(keys);
  }

  /** Scrolls to the newest row and follows it again (the "new messages" button). */
  private toLatest(): void {
    const hadFocus = document.activeElement === this.jump;
    this.stick = true;
    this.render();
    // The button hides: keep the keyboard focus in the list rather than losing it to the page.
    if (hadFocus) this.element.focus({ preventScroll: true });
  }

  /** Notes what the user has seen and shows or hides the "new messages" button. */
  private updateJump(keys: string[]): void {
    const offsets = this.heights.offsets(keys);
    let seenAt = this.seenKey === undefined ? -1 : keys.indexOf(this.seenKey);
    // Lost track (the rows were replaced: another conversation, a search result shown in
    // context): what is loaded now was there before, only rows added after it are new.
    if (seenAt < 0) seenAt = keys.length - 1;
    const last = this.stick ? keys.length - 1 : lastVisibleIndex(offsets, this.element.scrollTop, this.element.clientHeight);
    seenAt = Math.max(seenAt, last);
    this.seenKey = seenAt >= 0 ? keys[seenAt] : undefined;
    const fresh = newBelow(this.rows, seenAt, this.own);
    const label = jumpLabel(this.stick, fresh, this.distanceFromBottom(), this.element.clientHeight);
    this.jump.hidden = label === undefined;
    if (!label) return;
    if (this.jump.getAttribute('aria-label') !== label.label) {
      this.jump.setAttribute('aria-label', label.label);
      this.jump.title = label.label;
      this.jump.replaceChildren(h('span', { text: label.text }), icon('arrow-down'));
    }
  }

  /**
   * Puts exactly `wanted` between the spacers, moving as few nodes as possible. The row that had
   * the keyboard focus keeps it when it is drawn anew (a reaction added, a delivery state), and
   * the list takes it when that row scrolls out of the window (not the page).
   */
  private place(wanted: HTMLElement[], focused?: string): void {
    const keep = new Set(wanted);
    let node = this.topSpacer.nextSibling;
    while (node && node !== this.bottomSpacer) {
      const next = node.nextSibling;
      if (!keep.has(node as HTMLElement)) node.remove();
      node = next;
    }
    let cursor: ChildNode = this.topSpacer;
    for (const el of wanted) {
      if (cursor.nextSibling !== el) cursor.after(el);
      cursor = el;
    }
    if (focused === undefined || this.focusedRow() === focused) return;
    const again = wanted.find((el) => el.dataset.rowKey === focused);
    refocus(again ?? this.element);
  }
}
