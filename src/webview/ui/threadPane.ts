import type { MessageView, ThreadView } from '../../protocol/view';
import type { Member } from '../../protocol/wire';
import { buildThreadRows } from '../logic/timeline';
import { Composer } from './composer';
import { bdi, h, iconButton, toggleButton } from './dom';
import { MessageList } from './messageList';
import { renderRow, rowVersion, type RowContext } from './messageRow';

export interface ThreadPaneHooks {
  /** The row context for rows of this pane (without thread links). */
  rowContext(composer: Composer): RowContext;
  close(): void;
  send(root: number, text: string): void;
  sendFiles(root: number, files: File[]): void;
  sendUris(root: number, uris: string[]): void;
  saveEdit(target: number, text: string): void;
  typing(): void;
  draft(key: string): string;
  draftChanged(key: string, text: string): void;
  /** The thread's rows reached the bottom of the pane (the user has seen its newest reply). */
  atBottom(): void;
  members(): Member[];
  me(): string | undefined;
  maxChars(): number;
  /** Follows (true) or leaves the thread shown: whether its replies notify me. */
  follow(root: number, on: boolean): void;
}

/** A thread beside (or, when narrow, instead of) its conversation: the root, its replies, a reply composer. */
export class ThreadPane {
  readonly element: HTMLElement;
  private readonly title = h('div', { class: 'titles' });
  private readonly followButton: ReturnType<typeof toggleButton>;
  private readonly list: MessageList;
  private readonly composer: Composer;
  private view: ThreadView | undefined;
  private readonly closedNote = h('div', { class: 'thread-closed muted', attrs: { role: 'status' } });

  constructor(private readonly hooks: ThreadPaneHooks) {
    this.list = new MessageList(
      (row) => renderRow(row, this.hooks.rowContext(this.composer)),
      rowVersion,
      () => undefined,
      () => this.hooks.atBottom(),
      (row) => row.kind === 'msg' && row.message.author === this.hooks.me(),
    );
    this.list.element.setAttribute('aria-label', 'Thread');
    this.composer = new Composer({
      send: (text) => this.view && this.hooks.send(this.view.root, text),
      sendFiles: (files) => this.view && this.hooks.sendFiles(this.view.root, files),
      sendUris: (uris) => this.view && this.hooks.sendUris(this.view.root, uris),
      saveEdit: (target, text) => this.hooks.saveEdit(target, text),
      typing: () => this.hooks.typing(),
      draftChanged: (text) => this.view && this.hooks.draftChanged(this.key(this.view), text),
      lastOwn: () => {
        const replies = this.view?.replies ?? [];
        for (let i = replies.length - 1; i >= 0; i--) {
          const m = replies[i];
          if (m.author === this.hooks.me() && m.seq !== undefined && m.body.kind === 'text' && !m.deleted) return { seq: m.seq, text: m.edited ?? m.body.text };
        }
        return undefined;
      },
      members: () => this.hooks.members(),
      me: () => this.hooks.me(),
      maxChars: () => this.hooks.maxChars(),
    });
    this.composer.setPlaceholder('Reply…');
    this.followButton = toggleButton(
      'Follow thread',
      {
        on: { icon: 'bell-dot', title: 'Following: every reply notifies you (click to stop)' },
        off: { icon: 'bell', title: 'Not following: its replies do not notify you (click to follow)' },
      },
      (on) => this.view && this.hooks.follow(this.view.root, on),
      'follow-button',
    );
    const header = h(
      'header',
      { class: 'chat-header thread-header' },
      iconButton('arrow-left', 'Back to the conversation', () => this.hooks.close(), 'thread-back'),
      this.title,
      this.followButton,
      iconButton('close', 'Close the thread', () => this.hooks.close(), 'thread-close'),
    );
    this.closedNote.hidden = true;
    this.element = h('section', { class: 'thread-pane', attrs: { 'aria-label': 'Thread' } }, header, this.list.host, this.composer.element, this.closedNote);
    // Escape closes the thread, unless something inside used it (the composer's mention list or
    // an edit in progress take it first).
    this.element.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      this.hooks.close();
    });
  }

  get messages(): MessageView[] {
    return this.view ? [...(this.view.message ? [this.view.message] : []), ...this.view.replies] : [];
  }

  get atBottom(): boolean {
    return this.list.atBottom;
  }

  /** Scrolls to a message of the thread; its element, when shown. */
  reveal(seq: number): HTMLElement | undefined {
    const m = this.messages.find((x) => x.seq === seq);
    return m ? this.list.reveal(`m:${m.id}`) : undefined;
  }

  /** In an archived room, or under a deleted message, the thread can be read, not answered. */
  setReadOnly(archived: boolean): void {
    const rootDeleted = this.view?.message?.deleted === true;
    this.composer.element.hidden = archived || rootDeleted;
    this.closedNote.hidden = !(archived || rootDeleted);
    this.closedNote.textContent = archived
      ? 'The room is archived: the thread can be read, not answered.'
      : 'Its first message was deleted: the thread can be read, not answered.';
  }

  focus(): void {
    this.composer.focus();
  }

  /** Shows a thread (or the newest state of the one shown); `where` is its conversation's title. */
  update(view: ThreadView, where: string): void {
    const opened = !this.view || this.view.conv !== view.conv || this.view.root !== view.root;
    this.view = view;
    this.title.replaceChildren(h('h2', { class: 'title', text: 'Thread' }), h('div', { class: 'subtitle muted' }, bdi(where)));
    this.followButton.set(view.following);
    if (opened) this.composer.setDraft(this.hooks.draft(this.key(view)));
    const me = this.hooks.me();
    this.list.setRows(buildThreadRows(view.message, view.replies, { ...(me ? { me } : {}), now: Date.now() }), { toBottom: opened });
  }

  private key(v: ThreadView): string {
    return `${v.conv}#${v.root}`;
  }
}
