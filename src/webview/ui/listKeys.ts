import type { MessageList } from './messageList';
import { openRowMenu } from './rowMenu';

const MOVES = { ArrowDown: 'next', ArrowUp: 'prev', Home: 'first', End: 'last' } as const;

/**
 * The keyboard in a message list, one tab stop as in VS Code's own lists: Up and Down move from
 * message to message (from the list itself: to the newest one on screen), Home and End to the
 * oldest and newest loaded; Enter goes into a message (its links and buttons, then its toolbar),
 * Escape from there back to the message; Shift+F10 or the menu key opens its actions as a menu.
 */
export function listKeys(list: MessageList): void {
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
      const inside = row.querySelector<HTMLElement>('a[href], button, [tabindex="0"]');
      if (!inside) return;
      e.preventDefault();
      inside.focus();
    } else if (row && target === row && ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu')) {
      e.preventDefault();
      openRowMenu(row);
    }
  });
}
