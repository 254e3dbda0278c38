import { h, nameList } from './dom';

/** How long a typing event shows its author as typing. */
const TYPING_MS = 5000;

/** "alice and bob are typing…" under the messages of the conversation on screen. */
export class TypingLine {
  readonly element = h('div', { class: 'typing-line', attrs: { 'aria-live': 'polite' } });
  /** Per conversation: who is typing, until when. */
  private readonly typing = new Map<string, Map<string, number>>();
  private timer = 0;

  /** `active`: the conversation on screen; `name`: a member's display name. */
  constructor(
    private readonly active: () => string | undefined,
    private readonly name: (user: string) => string,
  ) {}

  typed(conv: string, user: string): void {
    let m = this.typing.get(conv);
    if (!m) this.typing.set(conv, (m = new Map()));
    m.set(user, Date.now() + TYPING_MS);
    this.render();
  }

  /** Their message arrived: they are no longer typing it. */
  sent(conv: string, user: string): void {
    this.typing.get(conv)?.delete(user);
  }

  render(): void {
    const now = Date.now();
    const users = [...(this.typing.get(this.active() ?? '')?.entries() ?? [])].filter(([, until]) => until > now).map(([u]) => u);
    const names = users.map((u) => this.name(u));
    this.element.replaceChildren(...(names.length === 0 ? [] : [...nameList(names.slice(0, 2)), names.length === 1 ? ' is typing…' : ' are typing…']));
    clearTimeout(this.timer);
    if (names.length) this.timer = window.setTimeout(() => this.render(), 1000);
  }
}
