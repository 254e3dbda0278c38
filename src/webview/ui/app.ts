import type { HostToView, ViewSnapshot } from '../../protocol/view';
import { isSignedIn, VIEW_PROTOCOL_VERSION } from '../../protocol/viewShared';
import { isAdmin } from '../../protocol/roles';
import { pickerChoices, useRecent } from '../logic/recentEmoji';
import { myRole } from '../logic/roomPermissions';
import type { Composer } from './composer';
import { ConversationPane } from './conversationPane';
import { brandIcon, h } from './dom';
import { Drafts } from './drafts';
import { EmojiPicker } from './emojiPicker';
import { sendFiles } from './fileUpload';
import { Layout } from './layout';
import type { RowContext } from './messageRow';
import { Notices } from './notices';
import { Place } from './place';
import { requestId } from './requestIds';
import { rowContext } from './rowActions';
import { SearchPanel } from './searchPanel';
import { renderSidebar } from './sidebar';
import { focusKey, refocus } from './roving';
import { ThreadPane } from './threadPane';
import { ViewState } from './viewState';
import { loadUiState, post, saveUiState } from './vscodeApi';
import { WelcomeScreen } from './welcome';

/**
 * The chat view: renders snapshots from the host and turns user actions into requests. It holds
 * the panes together (list, conversation, thread) and routes what the host sends to them.
 */
export class App {
  private readonly state = new ViewState();
  private mode: 'welcome' | 'chat' | undefined;
  /** The `openResult` whose `reveal` is awaited (the answer to an earlier one is dropped). */
  private revealRid: string | undefined;
  private readonly ui = loadUiState();
  private readonly drafts = new Drafts(this.ui);
  private readonly place = new Place(this.ui);
  /** The host's last reported problem, shown once as a notice (see ViewSnapshot.problem). */
  private shownProblem: string | undefined;
  private readonly notices = new Notices();
  private readonly picker = new EmojiPicker();
  private readonly welcome: WelcomeScreen;
  private readonly listHost = h('div', { class: 'list-host' });
  private readonly search: SearchPanel;
  private readonly pane: ConversationPane;
  private readonly threadPane: ThreadPane;
  /** The root of the thread on screen, to give the focus back to when it closes. */
  private threadRoot: number | undefined;
  private readonly layout: Layout;

  constructor(private readonly root: HTMLElement) {
    const state = this.state;
    const inConv = (act: (conv: string) => void) => state.active && act(state.active);
    this.welcome = new WelcomeScreen(root, {
      join: (relayUrl, name, secret) => post({ type: 'join', relayUrl, name, secret }),
      host: (name) => post({ type: 'host', name }),
      invite: (text) => post({ type: 'invite', text }),
    });
    this.search = new SearchPanel({
      search: (rid, q, conv, from) => post({ type: 'search', rid, q, ...(conv ? { conv } : {}), ...(from ? { from } : {}) }),
      mentions: (rid) => post({ type: 'mentions', rid }),
      open: (hit) => {
        this.place.setScreen('chat');
        this.openResult(hit.conv, hit.seq, hit.thread);
      },
      changed: (active) => (this.listHost.hidden = active),
    });
    this.pane = new ConversationPane(state, this.drafts, {
      rowContext: (composer) => this.rowContext(composer, true),
      atBottom: () => this.markRead(),
      sendFiles: (files) => this.sendFiles(files),
      sendUris: (uris) => inConv((conv) => post({ type: 'sendUris', conv, uris })),
      back: () => this.showScreen('list'),
      openResult: (conv, seq, thread) => this.openResult(conv, seq, thread),
      scrolled: (conv, spot) => this.place.setScroll(conv, spot),
    });
    this.pane.restoreOnce(this.place.scroll);
    this.threadPane = new ThreadPane({
      rowContext: (composer) => this.rowContext(composer, false),
      close: () => post({ type: 'closeThread' }),
      follow: (root, on) => inConv((conv) => post({ type: 'follow', conv, root, on })),
      send: (root, text) => inConv((conv) => post({ type: 'send', conv, text, thread: root })),
      sendFiles: (root, files) => this.sendFiles(files, root),
      sendUris: (root, uris) => inConv((conv) => post({ type: 'sendUris', conv, uris, thread: root })),
      saveEdit: (target, text) => inConv((conv) => post({ type: 'edit', conv, target, text })),
      typing: () => inConv((conv) => post({ type: 'typing', conv })),
      draft: (key) => this.drafts.get(key),
      draftChanged: (key, text) => this.drafts.set(key, text),
      atBottom: () => this.markRead(),
      members: () => state.snap?.members ?? [],
      me: () => state.me(),
      maxChars: () => state.maxChars(),
    });
    const sideHost = h('div', { class: 'side-host' }, this.search.element, this.search.results, this.listHost);
    this.layout = new Layout(sideHost, this.pane.element, this.threadPane.element);
    // Outside #app: notices show over the welcome form as over the chat (#app's content is replaced).
    document.body.append(this.notices.element, this.pane.announcer.element);
    new ResizeObserver(() => this.applyLayout()).observe(document.body);
    window.addEventListener('message', (e: MessageEvent) => this.onHostMessage(e.data as HostToView));
    // Until the first snapshot: the title, so the view is not blank (not main.welcome nor
    // .layout: tests wait for those as "the first snapshot is rendered").
    this.root.replaceChildren(
      h('div', { class: 'boot', attrs: { role: 'status' } }, h('h1', {}, brandIcon(), ' Parley'), h('p', { class: 'muted', text: 'Loading…' })),
    );
    post({ type: 'ready', v: VIEW_PROTOCOL_VERSION });
  }

  private onHostMessage(msg: HostToView): void {
    switch (msg.type) {
      case 'snapshot':
        this.onSnapshot(msg.snapshot);
        return;
      case 'older':
        this.pane.older(msg);
        return;
      case 'typing':
        this.pane.typed(msg.conv, msg.user);
        return;
      case 'reveal':
        this.reveal(msg);
        return;
      case 'results':
        this.search.onResults(msg.rid, msg.q, msg.hits, msg.more, msg.error);
        return;
      case 'focusSearch':
        this.showScreen('list');
        this.search.focus();
        return;
      case 'focusComposer':
        if (msg.pane === 'thread' && !this.layout.threadShown) return;
        this.showScreen('chat');
        if (msg.pane !== 'main' && this.layout.threadShown) this.threadPane.focus();
        else this.pane.composer.focus();
        return;
      case 'notice':
        this.notices.show(msg.level, msg.text);
        return;
      case 'focus':
        this.focusSomething();
        return;
    }
  }

  /** Focus for Parley: Open Chat: the first empty field of the join form, the composer, or the list. */
  private focusSomething(): void {
    if (this.mode !== 'chat') {
      this.welcome.focus();
      return;
    }
    if (this.layout.threadShown) this.threadPane.focus();
    else if (this.state.active !== undefined && this.layout.chatPaneShown && !this.pane.composer.element.hidden) this.pane.composer.focus();
    else
      (
        this.root.querySelector<HTMLElement>('li.conv[aria-selected="true"]') ??
        this.root.querySelector<HTMLElement>('li.conv') ??
        this.root.querySelector<HTMLElement>('input')
      )?.focus();
  }

  private onSnapshot(snap: ViewSnapshot): void {
    // Whether the keyboard was in the thread (or nowhere in this view, the view focused): closing
    // it then gives the focus back. Never when the view is not focused: keys meant for an editor
    // must not land in the chat.
    const focusInThread = document.hasFocus() && (this.threadPane.element.contains(document.activeElement) || document.activeElement === document.body);
    const closedRoot = this.threadRoot !== undefined && snap.thread === undefined ? this.threadRoot : undefined;
    this.threadRoot = snap.thread?.root;
    this.state.snap = snap;
    const draftsChanged = this.drafts.merge(snap.drafts ?? {});
    // The host's copy of where the view was is newer after a reload the view's own state missed.
    if (this.place.merge(snap.place)) this.pane.restoreOnce(this.place.scroll);
    if (snap.problem && snap.problem !== this.shownProblem) this.notices.show('error', snap.problem);
    this.shownProblem = snap.problem;
    if (!isSignedIn(snap.connection.state, snap.me !== undefined)) {
      this.welcome.show(snap, this.mode === 'welcome');
      this.mode = 'welcome';
      return;
    }
    if (this.mode !== 'chat') {
      this.mode = 'chat';
      this.root.replaceChildren(this.layout.element);
    }
    const switched = snap.active !== this.state.active;
    this.state.active = snap.active;
    this.pane.take(snap, switched, draftsChanged);
    this.search.update(snap);
    this.renderList(snap);
    this.pane.render(snap, switched);
    const threadOpened = this.layout.setThread(snap.thread !== undefined);
    if (snap.thread) {
      this.threadPane.update(snap.thread, this.state.conv()?.title ?? '');
      this.threadPane.setReadOnly(this.state.conv()?.archived === true);
    }
    this.applyLayout();
    if (threadOpened) this.threadPane.focus();
    else if (closedRoot !== undefined && focusInThread) this.returnFromThread(closedRoot);
  }

  /**
   * After a thread closes, the focus goes back to where it was opened from: the root message's
   * reply count, or the message itself, or the composer. (A frame later: a narrow view renders
   * the conversation again once it is back on screen.)
   */
  private returnFromThread(root: number): void {
    requestAnimationFrame(() => {
      const row = this.pane.reveal(root);
      const target = row?.querySelector<HTMLElement>('.thread-summary') ?? row ?? this.pane.composer.element.querySelector<HTMLElement>('textarea');
      target?.focus({ preventScroll: true });
    });
  }

  private renderList(snap: ViewSnapshot): void {
    const focused = focusKey(this.listHost);
    this.listHost.replaceChildren(
      renderSidebar(snap, this.state.active, {
        select: (conv) => this.select(conv),
        openDm: (user) => {
          this.place.setScreen('chat');
          post({ type: 'openDm', user });
        },
        command: (command) => post({ type: 'command', command }),
        showMentions: () => this.search.showMentions(),
        ...(isAdmin(myRole(snap)) ? { manage: (user: string) => post({ type: 'manageMember', user }) } : {}),
      }),
    );
    refocus(this.listHost, focused);
  }

  /** Asks the host to show a message in context (it answers with `reveal`). */
  private openResult(conv: string, seq: number, thread: number | undefined): void {
    this.revealRid = requestId();
    post({ type: 'openResult', rid: this.revealRid, conv, seq, ...(thread !== undefined ? { thread } : {}) });
  }

  /** Shows a message in context (a search result): loads the run of messages around it, scrolls there, flashes it. */
  private reveal(msg: Extract<HostToView, { type: 'reveal' }>): void {
    if (msg.rid !== this.revealRid || msg.conv !== this.state.active) return;
    this.revealRid = undefined;
    this.pane.open.replace(msg.messages, msg.more);
    this.showScreen('chat');
    this.pane.renderRows({});
    requestAnimationFrame(() => {
      const flash = (el: HTMLElement | undefined) => {
        if (!el) return;
        el.classList.add('flash');
        setTimeout(() => el.classList.remove('flash'), 2500);
      };
      if (this.layout.chatShown) flash(this.pane.reveal(msg.seq));
      if (msg.reply !== undefined) flash(this.threadPane.reveal(msg.reply));
    });
  }

  private select(conv: string): void {
    this.place.setScreen('chat');
    if (conv === this.state.active) {
      this.applyLayout();
      this.pane.composer.focus();
      return;
    }
    post({ type: 'select', conv });
  }

  /** What a narrow view shows: the list or the conversation (kept across reloads). */
  private showScreen(screen: 'list' | 'chat'): void {
    this.place.setScreen(screen);
    this.applyLayout();
  }

  private applyLayout(): void {
    this.layout.apply(this.place.screen, this.state.active);
  }

  private rowContext(composer: Composer, threadLinks: boolean): RowContext {
    return rowContext({
      snap: this.state.snap,
      active: () => this.state.active,
      conv: this.state.conv(),
      mayPin: this.state.may('pin'),
      composer,
      threadLinks,
      notice: (level, text) => this.notices.show(level, text),
      react: (seq, emoji, on) => this.react(seq, emoji, on),
      pickReaction: (seq, anchor) => this.picker.open(anchor, pickerChoices(this.ui.recentEmoji), (emoji) => this.react(seq, emoji, true)),
    });
  }

  private react(seq: number, emoji: string, on: boolean): void {
    const conv = this.state.active;
    if (!conv) return;
    if (on) {
      this.ui.recentEmoji = useRecent(this.ui.recentEmoji, emoji);
      saveUiState(this.ui);
      // Picking an emoji that is already mine does nothing (as in other chats).
      const m = this.pane.open.messages.find((x) => x.seq === seq) ?? this.threadPane.messages.find((x) => x.seq === seq);
      const me = this.state.me();
      if (m?.reactions?.some((r) => r.emoji === emoji && me !== undefined && r.users.includes(me))) return;
    }
    post({ type: 'react', conv, target: seq, emoji, on });
  }

  /** Sends a read marker up to what is on screen at the bottom of the conversation or its thread. */
  private markRead(): void {
    const c = this.state.conv();
    if (!c || document.visibilityState !== 'visible') return;
    const me = this.state.me();
    const chatSeen = this.layout.chatShown && this.pane.list.atBottom;
    const thread = this.layout.threadShown && this.threadPane.atBottom ? this.threadPane.messages : undefined;
    const seq = this.pane.open.readTo(c, chatSeen, thread, me);
    if (seq !== undefined) post({ type: 'read', conv: c.id, seq });
    this.pane.open.followReadMarker(this.pane.list.atBottom, me);
  }

  private sendFiles(files: File[], thread?: number): void {
    const conv = this.state.active;
    if (conv) sendFiles(conv, files, this.state.snap?.maxFileBytes ?? 0, thread, (text) => this.notices.show('error', text));
  }
}
