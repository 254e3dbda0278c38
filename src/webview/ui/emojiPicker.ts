import { h } from './dom';

/**
 * A small popup of emoji buttons next to an anchor. Arrow keys move between them, Enter or a
 * click picks one, Escape or a click elsewhere closes it. One at a time.
 */
export class EmojiPicker {
  private el: HTMLElement | undefined;
  private readonly onOutside = (e: Event) => {
    if (this.el && !this.el.contains(e.target as Node)) this.close();
  };

  open(anchor: HTMLElement, choices: string[], pick: (emoji: string) => void): void {
    this.close();
    const buttons = choices.map((emoji) =>
      h('button', {
        class: 'emoji-choice',
        text: emoji,
        attrs: { type: 'button', role: 'menuitem', 'aria-label': `React with ${emoji}`, title: emoji },
        on: {
          click: (e) => {
            e.stopPropagation();
            this.close();
            pick(emoji);
          },
        },
      }),
    );
    const el = h('div', { class: 'emoji-picker', attrs: { role: 'menu', 'aria-label': 'Pick a reaction' } }, ...buttons);
    el.addEventListener('keydown', (e) => {
      const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const move = (d: number) => {
        e.preventDefault();
        buttons[(i + d + buttons.length) % buttons.length].focus();
      };
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
        anchor.focus();
      } else if (e.key === 'ArrowRight') move(1);
      else if (e.key === 'ArrowLeft') move(-1);
      else if (e.key === 'ArrowDown') move(8);
      else if (e.key === 'ArrowUp') move(-8);
    });
    document.body.append(el);
    const r = anchor.getBoundingClientRect();
    const width = el.offsetWidth;
    const height = el.offsetHeight;
    const left = Math.max(4, Math.min(r.right - width, window.innerWidth - width - 4));
    const top = r.top - height - 4 >= 4 ? r.top - height - 4 : Math.min(r.bottom + 4, window.innerHeight - height - 4);
    el.style.left = `${left}px`;
    el.style.top = `${Math.max(4, top)}px`;
    this.el = el;
    buttons[0]?.focus();
    // After this click has finished bubbling.
    setTimeout(() => document.addEventListener('mousedown', this.onOutside), 0);
  }

  get isOpen(): boolean {
    return this.el !== undefined;
  }

  close(): void {
    document.removeEventListener('mousedown', this.onOutside);
    this.el?.remove();
    this.el = undefined;
  }
}
