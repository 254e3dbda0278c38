import { h } from './dom';

/** From this width the list and the conversation show side by side. */
const WIDE = 560;
/** Wide enough for the list, the conversation and a thread side by side. */
const WIDER = 900;

/**
 * The three panes (list, conversation, thread) and which of them show for the view's width:
 * classes on `.layout` that media/chat.css lays out (wide, wider, show-chat, has-thread, thread-open).
 */
export class Layout {
  readonly element: HTMLElement;

  constructor(side: HTMLElement, chat: HTMLElement, thread: HTMLElement) {
    this.element = h('div', { class: 'layout' }, side, chat, thread);
  }

  /** `screen`: what a narrow view shows, the list or the conversation `active`. */
  apply(screen: 'list' | 'chat', active: string | undefined): void {
    const l = this.element.classList;
    const width = document.body.clientWidth;
    const wide = width >= WIDE;
    const showChat = !wide && screen === 'chat' && active !== undefined;
    l.toggle('wide', wide);
    l.toggle('wider', width >= WIDER);
    l.toggle('show-chat', showChat);
    // A thread takes the conversation's place unless there is room for both.
    l.toggle('thread-open', l.contains('has-thread') && (wide || showChat));
  }

  /** Whether a thread is open; returns true when it just opened. */
  setThread(open: boolean): boolean {
    const opened = open && !this.element.classList.contains('has-thread');
    this.element.classList.toggle('has-thread', open);
    return opened;
  }

  /** The thread pane is on screen. */
  get threadShown(): boolean {
    return this.element.classList.contains('thread-open');
  }

  /** The conversation pane has room (wide, or the narrow view shows it), a thread aside. */
  get chatPaneShown(): boolean {
    const l = this.element.classList;
    return l.contains('wide') || l.contains('show-chat');
  }

  /** Whether the conversation's messages are on screen (not hidden behind the list or a thread). */
  get chatShown(): boolean {
    if (this.threadShown) return this.element.classList.contains('wider');
    return this.chatPaneShown;
  }
}
