import type { ConversationView, HostToView, MessageView, ViewSnapshot } from '../../protocol/view';
import { isSignedIn, VIEW_PROTOCOL_VERSION } from '../../protocol/view';
import { DEFAULT_LIMITS } from '../../protocol/constants';
import { threadOf } from '../../protocol/wire';
import { buildRows, mergeOlder, mergeSnapshot, seenPositions } from '../logic/timeline';
import { pickerChoices, useRecent } from '../logic/recentEmoji';
import { Composer } from './composer';
import { Drafts } from './drafts';
import { EmojiPicker } from './emojiPicker';
import { bdi, brandIcon, formatBytes, h, icon, iconButton, nameList } from './dom';
import { MessageList } from './messageList';
import { renderRow, rowVersion, type RowContext } from './messageRow';
import { renderPinned } from './pinnedPanel';
import { renderSidebar } from './sidebar';
import { canManageRoom, isAdmin, type TeamRole } from '../../protocol/roles';
import { loadUiState, post, saveUiState } from './vscodeApi';
import { SearchPanel } from './searchPanel';
import { ThreadPane } from './threadPane';
import { renderWelcome } from './welcome';

const WIDE = 560;
/** Wide enough for the list, the conversation and a thread side by side. */
const WIDER = 900;

/** The chat view: renders snapshots from the host and turns user actions into requests. */
export class App {
  private snap: ViewSnapshot | undefined;
  private active: string | undefined;
  private messages: MessageView[] = [];
  private more = false;
  private loadingOlder = false;
  private newAfter: number | undefined;
  /** The divider only marks messages that were unread when the conversation was opened. */
  private dividerLimit = 0;
  private lastReadSent = new Map<string, number>();
  private readonly ui = loadUiState();
  private readonly drafts = new Drafts(this.ui);
  private readonly typing = new Map<string, Map<string, number>>();
  private typingTimer = 0;
  private readonly listHost = h('div', { class: 'list-host' });
  private readonly search = new SearchPanel({
    search: (q, conv, from) => post({ type: 'search', q, ...(conv ? { conv } : {}), ...(from ? { from } : {}) }),
    mentions: () => post({ type: 'mentions' }),
    open: (hit) => {
      this.ui.screen = 'chat';
      saveUiState(this.ui);
      post({ type: 'openResult', conv: hit.conv, seq: hit.seq, ...(hit.thread !== undefined ? { thread: hit.thread } : {}) });
    },
    changed: (active) => (this.listHost.hidden = active),
  });
  private readonly sideHost = h('div', { class: 'side-host' }, this.search.element, this.search.results, this.listHost);
  private readonly header = h('header', { class: 'chat-header' });
  private readonly pinnedHost = h('div', { class: 'pinned-host' });
  private showPinned = false;
  private readonly archivedBar = h('div', { class: 'archived-bar', attrs: { role: 'status' } });
  private readonly banner = h('div', { class: 'banner-host' });
  private readonly typingLine = h('div', { class: 'typing-line', attrs: { 'aria-live': 'polite' } });
  /** The host's last reported problem, shown once as a notice (see ViewSnapshot.problem). */
  private shownProblem: string | undefined;
  private readonly noticeHost = h('div', { class: 'notice-host', attrs: { 'aria-live': 'assertive' } });
  private readonly list: MessageList;
  private readonly composer: Composer;
  private readonly picker = new EmojiPicker();
  private readonly chatPane: HTMLElement;
  private readonly threadPane: ThreadPane;
  private readonly layout: HTMLElement;
  private mode: 'welcome' | 'chat' | undefined;
  /** The connection state and detail the join form last showed. */
  private shownFailure = '';

  constructor(private readonly root: HTMLElement) {
    this.list = new MessageList(
      (row) => renderRow(row, this.rowContext()),
      (row) => rowVersion(row, this.rowsKey()),
      () => this.loadOlder(),
      () => this.markRead(),
      (row) => row.kind === 'msg' && row.message.author === this.snap?.me?.id,
    );
    this.composer = new Composer({
      send: (text) => this.active && post({ type: 'send', conv: this.active, text }),
      saveEdit: (target, text) => this.active && post({ type: 'edit', conv: this.active, target, text }),
      sendFiles: (files) => this.sendFiles(files),
      typing: () => this.active && post({ type: 'typing', conv: this.active }),
      draftChanged: (text) => this.active && this.drafts.set(this.active, text),
      lastOwn: () => {
        for (let i = this.messages.length - 1; i >= 0; i--) {
          const m = this.messages[i];
          if (m.author === this.snap?.me?.id && m.seq !== undefined && m.body.kind === 'text' && !m.deleted) return { seq: m.seq, text: m.edited ?? m.body.text };
        }
        return undefined;
      },
      members: () => this.snap?.members ?? [],
      me: () => this.snap?.me?.id,
      maxChars: () => this.snap?.limits?.maxTextChars ?? DEFAULT_LIMITS.maxTextChars,
    });
    this.chatPane = h('section', { class: 'chat-pane', attrs: { 'aria-label': 'Conversation' } }, this.header, this.pinnedHost, this.banner, this.list.host, this.typingLine, this.composer.element, this.archivedBar);
    this.threadPane = new ThreadPane({
      rowContext: (composer) => this.rowContext(composer, false),
      close: () => post({ type: 'closeThread' }),
      send: (root, text) => this.active && post({ type: 'send', conv: this.active, text, thread: root }),
      sendFiles: (root, files) => this.sendFiles(files, root),
      saveEdit: (target, text) => this.active && post({ type: 'edit', conv: this.active, target, text }),
      typing: () => this.active && post({ type: 'typing', conv: this.active }),
      draft: (key) => this.drafts.get(key),
      draftChanged: (key, text) => this.drafts.set(key, text),
      atBottom: () => this.markRead(),
      members: () => this.snap?.members ?? [],
      me: () => this.snap?.me?.id,
      maxChars: () => this.snap?.limits?.maxTextChars ?? DEFAULT_LIMITS.maxTextChars,
    });
    this.layout = h('div', { class: 'layout' }, this.sideHost, this.chatPane, this.threadPane.element);
    // Outside #app: notices show over the welcome form as over the chat (#app's content is replaced).
    document.body.append(this.noticeHost);
    new ResizeObserver(() => this.applyLayout()).observe(document.body);
    window.addEventListener('message', (e: MessageEvent) => this.onHostMessage(e.data as HostToView));
    // Until the first snapshot: the title, so the view is not blank (not main.welcome nor
    // .layout: tests wait for those as "the first snapshot is rendered").
    this.root.replaceChildren(h('div', { class: 'boot', attrs: { role: 'status' } }, h('h1', {}, brandIcon(), ' Parley'), h('p', { class: 'muted', text: 'Loading…' })));
    post({ type: 'ready', v: VIEW_PROTOCOL_VERSION });
  }

  private onHostMessage(msg: HostToView): void {
    switch (msg.type) {
      case 'snapshot':
        this.onSnapshot(msg.snapshot);
        return;
      case 'older':
        if (msg.conv !== this.active) return;
        this.loadingOlder = false;
        this.messages = mergeOlder(msg.messages, this.messages);
        this.more = msg.more && msg.messages.length > 0 ? true : msg.more;
        this.renderRows({ keepPlace: true });
        return;
      case 'typing':
        this.onTyping(msg.conv, msg.user);
        return;
      case 'reveal':
        this.reveal(msg);
        return;
      case 'results':
        this.search.onResults(msg.q, msg.hits, msg.more, msg.error);
        return;
      case 'focusSearch':
        this.ui.screen = 'list';
        saveUiState(this.ui);
        this.applyLayout();
        this.search.focus();
        return;
      case 'focusComposer':
        this.ui.screen = 'chat';
        saveUiState(this.ui);
        this.applyLayout();
        if (this.layout.classList.contains('thread-open')) this.threadPane.focus();
        else this.composer.focus();
        return;
      case 'notice':
        this.notice(msg.level, msg.text);
        return;
      case 'focus':
        this.focusSomething();
        return;
    }
  }

  /** Focus for Parley: Open Chat: the first empty field of the join form, the composer, or the list. */
  private focusSomething(): void {
    if (this.mode !== 'chat') {
      const fields = [...this.root.querySelectorAll<HTMLInputElement>('main.welcome input')];
      const target = fields.find((f) => !f.value && !f.disabled) ?? this.root.querySelector<HTMLElement>('main.welcome button, main.welcome input');
      target?.focus();
      return;
    }
    const l = this.layout.classList;
    if (l.contains('thread-open')) this.threadPane.focus();
    else if (this.active !== undefined && (l.contains('wide') || l.contains('show-chat')) && !this.composer.element.hidden) this.composer.focus();
    else (this.root.querySelector<HTMLElement>('li.conv[aria-selected="true"]') ?? this.root.querySelector<HTMLElement>('li.conv') ?? this.root.querySelector<HTMLElement>('input'))?.focus();
  }

  private onSnapshot(snap: ViewSnapshot): void {
    this.snap = snap;
    const draftsChanged = this.drafts.merge(snap.drafts ?? {});
    if (snap.problem && snap.problem !== this.shownProblem) this.notice('error', snap.problem);
    this.shownProblem = snap.problem;
    if (!isSignedIn(snap.connection.state, snap.me !== undefined)) {
      // Keep what the user has typed so far across snapshots, and where the form was scrolled to.
      const typed = (id: string) => (this.root.querySelector(`#${id}`) as HTMLInputElement | null)?.value;
      const scrolled = this.root.querySelector('main.welcome')?.scrollTop ?? 0;
      const keep = this.mode === 'welcome' ? { relayUrl: typed('relay-url'), name: typed('display-name'), secret: typed('team-secret'), invite: typed('invite-text'), focus: document.activeElement?.id } : undefined;
      // (Retrying is one failure, however often its "retrying in …" changes.)
      const failure = snap.connection.state === 'reconnecting' ? 'reconnecting' : `${snap.connection.state}:${snap.connection.detail ?? ''}`;
      const newFailure = failure !== this.shownFailure;
      this.shownFailure = failure;
      this.mode = 'welcome';
      this.root.replaceChildren(renderWelcome(snap, { join: (relayUrl, name, secret) => post({ type: 'join', relayUrl, name, secret }), host: (name) => post({ type: 'host', name }), invite: (text) => post({ type: 'invite', text }) }));
      if (keep) {
        for (const [id, v] of [['relay-url', keep.relayUrl], ['display-name', keep.name], ['team-secret', keep.secret], ['invite-text', keep.invite]] as const) {
          const input = this.root.querySelector(`#${id}`) as HTMLInputElement | null;
          if (input && v !== undefined) input.value = v;
        }
        if (keep.focus) (this.root.querySelector(`#${keep.focus}`) as HTMLElement | null)?.focus();
      }
      const welcome = this.root.querySelector('main.welcome');
      if (welcome) welcome.scrollTop = scrolled;
      // A new reason the join failed: bring its field into view.
      if (newFailure) {
        const invalid = this.root.querySelector('[aria-invalid="true"]') as HTMLElement | null;
        invalid?.scrollIntoView({ block: 'center' });
        invalid?.focus({ preventScroll: true });
      }
      return;
    }
    if (this.mode !== 'chat') {
      this.mode = 'chat';
      this.root.replaceChildren(this.layout);
    }
    const switched = snap.active !== this.active;
    if (switched) {
      this.active = snap.active;
      this.showPinned = false;
      const conv = this.conv();
      this.messages = snap.messages;
      this.more = snap.more;
      this.loadingOlder = false;
      this.newAfter = conv?.read;
      this.dividerLimit = conv?.head ?? 0;
      this.composer.setDraft(this.active ? this.drafts.get(this.active) : '');
    } else {
      // A newer draft from the host (this view's state was older than the host's copy).
      if (this.active && draftsChanged.includes(this.active) && !this.composer.hasFocus()) this.composer.setDraft(this.drafts.get(this.active));
      const lastSeq = this.messages.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
      for (const m of snap.messages) if ((m.seq ?? 0) > lastSeq) this.typing.get(this.active ?? '')?.delete(m.author);
      this.messages = mergeSnapshot(this.messages, snap.messages);
      if (!this.messages.length || this.messages[0].seq === snap.messages.find((m) => m.seq !== undefined)?.seq) this.more = snap.more;
    }
    this.search.update(snap);
    this.listHost.replaceChildren(
      renderSidebar(snap, this.active, {
        select: (conv) => this.select(conv),
        openDm: (user) => {
          this.ui.screen = 'chat';
          post({ type: 'openDm', user });
        },
        command: (command) => post({ type: 'command', command }),
        showMentions: () => this.search.showMentions(),
        ...(isAdmin(this.myRole()) ? { manage: (user: string) => post({ type: 'manageMember', user }) } : {}),
      }),
    );
    this.renderHeader();
    this.renderBanner();
    this.renderTyping();
    if (!switched) this.followReadMarker();
    this.renderRows({ toBottom: switched });
    const threadOpened = snap.thread !== undefined && !this.layout.classList.contains('has-thread');
    this.layout.classList.toggle('has-thread', snap.thread !== undefined);
    if (snap.thread) {
      this.threadPane.update(snap.thread, this.conv()?.title ?? '');
      this.threadPane.setReadOnly(this.conv()?.archived === true);
    }
    this.applyLayout();
    if (threadOpened) this.threadPane.focus();
  }

  /** Shows a message in context (a search result): loads the run of messages around it, scrolls there, flashes it. */
  private reveal(msg: Extract<HostToView, { type: 'reveal' }>): void {
    if (msg.conv !== this.active) return;
    this.messages = msg.messages;
    this.more = msg.more;
    this.loadingOlder = false;
    this.ui.screen = 'chat';
    saveUiState(this.ui);
    this.applyLayout();
    this.renderRows({});
    requestAnimationFrame(() => {
      const m = this.messages.find((x) => x.seq === msg.seq);
      const flash = (el: HTMLElement | undefined) => {
        if (!el) return;
        el.classList.add('flash');
        setTimeout(() => el.classList.remove('flash'), 2500);
      };
      if (m && this.chatShown()) flash(this.list.reveal(`m:${m.id}`));
      if (msg.reply !== undefined) flash(this.threadPane.reveal(msg.reply));
    });
  }

  private conv(): ConversationView | undefined {
    return this.snap?.conversations.find((c) => c.id === this.active);
  }

  private select(conv: string): void {
    this.ui.screen = 'chat';
    saveUiState(this.ui);
    if (conv === this.active) {
      this.applyLayout();
      this.composer.focus();
      return;
    }
    post({ type: 'select', conv });
  }

  private applyLayout(): void {
    const width = document.body.clientWidth;
    const wide = width >= WIDE;
    const showChat = !wide && this.ui.screen === 'chat' && this.active !== undefined;
    this.layout.classList.toggle('wide', wide);
    this.layout.classList.toggle('wider', width >= WIDER);
    this.layout.classList.toggle('show-chat', showChat);
    // A thread takes the conversation's place unless there is room for both.
    this.layout.classList.toggle('thread-open', this.layout.classList.contains('has-thread') && (wide || showChat));
  }

  /** Whether the conversation's messages are on screen (not hidden behind the list or a thread). */
  private chatShown(): boolean {
    const l = this.layout.classList;
    if (l.contains('thread-open')) return l.contains('wider');
    return l.contains('wide') || l.contains('show-chat');
  }

  private renderHeader(): void {
    const c = this.conv();
    if (!c || !this.snap) {
      this.header.replaceChildren(h('span', { class: 'muted', text: 'No conversation selected' }));
      this.composer.setPlaceholder('Message');
      this.pinnedHost.replaceChildren();
      this.archivedBar.hidden = true;
      this.composer.element.hidden = false;
      return;
    }
    const back = iconButton('arrow-left', 'Back to conversations', () => {
      this.ui.screen = 'list';
      saveUiState(this.ui);
      this.applyLayout();
    }, 'back-button');
    const members = new Map(this.snap.members.map((m) => [m.id, m]));
    const peer = c.peer ? members.get(c.peer) : undefined;
    // The topic is isolated (<bdi>): a right-to-left one cannot reorder the member count.
    const sub = c.kind === 'room' ? [`${c.archived ? 'archived · ' : ''}${c.members.length} member${c.members.length === 1 ? '' : 's'}`, ...(c.topic ? [' · ', bdi(c.topic)] : [])] : [peer?.presence ?? ''];
    const lead = c.kind === 'dm' ? h('span', { class: `presence ${peer?.presence ?? 'offline'}`, attrs: { 'aria-hidden': 'true' } }) : icon(c.archived ? 'archive' : 'symbol-numeric');
    const subtitle =
      c.kind === 'room' && !c.archived && this.may('topic')
        ? h('button', { class: 'subtitle muted link-like', attrs: { type: 'button', title: c.topic ? `Topic: ${c.topic} (click to change)` : 'Set a topic' }, on: { click: () => post({ type: 'command', command: 'setTopic' }) } }, ...sub)
        : h('div', { class: 'subtitle muted' }, ...sub);
    const pinned = this.snap.pinned;
    const pins = h(
      'button',
      { class: `icon-button pins${this.showPinned ? ' active' : ''}`, attrs: { type: 'button', title: pinned.length ? `${pinned.length} pinned` : 'Pinned messages', 'aria-label': `Pinned messages: ${pinned.length}`, 'aria-expanded': String(this.showPinned) }, on: { click: () => this.togglePinned() } },
      icon('pinned'),
      pinned.length ? h('span', { class: 'count', text: String(pinned.length) }) : undefined,
    );
    this.header.replaceChildren(back, lead, h('div', { class: 'titles' }, h('h2', { class: 'title' }, bdi(c.kind === 'room' ? c.title.slice(1) : c.title)), subtitle), pins);
    this.composer.setPlaceholder(`Message ${c.title}`);
    this.renderPinned();
    // An archived room is read-only: the composer gives way to a way back.
    this.composer.element.hidden = c.archived === true;
    this.archivedBar.hidden = c.archived !== true;
    if (c.archived) {
      this.archivedBar.replaceChildren(
        icon('archive'),
        h(
          'div',
          { class: 'archived-text' },
          h('span', { text: 'This room is archived: its history stays, nobody can post. ' }),
          this.may('archive') ? h('button', { class: 'link-button', text: 'Unarchive', attrs: { type: 'button' }, on: { click: () => post({ type: 'command', command: 'unarchiveRoom' }) } }) : undefined,
        ),
      );
    }
  }

  private rowsKeyFor: { snap?: ViewSnapshot | undefined; active?: string | undefined; key: string } = { key: '' };

  /** What rows render from besides themselves: who was removed (marked), whether I may pin here. */
  private rowsKey(): string {
    if (this.rowsKeyFor.snap !== this.snap || this.rowsKeyFor.active !== this.active) {
      const removed = (this.snap?.members ?? []).filter((m) => m.removed).map((m) => m.id);
      this.rowsKeyFor = { snap: this.snap, active: this.active, key: `${removed.join(',')}/${this.may('pin') ? 1 : 0}` };
    }
    return this.rowsKeyFor.key;
  }

  private myRole(): TeamRole {
    const me = this.snap?.me?.id;
    return this.snap?.members.find((m) => m.id === me)?.role ?? 'member';
  }

  /** Whether I may change the active room's topic, archive or pins: what the relay would refuse is not offered (protocol/roles.ts). */
  private may(act: 'topic' | 'archive' | 'pin'): boolean {
    const c = this.conv();
    const me = this.snap?.me?.id;
    if (!c || !me) return false;
    const room = { kind: c.kind, name: c.kind === 'room' ? c.title.replace(/^#/, '') : '', ...(c.creator !== undefined ? { creator: c.creator } : {}) };
    return canManageRoom({ id: me, role: this.myRole() }, room, act) === undefined;
  }

  private togglePinned(): void {
    this.showPinned = !this.showPinned;
    this.renderHeader();
  }

  private renderPinned(): void {
    if (!this.showPinned || !this.snap) {
      this.pinnedHost.replaceChildren();
      return;
    }
    const members = new Map(this.snap.members.map((m) => [m.id, m]));
    this.pinnedHost.replaceChildren(
      renderPinned(
        this.snap.pinned,
        members,
        this.snap.me?.id,
        (m) => {
          if (!this.active || m.seq === undefined) return;
          this.showPinned = false;
          const root = threadOf(m.body);
          post({ type: 'openResult', conv: this.active, seq: m.seq, ...(root !== undefined ? { thread: root } : {}) });
        },
        this.may('pin') ? (m) => this.active && m.seq !== undefined && post({ type: 'pin', conv: this.active, target: m.seq, on: false }) : undefined,
      ),
    );
  }

  private renderBanner(): void {
    const c = this.snap?.connection;
    if (c?.state === 'connected' && c.hosting?.shared && !c.hosting.secure) {
      // Hosting on the network over plain ws:// was chosen explicitly; it stays in sight while it lasts.
      this.banner.replaceChildren(
        h(
          'div',
          { class: 'banner warn plain-hosting', attrs: { role: 'status' } },
          icon('warning'),
          h(
            'div',
            { class: 'banner-body' },
            h('span', { text: 'You host this team on the network without encryption (ws://): anyone on the network can read the team secret and every message. Stop hosting and share again with TLS ("Share on this network").' }),
            h(
              'div',
              { class: 'banner-actions' },
              h('button', { class: 'link-button', text: 'Hosting status', attrs: { type: 'button' }, on: { click: () => post({ type: 'command', command: 'hostingStatus' }) } }),
            ),
          ),
        ),
      );
      return;
    }
    if (!c || c.state === 'connected') {
      this.banner.replaceChildren();
      return;
    }
    if (c.state === 'failed') {
      this.banner.replaceChildren(
        h(
          'div',
          { class: 'banner error', attrs: { role: 'alert' } },
          icon('error'),
          h(
            'div',
            { class: 'banner-body' },
            h('span', { text: `Cannot connect: ${c.detail ?? 'refused by the relay'}` }),
            h(
              'div',
              { class: 'banner-actions' },
              h('button', { class: 'link-button', text: 'Reconnect', attrs: { type: 'button' }, on: { click: () => post({ type: 'command', command: 'reconnect' }) } }),
              h('button', { class: 'link-button', text: 'Sign out', attrs: { type: 'button' }, on: { click: () => post({ type: 'command', command: 'signOut' }) } }),
            ),
          ),
        ),
      );
      return;
    }
    this.banner.replaceChildren(
      h(
        'div',
        { class: 'banner warn', attrs: { role: 'status' } },
        icon('sync'),
        h(
          'div',
          { class: 'banner-body' },
          h('span', { text: c.state === 'connecting' ? 'Connecting…' : 'Relay offline — reconnecting. What you send is queued and delivered when it is back.' }),
          h(
            'div',
            { class: 'banner-actions' },
            h('button', { class: 'link-button', text: 'Retry now', attrs: { type: 'button' }, on: { click: () => post({ type: 'command', command: 'reconnect' }) } }),
          ),
        ),
      ),
    );
  }

  private renderRows(opts: { keepPlace?: boolean; toBottom?: boolean }): void {
    const me = this.snap?.me?.id;
    const seenBy = seenPositions(this.messages, this.conv()?.seen, me);
    const rows = buildRows(this.messages, { ...(me ? { me } : {}), ...(this.newAfter !== undefined ? { newAfter: this.newAfter } : {}), now: Date.now(), seenBy });
    this.list.setRows(rows, opts);
    const c = this.conv();
    this.list.setEmpty(rows.length === 0 && !this.more ? (c?.kind === 'dm' ? ['This is the start of your conversation with ', bdi(c.title), '.'] : ['This is the start of ', c ? bdi(c.title) : 'the conversation', '. Say hello!']) : undefined);
  }

  private rowContext(composer: Composer = this.composer, threadLinks = true): RowContext {
    const me = this.snap?.me;
    return {
      mentions: { names: (this.snap?.members ?? []).map((m) => m.name), ...(me ? { me: me.name } : {}), room: this.conv()?.kind === 'room' },
      readOnly: this.conv()?.archived === true,
      mayPin: this.may('pin'),
      ...(this.snap?.me ? { me: this.snap.me.id } : {}),
      members: new Map((this.snap?.members ?? []).map((m) => [m.id, m])),
      conv: this.active ?? '',
      openLink: (url) => post({ type: 'openLink', url }),
      copy: (text) => {
        post({ type: 'copy', text });
        this.notice('info', 'Copied');
      },
      retry: (id) => post({ type: 'retry', id }),
      discard: (id) => post({ type: 'discard', id }),
      edit: (m) => m.seq !== undefined && m.body.kind === 'text' && composer.startEdit(m.seq, m.edited ?? m.body.text),
      remove: (m) => this.active && m.seq !== undefined && post({ type: 'delete', conv: this.active, target: m.seq }),
      saveFile: (seq) => this.active && post({ type: 'saveFile', conv: this.active, seq }),
      openFile: (seq) => this.active && post({ type: 'openFile', conv: this.active, seq }),
      snippet: (seq, action) => this.active && post({ type: 'snippet', conv: this.active, seq, action }),
      react: (seq, emoji, on) => this.react(seq, emoji, on),
      pin: (seq, on) => this.active && post({ type: 'pin', conv: this.active, target: seq, on }),
      pickReaction: (seq, anchor) => this.picker.open(anchor, pickerChoices(this.ui.recentEmoji), (emoji) => this.react(seq, emoji, true)),
      openRef: (path, line, col) => post({ type: 'openRef', path, line, ...(col !== undefined ? { col } : {}) }),
      ...(threadLinks ? { openThread: (seq: number) => this.active && post({ type: 'openThread', conv: this.active, root: seq }) } : {}),
    };
  }

  private react(seq: number, emoji: string, on: boolean): void {
    if (!this.active) return;
    if (on) {
      this.ui.recentEmoji = useRecent(this.ui.recentEmoji, emoji);
      saveUiState(this.ui);
      // Picking an emoji that is already mine does nothing (as in other chats).
      const m = this.messages.find((x) => x.seq === seq) ?? this.threadPane.messages.find((x) => x.seq === seq);
      if (m?.reactions?.some((r) => r.emoji === emoji && this.snap?.me && r.users.includes(this.snap.me.id))) return;
    }
    post({ type: 'react', conv: this.active, target: seq, emoji, on });
  }

  private loadOlder(): void {
    if (!this.active || !this.more || this.loadingOlder) return;
    this.loadingOlder = true;
    const oldest = this.messages.find((m) => m.seq !== undefined)?.seq;
    post({ type: 'loadOlder', conv: this.active, ...(oldest !== undefined ? { before: oldest } : {}) });
  }

  private markRead(): void {
    const c = this.conv();
    if (!c || document.visibilityState !== 'visible') return;
    const me = this.snap?.me?.id;
    const lastSeq = (list: MessageView[]) => list.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
    const chatSeen = this.chatShown() && this.list.atBottom;
    const mainLast = chatSeen ? lastSeq(this.messages) : 0;
    let threadLast = this.layout.classList.contains('thread-open') && this.threadPane.atBottom ? lastSeq(this.threadPane.messages) : 0;
    if (threadLast > mainLast && !chatSeen) {
      // The read marker is one seq per conversation: reading a thread must not pass over
      // messages of the conversation itself that are not on screen.
      const unseen = this.messages.find((m) => m.seq !== undefined && m.seq > c.read && m.seq <= threadLast && m.author !== me);
      if (unseen?.seq !== undefined) threadLast = unseen.seq - 1;
    }
    const last = Math.max(mainLast, threadLast);
    if (last > c.read && last > (this.lastReadSent.get(c.id) ?? 0)) {
      this.lastReadSent.set(c.id, last);
      post({ type: 'read', conv: c.id, seq: last });
    }
    this.followReadMarker();
  }

  /**
   * Messages read as they arrive are not "new": while no divider marks messages that were unread
   * when the conversation was opened, and the user is at the bottom, the divider stays off.
   */
  private followReadMarker(): void {
    if (this.newAfter === undefined || !this.list.atBottom) return;
    const me = this.snap?.me?.id;
    const unreadAtOpen = this.messages.some((m) => m.seq !== undefined && m.seq > (this.newAfter ?? 0) && m.seq <= this.dividerLimit && m.author !== me);
    if (unreadAtOpen) return;
    const last = this.messages.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
    this.newAfter = Math.max(this.newAfter, last);
  }

  private onTyping(conv: string, user: string): void {
    let m = this.typing.get(conv);
    if (!m) this.typing.set(conv, (m = new Map()));
    m.set(user, Date.now() + 5000);
    this.renderTyping();
  }

  private renderTyping(): void {
    const now = Date.now();
    const users = [...(this.typing.get(this.active ?? '')?.entries() ?? [])].filter(([, until]) => until > now).map(([u]) => u);
    const names = users.map((u) => this.snap?.members.find((m) => m.id === u)?.name ?? 'someone');
    this.typingLine.replaceChildren(...(names.length === 0 ? [] : [...nameList(names.slice(0, 2)), names.length === 1 ? ' is typing…' : ' are typing…']));
    clearTimeout(this.typingTimer);
    if (names.length) this.typingTimer = window.setTimeout(() => this.renderTyping(), 1000);
  }

  private sendFiles(files: File[], thread?: number): void {
    const conv = this.active;
    const max = this.snap?.maxFileBytes ?? 0;
    if (!conv) return;
    for (const f of files) {
      if (f.size > max) {
        this.notice('error', `${f.name} is ${formatBytes(f.size)}; the relay accepts files up to ${formatBytes(max)}.`);
        continue;
      }
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        const data = url.slice(url.indexOf(',') + 1);
        post({ type: 'sendFile', conv, name: f.name || 'pasted-image.png', mime: f.type || 'application/octet-stream', data, ...(thread !== undefined ? { thread } : {}) });
      };
      reader.onerror = () => this.notice('error', `Could not read ${f.name}.`);
      reader.readAsDataURL(f);
    }
  }

  private notice(level: 'info' | 'error', text: string): void {
    const el = h('div', { class: `notice ${level}`, attrs: { role: level === 'error' ? 'alert' : 'status' } }, icon(level === 'error' ? 'error' : 'info'), h('span', { text }));
    this.noticeHost.append(el);
    setTimeout(() => el.remove(), level === 'error' ? 8000 : 2500);
  }
}
