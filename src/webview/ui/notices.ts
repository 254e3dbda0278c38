import { h, icon } from './dom';

/** Short-lived notices ("Copied", errors): outside #app, so they show over the join form as over the chat. */
export class Notices {
  readonly element = h('div', { class: 'notice-host', attrs: { 'aria-live': 'assertive' } });

  show(level: 'info' | 'error', text: string): void {
    const el = h(
      'div',
      { class: `notice ${level}`, attrs: { role: level === 'error' ? 'alert' : 'status' } },
      icon(level === 'error' ? 'error' : 'info'),
      h('span', { text }),
    );
    this.element.append(el);
    setTimeout(() => el.remove(), level === 'error' ? 8000 : 2500);
  }
}
