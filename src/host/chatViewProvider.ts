import { join } from 'node:path';
import * as vscode from 'vscode';
import { isSignedIn, VIEW_PROTOCOL_VERSION, type HostToView, type MessageView, type ViewSnapshot } from '../protocol/view';
import { Disposable } from './disposable';
import { chatHtml } from './html';
import { DraftStore } from './drafts';
import type { CodeLinks } from './codeLinks';
import type { NetworkTeams } from './networkTeams';
import type { NotificationPrefs } from './notificationPrefs';
import { unreadTotal } from '../client/viewModel';
import { showError } from './messages';
import type { TeamCommands } from './teamCommands';
import { dispatchViewMessage } from './view/dispatch';
import { dropHandlers } from './view/dropHandlers';
import { editorHandlers } from './view/editorHandlers';
import { fileHandlers } from './view/fileHandlers';
import { focusHandlers } from './view/focusHandlers';
import { FocusMemory } from './view/focusMemory';
import { placeHandlers } from './view/placeHandlers';
import { ViewPlaceStore } from './view/viewPlace';
import { ImagePreviews } from './view/imagePreviews';
import { messageHandlers } from './view/messageHandlers';
import { navigationHandlers } from './view/navigationHandlers';
import { notifyHandlers } from './view/notifyHandlers';
import { searchHandlers } from './view/searchHandlers';
import { buildSnapshot, degradedSnapshot } from './view/snapshot';
import { teamHandlers } from './view/teamHandlers';
import type { OpenThread, ViewHandlers, ViewHost, ViewMessage, ViewSession } from './view/viewHost';
import { ViewReady } from './view/viewReady';

const ACTIVE_KEY = 'parley.activeConversation';
const THREAD_KEY = 'parley.openThread';

/**
 * The chat webview in the side bar. It renders; this class owns the state it renders (active
 * conversation, open thread, drafts, previews) and answers what the view posts through one
 * handler per message type (src/host/view/).
 */
export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider, ViewHost {
  static readonly viewType = 'parley.chat';
  private view: vscode.WebviewView | undefined;
  private readonly readiness = new ViewReady();
  private pushTimer: NodeJS.Timeout | undefined;
  /** Per kind of focus asked for before the view was ready, the newest request (older ones are dropped). */
  private readonly focusRequests = { focus: 0, search: 0 };
  /** The last error shown to the user, so a failing refresh does not raise it again each time. */
  private lastProblem: string | undefined;
  readonly drafts: DraftStore;
  readonly focusMemory: FocusMemory;
  readonly place: ViewPlaceStore;
  private readonly previews: ImagePreviews;
  private readonly handlers: ViewHandlers;
  private readonly interacted = this._register(new vscode.EventEmitter<void>());
  /** Fires when the user does something in the chat view (reading, typing, clicking): presence counts it as activity. */
  readonly onDidInteract = this.interacted.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly session: ViewSession,
    readonly log: vscode.LogOutputChannel,
    runCommand: (id: string) => void,
    /** The join form's join, host and invite: the user's own request, so no question beyond the command's own (see teamCommands.ts). */
    team: Pick<TeamCommands, 'run'>,
    codeLinks: Pick<CodeLinks, 'run' | 'openRef' | 'showReceived'>,
    private readonly networkTeams: Pick<NetworkTeams, 'onDidChange' | 'teams' | 'flooded' | 'setJoinScreenShown'>,
    readonly prefs: NotificationPrefs,
  ) {
    super(log);
    const storage = context.storageUri ?? context.globalStorageUri;
    this.drafts = new DraftStore(join(storage.fsPath, 'drafts.json'), (line) => log.warn(line));
    // Counted from the extension host's start (the window's), not from this activation: keys typed before it went unseen.
    const windowStart = Date.now() - process.uptime() * 1000;
    const focusFile = context.storageUri ? join(context.storageUri.fsPath, 'focus.json') : undefined;
    this.focusMemory = new FocusMemory(focusFile, (line) => log.info(line), Date.now, windowStart);
    this.place = new ViewPlaceStore(context.storageUri ? join(context.storageUri.fsPath, 'place.json') : undefined, (line) => log.warn(line));
    this.watchEditors();
    this.previews = new ImagePreviews(storage, {
      client: () => this.session.client,
      webviewUri: (file) => this.view?.webview.asWebviewUri(file).toString(),
      fetched: () => this.schedulePush(),
      log,
    });
    this.handlers = {
      ready: (msg) => this.onReady(msg),
      ...messageHandlers(this),
      ...fileHandlers(this, codeLinks),
      ...dropHandlers(this),
      ...searchHandlers(this),
      ...navigationHandlers(this),
      ...editorHandlers(this, codeLinks),
      ...focusHandlers(this),
      ...placeHandlers(this),
      ...notifyHandlers(this),
      ...teamHandlers(team, runCommand),
    };
    this._register({ dispose: () => this.drafts.dispose() });
    this._register({ dispose: () => this.pushTimer && clearTimeout(this.pushTimer) });
    this._register(session.onDidChange(() => this.schedulePush()));
    this._register(networkTeams.onDidChange(() => this.schedulePush()));
    this._register(prefs.onDidChange(() => (this.schedulePush(), this.updateBadge())));
    this._register(session.onClientEvent('typing', (conv, user) => this.post({ type: 'typing', conv, user })));
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  get ready(): boolean {
    return this.view !== undefined && this.readiness.ready;
  }

  get active(): string | undefined {
    return this.context.workspaceState.get<string>(ACTIVE_KEY);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.readiness.reset();
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media'), this.previews.root],
    };
    view.webview.html = chatHtml(view.webview, this.context.extensionUri);
    const subs = [view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)), view.onDidChangeVisibility(() => this.schedulePush())];
    view.onDidDispose(() => {
      for (const s of subs) s.dispose();
      if (this.view === view) this.view = undefined;
      this.updateJoinScreen();
    });
    this.updateJoinScreen();
    this.updateBadge();
  }

  /** Handles one message the view posted. */
  private receive(raw: unknown): Promise<void> {
    return dispatchViewMessage(raw, this.handlers, this, () => this.interacted.fire());
  }

  private onReady(msg: ViewMessage<'ready'>): void {
    this.readiness.set();
    if (msg.v !== VIEW_PROTOCOL_VERSION) this.log.warn(`chat view speaks view protocol ${msg.v}`);
    // The snapshot first: focus requests waiting for readiness run after this returns.
    this.push();
    this.giveFocusBack();
  }

  /** After a reload, the focus goes back to the chat field that had it (see FocusMemory). */
  private giveFocusBack(): void {
    if (this.focusMemory.decided) return;
    // A window left meanwhile, or a terminal typed in (which no event tells), means the keys are meant elsewhere.
    if (!vscode.window.state.focused || vscode.window.terminals.some((t) => t.state.isInteractedWith)) this.focusMemory.editorUsed();
    const field = this.focusMemory.take();
    if (!field) return;
    this.log.info(`giving the keyboard focus back to the chat's ${field}, where it was before the window reloaded`);
    this.focusView().then(
      () => {
        // Something happened while the view took the focus (a click, a key in an editor): leave it.
        if (this.focusMemory.usedSinceTake) return;
        this.post(field === 'search' ? { type: 'focusSearch' } : { type: 'focusComposer', pane: field === 'thread' ? 'thread' : 'main' });
      },
      (err: Error) => this.log.warn(`could not give the focus back to the chat: ${err.message}`),
    );
  }

  /** Typing in or clicking into an editor, a terminal, another window: the user's keys are meant there (see FocusMemory). */
  private watchEditors(): void {
    const used = () => this.focusMemory.editorUsed();
    this._register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && e.document.uri.scheme !== 'output' && vscode.window.visibleTextEditors.some((ed) => ed.document === e.document))
          used();
      }),
    );
    this._register(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.kind === vscode.TextEditorSelectionChangeKind.Keyboard || e.kind === vscode.TextEditorSelectionChangeKind.Mouse) used();
      }),
    );
    this._register(vscode.window.onDidChangeActiveTerminal(used));
    this._register(vscode.window.onDidChangeWindowState((s) => s.focused || used()));
  }

  /**
   * Shows the view, optionally switching to a conversation and focusing the composer. Without a
   * conversation the focus goes to what the view shows (the composer, the list or the join form):
   * `.focus` alone focuses the webview's frame, where typing goes nowhere.
   */
  async reveal(conv?: string, focusComposer = false, thread?: number): Promise<void> {
    if (conv && thread !== undefined) await this.showThread({ conv, root: thread });
    else if (conv) await this.select(conv);
    await this.focusView();
    this.postWhenReady('focus', { type: focusComposer ? 'focusComposer' : 'focus' });
  }

  /** Has the view show its search box (the "Search Messages" command). */
  async focusSearch(): Promise<void> {
    await this.focusView();
    this.postWhenReady('search', { type: 'focusSearch' });
  }

  /** Posts `msg` once the view is ready (at once if it is); a newer request of the same kind replaces one still waiting. */
  private postWhenReady(kind: keyof ChatViewProvider['focusRequests'], msg: HostToView): void {
    const request = ++this.focusRequests[kind];
    void this.readiness.whenReady().then(() => {
      if (this.focusRequests[kind] === request) this.post(msg);
    });
  }

  focusView(): Thenable<unknown> {
    return vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
  }

  async select(conv: string): Promise<void> {
    // A thread belongs to its conversation: switching away closes it.
    if (this.context.workspaceState.get<OpenThread>(THREAD_KEY)?.conv !== conv) await this.context.workspaceState.update(THREAD_KEY, undefined);
    await this.context.workspaceState.update(ACTIVE_KEY, conv);
    this.schedulePush(true);
  }

  /** The thread open beside the active conversation (kept across reloads). */
  get openThread(): OpenThread | undefined {
    const t = this.context.workspaceState.get<OpenThread>(THREAD_KEY);
    return t && t.conv === this.active ? t : undefined;
  }

  /** Opens a thread (switching to its conversation), or closes the open one. */
  async showThread(thread: OpenThread | undefined): Promise<void> {
    if (thread && thread.conv !== this.active) await this.context.workspaceState.update(ACTIVE_KEY, thread.conv);
    await this.context.workspaceState.update(THREAD_KEY, thread);
    this.schedulePush(true);
  }

  withPreviews(messages: MessageView[]): MessageView[] {
    return this.previews.add(messages);
  }

  /** Teams on the network are looked for only while the join form is on screen (see NetworkTeams). */
  private updateJoinScreen(): void {
    const shown = this.view?.visible === true && !isSignedIn(this.session.connection().state, this.session.client?.self !== undefined);
    this.networkTeams.setJoinScreenShown(shown);
  }

  schedulePush(immediate = false): void {
    this.updateJoinScreen();
    this.updateBadge();
    if (!this.ready) return;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => this.push(), immediate ? 0 : 25);
  }

  push(): void {
    this.pushTimer = undefined;
    const sources = {
      session: this.session,
      drafts: this.drafts,
      place: this.place,
      networkTeams: this.networkTeams,
      active: this.active,
      openThread: this.openThread,
      prefs: this.prefs,
      withPreviews: (m: MessageView[]) => this.withPreviews(m),
    };
    let snapshot: ViewSnapshot;
    try {
      snapshot = buildSnapshot(sources);
      this.lastProblem = undefined;
    } catch (err) {
      // Never a blank view: say what failed, here and in the view, and show what still can be.
      snapshot = degradedSnapshot(sources, this.reportError('show the conversation', err));
    }
    this.post({ type: 'snapshot', snapshot });
  }

  /**
   * Logs an error of the host with its stack and tells the user once (not on every refresh);
   * returns the sentence shown.
   */
  private reportError(doing: string, err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    const problem = `Parley could not ${doing}: ${message}`;
    this.log.error(`${problem}\n${err instanceof Error ? err.stack : ''}`);
    if (this.lastProblem !== problem) {
      this.lastProblem = problem;
      void showError(problem, 'Show Log').then((pick) => pick && this.log.show());
    }
    return problem;
  }

  private updateBadge(): void {
    if (!this.view) return;
    const client = this.session.client;
    const muted = this.prefs.mutedSet();
    const total = client ? unreadTotal(client, (conv) => muted.has(conv)) : 0;
    // A badge of 0 is hidden; setting `undefined` leaves the last badge up in VS Code 1.100.
    this.view.badge = { value: total, tooltip: total > 0 ? `${total} unread message${total === 1 ? '' : 's'}` : 'No unread messages' };
  }

  post(msg: HostToView): void {
    if (this.view && this.ready) void this.view.webview.postMessage(msg);
  }
}
