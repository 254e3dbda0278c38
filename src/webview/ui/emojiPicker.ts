import { h } from './dom';
import { closePopup, focusBack, moveAmong, popupOpen, showPopup } from './popup';

/**
 * A small popup of emoji buttons next to an anchor. Arrow keys move between them, Enter or a
 * click picks one (the focus goes back to the message), Escape or a click elsewhere closes it
 * (popup.ts).
 */
export class EmojiPicker {
  open(anchor: HTMLElement, choices: string[], pick: (emoji: string) => void): void {
    const buttons = choices.map((emoji) =>
      h('button', {
        class: 'emoji-choice',
        text: emoji,
        attrs: { type: 'button', role: 'menuitem', 'aria-label': `React with ${emoji}`, title: emoji },
        on: {
          click: (e) => {
            e.stopPropagation();
            closePopup();
            focusBack(anchor);
            pick(emoji);
          },
        },
      }),
    );
    const el = h('div', { class: 'emoji-picker', attrs: { role: 'menu', 'aria-label': 'Pick a reaction' } }, ...buttons);
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 };
    showPopup(el, anchor, (e) => {
      if (!(e.key in moves)) return;
      e.preventDefault();
      moveAmong(buttons, moves[e.key]);
    });
    buttons[0]?.focus();
  }

  get isOpen(): boolean {
    return popupOpen();
  }

  close(): void {
    closePopup();
  }
}
