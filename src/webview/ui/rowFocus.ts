// Message rows as keyboard targets (ui/listKeys.ts moves between them). A row is reached with the
// arrow keys, not Tab: its links and buttons stay out of the Tab order until the focus is inside
// it (Enter, or a click), as in VS Code's own lists, so the list is one tab stop. A screen reader
// reads a row's name ("alice at 10:42") and then what it says (its body, by aria-describedby).

// (A code block is not one of them: see codeTabStops.)
const INNER = 'a[href], button, [tabindex="0"]:not(pre.code)';
let lists = 0;

/** A prefix for the ids of one list's rows (the thread pane and the conversation may show one message twice). */
export function rowIdPrefix(): string {
  return `row${++lists}`;
}

/** Makes a freshly drawn message row a focus target, its controls out of the Tab order. */
export function prepareRow(el: HTMLElement, key: string, idPrefix: string): void {
  el.dataset.rowKey = key;
  el.tabIndex = -1;
  for (const c of el.querySelectorAll<HTMLElement>(INNER)) {
    c.tabIndex = -1;
    c.dataset.inner = '';
  }
  const body = el.querySelector<HTMLElement>('.body');
  if (body) {
    body.id = `${idPrefix}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    el.setAttribute('aria-describedby', body.id);
  }
}

/** Puts a row's controls in the Tab order (the focus is inside it) or takes them out. */
export function innerTabStops(row: HTMLElement, on: boolean): void {
  for (const c of row.querySelectorAll<HTMLElement>('[data-inner]')) c.tabIndex = on ? 0 : -1;
}

/**
 * A code block whose lines run past its width keeps a Tab stop of its own, so they can be scrolled
 * to with the arrow keys (the one exception to a list's single tab stop, as on GitHub); one that
 * fits has none. Measured on screen, so again whenever the rows are placed (widths change).
 */
export function codeTabStops(row: HTMLElement): void {
  for (const pre of row.querySelectorAll<HTMLElement>('pre.code')) {
    const tab = pre.scrollWidth > pre.clientWidth + 1 ? 0 : -1;
    if (pre.tabIndex !== tab) pre.tabIndex = tab;
  }
}

/** A row's first control, to go into it with Enter. */
export function firstInner(row: HTMLElement): HTMLElement | null {
  return row.querySelector<HTMLElement>('[data-inner]');
}

/** The element to give the focus back to once this window has it again (see `refocus`). */
let waiting: HTMLElement | undefined;
window.addEventListener('focus', () => {
  const el = waiting;
  waiting = undefined;
  if (el?.isConnected && (document.activeElement === document.body || document.activeElement === null)) el.focus({ preventScroll: true });
});

/**
 * Gives the focus to `el`, the row drawn anew in place of the one that had it, only while the
 * view has the keyboard: when the editor has it, taking it would send the user's keys to the
 * chat. Then the row gets it back when the view is focused again.
 */
export function refocus(el: HTMLElement): void {
  if (document.hasFocus()) el.focus({ preventScroll: true });
  else waiting = el;
}
