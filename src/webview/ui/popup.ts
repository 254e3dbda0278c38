// A small popup next to an anchor (the reaction picker, a message's menu): one open at a time,
// placed above the anchor when there is room (else below), kept inside the view, closed by
// Escape (the focus goes back to the anchor's message, or the anchor) or a click elsewhere.

let open: { el: HTMLElement; close: () => void } | undefined;

/** Shows `el` next to `anchor`, closing any other popup; `keydown` gets the popup's other keys. */
export function showPopup(el: HTMLElement, anchor: HTMLElement, keydown: (e: KeyboardEvent) => void): void {
  closePopup();
  const onOutside = (e: Event) => {
    if (!el.contains(e.target as Node)) closePopup();
  };
  let armed = 0;
  const close = () => {
    clearTimeout(armed);
    document.removeEventListener('mousedown', onOutside);
    el.remove();
  };
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closePopup();
      focusBack(anchor);
    } else keydown(e);
  });
  document.body.append(el);
  const r = anchor.getBoundingClientRect();
  const width = el.offsetWidth;
  const height = el.offsetHeight;
  const left = Math.max(4, Math.min(r.right - width, window.innerWidth - width - 4));
  const top = r.top - height - 4 >= 4 ? r.top - height - 4 : Math.min(r.bottom + 4, window.innerHeight - height - 4);
  el.style.left = `${left}px`;
  el.style.top = `${Math.max(4, top)}px`;
  open = { el, close };
  // After the click that opened it has finished bubbling.
  armed = window.setTimeout(() => document.addEventListener('mousedown', onOutside), 0);
}

export function closePopup(): void {
  open?.close();
  open = undefined;
}

/**
 * Where the focus goes when a popup closes: the message the anchor is in (a toolbar button is
 * only shown while the message has the focus or the pointer, and the message keeps its focus
 * when it is drawn again), else the anchor itself.
 */
export function focusBack(anchor: HTMLElement): void {
  (anchor.closest<HTMLElement>('[data-row-key]') ?? anchor).focus();
}

export function popupOpen(): boolean {
  return open !== undefined && open.el.isConnected;
}

/** Moves the focus among `items` by `delta` (wrapping), from the one that has it. */
export function moveAmong(items: HTMLElement[], delta: number): void {
  const i = items.indexOf(document.activeElement as HTMLElement);
  items[(i + delta + items.length) % items.length]?.focus();
}
