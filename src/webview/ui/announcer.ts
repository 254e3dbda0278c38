import { h, setText } from './dom';

/**
 * A polite live region, out of sight, for what arrives while one reads (see
 * logic/announce.ts). Cleared before each line, so the same words twice are read twice.
 */
export class Announcer {
  readonly element = h('div', { class: 'visually-hidden', attrs: { id: 'announcer', role: 'status', 'aria-live': 'polite' } });
  private timer: ReturnType<typeof setTimeout> | undefined;

  say(text: string | undefined): void {
    if (!text) return;
    setText(this.element, '');
    clearTimeout(this.timer);
    // Through setText: bidi and invisible characters are read as the marks the view shows.
    this.timer = setTimeout(() => setText(this.element, text), 50);
  }
}
