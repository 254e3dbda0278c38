import type { MessageList } from './messageList';
import { popupOpen } from './popup';
import { firstInner, innerTabStops } from './rowFocus';
import { openRowMenu } from './rowMenu';

const MOVES = { ArrowDown: 'next', ArrowUp: 'prev', Home: 'first', End: 'last' } as const;

/**
 * The keyboard in a message list, one tab stop as in VS Code's own lists (ui/rowFocus.ts): Up and Down move from
 * message to message (from the list itself: to the newest one on screen), Home and End to the
 * oldest and newest loaded; Enter goes into a message (its links and buttons, then its toolbar),
 * Escape from there back to the message; Shift+F10 or the menu key opens its actions as a menu.
 */
export function listKeys(list: MessageList): void {
  // Tab moves among a row's controls while the focus is inside it, and leaves the list from the row itself.
  list.element.addEventListener('focusin', (e) => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-row-key]');
    if (row) innerTabStops(row, target !== row);
  });
  list.element.addEventListener('focusout', (e) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-row-key]');
    if (row && !row.contains(e.relatedTarget as Node | null)) innerTabStops(row, false);
  });
  // The menu key's own contextmenu event (on its key-up, on some systems) must not open VS Code's menu over ours.
  list.element.addEventListener('contextmenu', (e) => {
    if (popupOpen()) e.preventDefault();
  });
  list.element.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('[data-row-key]');
    if (target !== list.element && target !== row) {
      if (e.key === 'Escape' && row && !e.defaultPrevented) {
        e.preventDefault();
        e.stopPropagation();
        row.focus();
      }
      return;
    }
    const key = target === row ? row.dataset.rowKey : undefined;
    if (e.key in MOVES && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      list.focusRow(key, MOVES[e.key as keyof typeof MOVES]);
    } else if (row && target === row && e.key === 'Enter') {
      const inside = firstInner(row);
      if (!inside) return;
      e.preventDefault();
      innerTabStops(row, true);
      inside.focus();
    } else if (row && target === row && ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu')) {
      e.preventDefault();
      openRowMenu(row);
    }
  });
}
