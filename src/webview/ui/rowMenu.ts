import { h } from './dom';
import { closePopup, moveAmong, showPopup } from './popup';

/**
 * A message's actions as a menu (Shift+F10 or the menu key on a message): the same buttons as
 * its toolbar, one item each, so no action exists twice. Up and Down move, Enter picks (the
 * toolbar's button is pressed with the message focused, so a picker opens next to it), Escape
 * goes back to the message.
 */
export function openRowMenu(row: HTMLElement): void {
  const actions = [...row.querySelectorAll<HTMLButtonElement>(':scope > .actions button')];
  if (actions.length === 0) return;
  const items = actions.map((button) =>
    h('button', {
      class: 'row-menu-item',
      text: button.getAttribute('aria-label') ?? '',
      attrs: { type: 'button', role: 'menuitem' },
      on: {
        click: (e) => {
          e.stopPropagation();
          closePopup();
          // The row may have been drawn anew (or left the screen) since the menu opened: press the
          // button of the row on screen now, or nothing.
          const live = liveButton(row, button);
          if (!live) return;
          live.row.focus();
          live.button.click();
        },
      },
    }),
  );
  const el = h('div', { class: 'row-menu', attrs: { role: 'menu', 'aria-label': 'Message actions' } }, ...items);
  const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, Tab: 0 };
  showPopup(el, row, (e) => {
    if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      (e.key === 'Home' ? items[0] : items[items.length - 1]).focus();
    } else if (e.key in moves) {
      // Tab stays in the menu (as in VS Code's own menus).
      e.preventDefault();
      moveAmong(items, e.key === 'Tab' ? (e.shiftKey ? -1 : 1) : moves[e.key]);
    }
  });
  items[0].focus();
}

/** The row with `row`'s key as it is in the page now, and its button with `button`'s name. */
function liveButton(row: HTMLElement, button: HTMLButtonElement): { row: HTMLElement; button: HTMLButtonElement } | undefined {
  const key = row.dataset.rowKey;
  const list = row.isConnected ? row : key !== undefined ? row.ownerDocument.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(key)}"]`) : null;
  if (!list) return undefined;
  const label = button.getAttribute('aria-label') ?? '';
  const now = list.querySelector<HTMLButtonElement>(`:scope > .actions button[aria-label="${CSS.escape(label)}"]`);
  return now ? { row: list, button: now } : undefined;
}
