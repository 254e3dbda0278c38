// One tab stop per list (a "roving tabindex", as VS Code's own lists have): Tab enters and leaves
// the list; Up, Down, Home and End move between its items. And the focus survives the sidebar
// being drawn again on every snapshot: the element that had it is found again by what it shows.

/** Makes `list` one tab stop: the selected item (else the first) takes it; arrows move it. */
export function rovingList(list: HTMLElement, itemSelector: string): void {
  const items = () => [...list.querySelectorAll<HTMLElement>(itemSelector)];
  const all = items();
  moveTabStop(all, all.find((i) => i.getAttribute('aria-selected') === 'true') ?? all[0]);
  list.addEventListener('keydown', (e) => {
    const from = (e.target as HTMLElement).closest<HTMLElement>(itemSelector);
    if (!from || !list.contains(from)) return;
    const xs = items();
    const at = xs.indexOf(from);
    const index: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: xs.length - 1 };
    if (!(e.key in index)) return;
    e.preventDefault();
    const to = xs[index[e.key]];
    if (!to) return;
    moveTabStop(xs, to);
    to.focus();
  });
}

function moveTabStop(items: HTMLElement[], to: HTMLElement | undefined): void {
  for (const i of items) i.tabIndex = i === to ? 0 : -1;
}

/** Controls inside an item, or beside the lists, that the focus is given back to by their class. */
const KEPT = ['person-manage', 'mentions-item', 'hosting-line', 'side-tool'];

/** A selector that finds the focused element of `host` again after it is drawn anew. */
export function focusKey(host: HTMLElement): string | undefined {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement) || !host.contains(el)) return undefined;
  const item = el.closest<HTMLElement>('[data-conv], [data-user]');
  const base = item
    ? item.dataset.conv !== undefined
      ? `[data-conv="${CSS.escape(item.dataset.conv)}"]`
      : `[data-user="${CSS.escape(item.dataset.user ?? '')}"]`
    : '';
  if (item === el) return base;
  const cls = KEPT.find((c) => el.classList.contains(c));
  if (!cls) return undefined;
  const label = cls === 'side-tool' ? `[aria-label="${CSS.escape(el.getAttribute('aria-label') ?? '')}"]` : '';
  return `${base} .${cls}${label}`.trim();
}

/** Focuses what `key` finds in `host` (moving its list's tab stop to it). */
export function refocus(host: HTMLElement, key: string | undefined): void {
  if (!key) return;
  const el = host.querySelector<HTMLElement>(key);
  if (!el) return;
  // An item of a one-tab-stop list takes the stop with the focus.
  if (el.tabIndex === -1 && el.parentElement)
    moveTabStop(
      [...el.parentElement.children].filter((c): c is HTMLElement => c instanceof HTMLElement),
      el,
    );
  el.focus({ preventScroll: true });
}
