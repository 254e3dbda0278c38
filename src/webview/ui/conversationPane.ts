import type { HostToView, ViewSnapshot } from '../../protocol/view';
import { threadOf } from '../../protocol/constants';
import { arrivalAnnouncement } from '../logic/announce';
import { OpenConversation } from '../logic/openConversation';
import { Announcer } from './announcer';
import { archivedNote, connectionBanner } from './banners';
import { ChatHeader } from './chatHeader';
import { Composer } from './composer';
import { bdi, h } from './dom';
import type { Drafts } from './drafts';
import { MessageList, type Spot } from './messageList';
import { closePopup } from './popup';
import { renderRow, rowVersion, type RowContext } from './messageRow';
import { requestId } from './requestIds';
import { TypingLine } from './typingLine';
import type { ViewState } from './viewState';
import { post } from './vscodeApi';

export interface ConversationPaneHooks {
  /** The row context for rows edited through `composer`. */
  rowContext(composer: Composer): RowContext;
  /** The list reached its bottom (the user has seen the newest message). */
  atBottom(): void;
  sendFiles(files: File[]): void;
  sendUris(uris: string[]): void;
  /** Back to the conversation list (narrow layout). */
  back(): void;
  /** Shows a message in context (the host answers with `reveal`). */
  openResult(conv: string, seq: number, thread: number | undefined): void;
  /** The user scrolled conversation `conv` to `spot` (undefined: to its bottom). */
  scrolled(conv: string, spot: Spot | undefined): void;
}

/**
 * The conversation on screen: its header (and pinned panel), the connection banner, the windowed
 * messages, who is typing, and the composer (or, in an archived room, which is read-only, the way back).
 */
export class ConversationPane {
  readonly element: HTMLElement;
  /** Its messages and where the "new" divider stands. */
  readonly open = new OpenConversation();
  readonly list: MessageList;
  readonly composer: Composer;
  private readonly header: ChatHeader;
  private readonly banner = h('div', { class: 'banner-host' });
  private readonly archivedBar = h('div', { class: 'archived-bar', attrs: { role: 'status' } });
  private readonly typing: TypingLine;
  /** Reads out messages that arrive in the open conversation (the list is no live region). */
  readonly announcer = new Announcer();
  private restoreSpot: { conv: string; key: string; offset: number } | undefined;

  constructor(
    private readonly state: ViewState,
    private readonly drafts: Drafts,
    hooks: ConversationPaneHooks,
  ) {
    const inConv = (act: (conv: string) => void) => state.active && act(state.active);
    this.header = new ChatHeader({
      back: () => hooks.back(),
      setTopic: () => post({ type: 'command', command: 'setTopic' }),
      openPinned: (m) => inConv((conv) => m.seq !== undefined && hooks.openResult(conv, m.seq, threadOf(m.body))),
      unpin: (m) => inConv((conv) => m.seq !== undefined && post({ type: 'pin', conv, target: m.seq, on: false })),
      mute: (on) => inConv((conv) => post({ type: 'mute', conv, on })),
    });
    this.list = new MessageList(
      (row) => renderRow(row, hooks.rowContext(this.composer)),
      (row) => rowVersion(row, state.rowsKey()),
      () => this.loadOlder(),
      () => hooks.atBottom(),
      (row) => row.kind === 'msg' && row.message.author === state.me(),
    );
    this.typing = new TypingLine(
      () => state.active,
      (user) => state.memberName(user),
    );
    this.composer = new Composer({
      send: (text) => inConv((conv) => post({ type: 'send', conv, text })),
      saveEdit: (target, text) => inConv((conv) => post({ type: 'edit', conv, target, text })),
      sendFiles: (files) => hooks.sendFiles(files),
      sendUris: (uris) => hooks.sendUris(uris),
      typing: () => inConv((conv) => post({ type: 'typing', conv })),
      draftChanged: (text) => inConv((conv) => drafts.set(conv, text)),
      lastOwn: () => this.open.lastOwnText(state.me()),
      members: () => state.snap?.members ?? [],
      me: () => state.me(),
      maxChars: () => state.maxChars(),
    });
    let timer = 0;
    this.list.element.addEventListener('scroll', () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => inConv((conv) => hooks.scrolled(conv, this.list.position())), 250);
    });
    const parts = [this.header.element, this.header.pinnedHost, this.banner, this.list.host, this.typing.element, this.composer.element, this.archivedBar];
    this.element = h('section', { class: 'chat-pane', attrs: { 'aria-label': 'Conversation' } }, ...parts);
  }

  /**
   * Takes a snapshot's messages: those of another conversation (`switched`; `state.active` is
   * already the new one), or the newest of the same. `draftsChanged`: drafts the host had newer.
   */
  take(snap: ViewSnapshot, switched: boolean, draftsChanged: string[]): void {
    const active = this.state.active;
    if (switched) {
      this.header.closePinned();
      // A message's menu or picker belongs to the conversation it was opened in.
      closePopup();
      this.open.open(this.state.conv(), snap.messages, snap.more);
      this.composer.setDraft(active ? this.drafts.get(active) : '');
      return;
    }
    // A newer draft from the host (this view's state was older than the host's copy).
    if (active && draftsChanged.includes(active) && !this.composer.hasFocus()) this.composer.setDraft(this.drafts.get(active));
    const arrived = this.open.update(snap.messages, snap.more);
    for (const m of arrived) this.typing.sent(active ?? '', m.author);
    this.announcer.say(arrivalAnnouncement(arrived, this.state.me(), (id) => this.state.memberName(id)));
  }

  /** Renders what `take` took; `switched`: scrolled to the bottom of the conversation just opened. */
  render(snap: ViewSnapshot, switched: boolean): void {
    this.renderHeader();
    const banner = connectionBanner(snap.connection, (command) => post({ type: 'command', command }));
    this.banner.replaceChildren(...(banner ? [banner] : []));
    this.typing.render();
    if (!switched) this.open.followReadMarker(this.list.atBottom, snap.me?.id);
    // Opened again after a hide/show or a reload: where the user had scrolled it, if that row is loaded.
    const spot = switched && this.restoreSpot?.conv === this.state.active ? this.restoreSpot : undefined;
    if (switched) this.restoreSpot = undefined;
    this.renderRows({ toBottom: switched && !spot });
    if (spot && !this.list.restore(spot)) this.renderRows({ toBottom: true });
  }

  /** Where the conversation that opens first was scrolled to before the view was made anew. */
  restoreOnce(spot: { conv: string; key: string; offset: number } | undefined): void {
    this.restoreSpot = spot;
  }

  typed(conv: string, user: string): void {
    this.typing.typed(conv, user);
  }

  /** The answer to `loadOlder`: kept only if it is the one awaited for this conversation. */
  older(msg: Extract<HostToView, { type: 'older' }>): void {
    if (msg.conv === this.state.active && this.open.older(msg.rid, msg.messages, msg.more)) this.renderRows({ keepPlace: true });
  }

  /** Scrolls to message `seq` (loaded by a reveal); its element, when shown. */
  reveal(seq: number): HTMLElement | undefined {
    const m = this.open.messages.find((x) => x.seq === seq);
    return m ? this.list.reveal(`m:${m.id}`) : undefined;
  }

  renderRows(opts: { keepPlace?: boolean; toBottom?: boolean }): void {
    const c = this.state.conv();
    const rows = this.open.rows(this.state.me(), c?.seen, Date.now());
    this.list.setRows(rows, opts);
    const empty =
      c?.kind === 'dm'
        ? ['This is the start of your conversation with ', bdi(c.title), '.']
        : ['This is the start of ', c ? bdi(c.title) : 'the conversation', '. Say hello!'];
    this.list.setEmpty(rows.length === 0 && !this.open.more ? empty : undefined);
  }

  private renderHeader(): void {
    const c = this.state.conv();
    this.header.render(c, this.state.snap, { topic: this.state.may('topic'), pin: this.state.may('pin') });
    this.composer.setPlaceholder(c ? `Message ${c.title}` : 'Message');
    const archived = c?.archived === true;
    this.composer.element.hidden = archived;
    this.archivedBar.hidden = !archived;
    if (archived) this.archivedBar.replaceChildren(...archivedNote(this.state.may('archive'), (command) => post({ type: 'command', command })));
  }

  private loadOlder(): void {
    const conv = this.state.active;
    if (!conv) return;
    const rid = requestId();
    const ask = this.open.askOlder(rid);
    if (ask) post({ type: 'loadOlder', rid, conv, ...ask });
  }
}
