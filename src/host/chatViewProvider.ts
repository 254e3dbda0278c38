import { writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import * as vscode from 'vscode';
import type { ParleyClient } from '../core/client';
import type { CachedMessage } from '../core/clientStore';
import { formatBytes, sanitizeFileName } from '../core/fileNames';
import { mentionHits } from '../core/mentionsList';
import { conversationViews, messageViews, pinnedViews, threadViews } from '../core/viewModel';
import { isSignedIn, MENTIONS_QUERY, VIEW_PROTOCOL_VERSION, ViewToHost, type HostToView, type MessageView, type ThreadView, type ViewSnapshot } from '../protocol/view';
import type { FileBody } from '../protocol/wire';
import { readConfig } from './config';
import { Disposable } from './disposable';
import { chatHtml } from './html';
import { DraftStore } from './drafts';
import { PreviewFiles } from './previews';
import type { CodeLinks } from './codeLinks';
import type { NetworkTeams } from './networkTeams';
import type { Session } from './session';
import { ask, showError, showInfo, withProgressNotification } from './messages';
import { plainLabel } from './plainText';
import type { TeamCommands } from './teamCommands';
import { mayWrite } from './safeWrite';

const ACTIVE_KEY = 'parley.activeConversation';
const THREAD_KEY = 'parley.openThread';
const PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
const PREVIEW_CACHE = 64;
/** Received files up to this size open in an editor (larger ones are saved). */
const OPEN_MAX_BYTES = 1024 * 1024;

/** The chat webview in the side bar. It renders; this class owns the state it renders. */
export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'parley.chat';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private pushTimer: NodeJS.Timeout | undefined;
  /** Image previews fetched: file id → the preview file (see PreviewFiles). */
  private readonly previews = new Map<string, vscode.Uri>();
  private readonly previewFiles: PreviewFiles;
  private readonly fetching = new Set<string>();
  private focusWhenReady: 'focus' | 'focusComposer' | undefined;
  private focusSearchWhenReady = false;
  /** The last error shown to the user, so a failing refresh does not raise it again each time. */
  private lastProblem: string | undefined;
  private readonly loggedUnreadable = new Set<string>();
  private readonly drafts: DraftStore;
  private readonly interacted = this._register(new vscode.EventEmitter<void>());
  /** Fires when the user does something in the chat view (reading, typing, clicking): presence counts it as activity. */
  readonly onDidInteract = this.interacted.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly session: Session,
    private readonly log: vscode.LogOutputChannel,
    private readonly runCommand: (id: string) => void,
    /** The join form's join, host and invite: the user's own request, so no question beyond the command's own (see teamCommands.ts). */
    private readonly team: Pick<TeamCommands, 'run'>,
    private readonly codeLinks: CodeLinks,
    private readonly networkTeams: NetworkTeams,
  ) {
    super();
    const storage = context.storageUri ?? context.globalStorageUri;
    this.drafts = new DraftStore(join(storage.fsPath, 'drafts.json'), (line) => log.warn(line));
    this.previewFiles = new PreviewFiles(storage);
    this._register({ dispose: () => this.drafts.dispose() });
    this._register(session.onDidChange(() => this.schedulePush()));
    this._register(networkTeams.onDidChange(() => this.schedulePush()));
    this._register(
      session.onDidChangeClient((client) => {
        client?.on('typing', (conv, user) => this.post({ type: 'typing', conv, user }));
      }),
    );
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  get active(): string | undefined {
    return this.context.workspaceState.get<string>(ACTIVE_KEY);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist'), vscode.Uri.joinPath(this.context.extensionUri, 'media'), this.previewFiles.root],
    };
    view.webview.html = chatHtml(view.webview, this.context.extensionUri);
    const subs = [
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidChangeVisibility(() => this.schedulePush()),
    ];
    view.onDidDispose(() => {
      for (const s of subs) s.dispose();
      if (this.view === view) this.view = undefined;
      this.updateJoinScreen();
    });
    this.updateJoinScreen();
    this.updateBadge();
  }

  /**
   * Shows the view, optionally switching to a conversation and focusing the composer. Without a
   * conversation the focus goes to what the view shows (the composer, the list or the join form):
   * `.focus` alone focuses the webview's frame, where typing goes nowhere.
   */
  async reveal(conv?: string, focusComposer = false, thread?: number): Promise<void> {
    if (conv && thread !== undefined) await this.showThread({ conv, root: thread });
    else if (conv) await this.select(conv);
    const focus = focusComposer ? 'focusComposer' : 'focus';
    this.focusWhenReady = focus;
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
    if (this.ready) {
      this.post({ type: focus });
      this.focusWhenReady = undefined;
    }
  }

  async select(conv: string): Promise<void> {
    // A thread belongs to its conversation: switching away closes it.
    if (this.context.workspaceState.get<{ conv: string }>(THREAD_KEY)?.conv !== conv) await this.context.workspaceState.update(THREAD_KEY, undefined);
    await this.context.workspaceState.update(ACTIVE_KEY, conv);
    this.schedulePush(true);
  }

  /** The thread open beside the active conversation (kept across reloads). */
  get openThread(): { conv: string; root: number } | undefined {
    const t = this.context.workspaceState.get<{ conv: string; root: number }>(THREAD_KEY);
    return t && t.conv === this.active ? t : undefined;
  }

  /** Opens a thread (switching to its conversation), or closes the open one. */
  async showThread(thread: { conv: string; root: number } | undefined): Promise<void> {
    if (thread && thread.conv !== this.active) await this.context.workspaceState.update(ACTIVE_KEY, thread.conv);
    await this.context.workspaceState.update(THREAD_KEY, thread);
    this.schedulePush(true);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = ViewToHost.safeParse(raw);
    if (!parsed.success) {
      this.log.warn(`ignored a malformed message from the chat view: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const msg = parsed.data;
    // 'read' is posted by itself when messages arrive in a visible view; it is not the user's doing.
    if (msg.type !== 'ready' && msg.type !== 'read') this.interacted.fire();
    const client = this.session.client;
    try {
      switch (msg.type) {
        case 'ready':
          this.ready = true;
          if (msg.v !== VIEW_PROTOCOL_VERSION) this.log.warn(`chat view speaks view protocol ${msg.v}`);
          this.push();
          if (this.focusWhenReady) {
            this.post({ type: this.focusWhenReady });
            this.focusWhenReady = undefined;
          }
          if (this.focusSearchWhenReady) {
            this.post({ type: 'focusSearch' });
            this.focusSearchWhenReady = false;
          }
          return;
        case 'join':
          await this.team.run('parley.joinTeam', { relayUrl: msg.relayUrl, name: msg.name, secret: msg.secret });
          return;
        case 'host':
          await this.team.run('parley.hostTeam', { name: msg.name });
          return;
        case 'invite':
          await this.team.run('parley.joinInvite', { text: msg.text });
          return;
        case 'select':
          await this.select(msg.conv);
          return;
        case 'send':
          client?.send(msg.conv, { kind: 'text', text: msg.text, ...(msg.thread !== undefined ? { thread: msg.thread } : {}) });
          return;
        case 'search': {
          if (!client) return;
          try {
            const res = await client.search(msg.q, { ...(msg.conv ? { conv: msg.conv } : {}), ...(msg.from ? { from: msg.from } : {}) });
            this.post({ type: 'results', q: msg.q, hits: res.hits, more: res.more });
          } catch (err) {
            const offline = client.state !== 'connected';
            this.post({ type: 'results', q: msg.q, hits: [], more: false, error: offline ? 'Search runs on the relay, which is not reachable right now.' : (err as Error).message });
          }
          return;
        }
        case 'mentions':
          if (client) this.post({ type: 'results', q: MENTIONS_QUERY, hits: mentionHits(client), more: false });
          return;
        case 'openResult':
          await this.revealMessage(msg.conv, msg.seq, msg.thread);
          return;
        case 'openThread':
          await this.showThread({ conv: msg.conv, root: msg.root });
          return;
        case 'closeThread':
          await this.showThread(undefined);
          return;
        case 'edit':
          client?.send(msg.conv, { kind: 'edit', target: msg.target, text: msg.text });
          return;
        case 'delete': {
          const ok = await ask('warning', 'Delete this message for everyone?', { modal: true }, 'Delete');
          if (ok === 'Delete') client?.send(msg.conv, { kind: 'delete', target: msg.target });
          return;
        }
        case 'react':
          client?.send(msg.conv, { kind: 'react', target: msg.target, emoji: msg.emoji, on: msg.on });
          return;
        case 'pin':
          client?.send(msg.conv, { kind: 'pin', target: msg.target, on: msg.on });
          return;
        case 'sendFile': {
          const bytes = Buffer.from(msg.data, 'base64');
          client?.sendFile(msg.conv, msg.name, bytes, { ...(msg.mime ? { mime: msg.mime } : {}), ...(msg.thread !== undefined ? { thread: msg.thread } : {}) });
          return;
        }
        case 'loadOlder':
          await this.loadOlder(msg.conv, msg.before);
          return;
        case 'retry':
          client?.retry(msg.id);
          return;
        case 'discard':
          client?.discard(msg.id);
          this.schedulePush();
          return;
        case 'read':
          if (this.view?.visible) client?.markRead(msg.conv, msg.seq);
          return;
        case 'typing':
          client?.typing(msg.conv);
          return;
        case 'draft':
          this.drafts.set(msg.key, msg.text, msg.at);
          return;
        case 'openLink':
          await this.openLink(msg.url);
          return;
        case 'saveFile':
          await this.saveFile(msg.conv, msg.seq);
          return;
        case 'openFile':
          await this.openFile(msg.conv, msg.seq);
          return;
        case 'openDm': {
          if (!client) return;
          const conv = await client.openDm(msg.user);
          await this.select(conv.id);
          this.post({ type: 'focusComposer' });
          return;
        }
        case 'copy':
          await vscode.env.clipboard.writeText(msg.text);
          return;
        case 'snippet': {
          const m = this.cachedMessage(msg.conv, msg.seq);
          if (!client || !m || m.body.kind !== 'snippet') throw new Error('That snippet is not available.');
          const sender = client.members().find((x) => x.id === m.author)?.name ?? 'the sender';
          await this.codeLinks.run(msg.action, m.body, sender);
          return;
        }
        case 'openRef':
          await this.codeLinks.openRef(msg.path, msg.line, msg.col);
          return;
        case 'command':
          this.runCommand(`parley.${msg.command}`);
          return;
        case 'manageMember':
          // The member list's "Manage…": the command asks what to do and confirms it.
          await vscode.commands.executeCommand('parley.manageMember', msg.user);
          return;
      }
    } catch (err) {
      this.log.error(`chat view request '${msg.type}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      this.post({ type: 'notice', level: 'error', text: (err as Error).message });
    }
  }

  /**
   * Shows a message in context: pages the history back to it (the cache then holds everything
   * from a little before it to the newest), opens its conversation (and thread, for a reply),
   * and has the view scroll to it.
   */
  async revealMessage(conv: string, seq: number, thread?: number): Promise<void> {
    const client = this.session.client;
    if (!client) return;
    const anchor = thread ?? seq;
    const from = Math.max(1, anchor - 10);
    for (let pages = 0; (client.store.lowestSeq(conv) ?? Number.MAX_SAFE_INTEGER) > from; pages++) {
      if (client.state !== 'connected') throw new Error('That message is older than this window keeps; it can be shown when the relay is reachable.');
      if (pages >= 100) throw new Error('That message is too far back to show here; export the conversation to read it.');
      const page = await client.history(conv, client.store.lowestSeq(conv));
      if (!page.more) break;
    }
    if (thread !== undefined) await this.showThread({ conv, root: thread });
    else await this.select(conv);
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
    if (!this.ready) return;
    this.push();
    const page = messageViews(client, conv, { from, limit: Number.MAX_SAFE_INTEGER });
    this.post({ type: 'reveal', conv, seq: anchor, ...(thread !== undefined ? { reply: seq } : {}), messages: this.withPreviews(page.messages), more: page.more });
  }

  /** Has the view show its search box (the "Search Messages" command). */
  async focusSearch(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
    if (this.ready) this.post({ type: 'focusSearch' });
    else this.focusSearchWhenReady = true;
  }

  private async loadOlder(conv: string, shown?: number): Promise<void> {
    const client = this.session.client;
    if (!client) return;
    const before = shown ?? client.store.lowestSeq(conv) ?? (client.conversation(conv)?.head ?? 0) + 1;
    // The cache may already hold older pages (scrolled before); otherwise ask the relay.
    let page = messageViews(client, conv, { before, limit: 100 });
    if (page.messages.length === 0 && before > 1) {
      if (client.state !== 'connected') {
        this.post({ type: 'older', conv, messages: [], more: true });
        this.post({ type: 'notice', level: 'info', text: 'Older messages load when the relay is reachable.' });
        return;
      }
      // The relay pages from below what the cache holds.
      const fetched = await client.history(conv, client.store.lowestSeq(conv) ?? before);
      page = { ...messageViews(client, conv, { before, limit: 200 }), more: fetched.more };
    }
    this.post({ type: 'older', conv, messages: this.withPreviews(page.messages), more: page.more });
  }

  private async openLink(url: string): Promise<void> {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(url, true);
    } catch {
      return;
    }
    if (!['http', 'https', 'mailto'].includes(uri.scheme)) {
      this.post({ type: 'notice', level: 'error', text: `Parley opens only http, https and mailto links, not ${uri.scheme}:` });
      return;
    }
    await vscode.env.openExternal(uri);
  }

  /** The cached message at `seq`, if this window has it. */
  private cachedMessage(conv: string, seq: number): CachedMessage | undefined {
    return this.session.client?.store.message(conv, seq);
  }

  /** A received file this window has: its client, message, body and sanitized name. */
  private receivedFile(conv: string, seq: number): { client: ParleyClient; m: CachedMessage; body: FileBody; name: string } {
    const client = this.session.client;
    const m = this.cachedMessage(conv, seq);
    if (!client || !m || m.body.kind !== 'file') throw new Error('That file is not available.');
    return { client, m, body: m.body, name: sanitizeFileName(m.body.name) };
  }

  private download(client: ParleyClient, body: FileBody, name: string): Thenable<Buffer> {
    return withProgressNotification(`Downloading ${name}…`, () => client.fetchFile(body));
  }

  private async saveFile(conv: string, seq: number): Promise<void> {
    const { client, body, name } = this.receivedFile(conv, seq);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      saveLabel: 'Save',
      title: plainLabel(`Save ${name} (${formatBytes(body.size)})`),
    });
    // Checked before the download so a refused place costs no transfer.
    if (!target || !(await mayWrite(target, `save ${name} as`, true))) return;
    const bytes = await this.download(client, body, name);
    if (target.scheme === 'file') await writeFile(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
    // The name it was saved under (the dialog may have changed it), not the name it was sent with.
    const saved = posix.basename(target.path);
    void showInfo(`Saved ${saved === name ? name : `${name} as ${saved}`} (${formatBytes(bytes.length)}, sha256 checked).`);
  }

  /** Opens a received text file in a read-only editor (fetched and hash-checked, never written to disk). */
  private async openFile(conv: string, seq: number): Promise<void> {
    const { client, m, body, name } = this.receivedFile(conv, seq);
    if (body.size > OPEN_MAX_BYTES) throw new Error(`${name} is ${formatBytes(body.size)}: files up to ${formatBytes(OPEN_MAX_BYTES)} open here; use Save as… for this one.`);
    const bytes = await this.download(client, body, name);
    let text: string;
    try {
      if (bytes.includes(0)) throw new Error('binary');
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error(`${name} is not a UTF-8 text file; use Save as… to keep it.`);
    }
    const sender = client.members().find((x) => x.id === m.author)?.name ?? 'sender';
    await this.codeLinks.showReceived(`${sanitizeFileName(sender)}/${name}`, text);
  }

  /** Teams on the network are looked for only while the join form is on screen (see NetworkTeams). */
  private updateJoinScreen(): void {
    const shown = this.view?.visible === true && !isSignedIn(this.session.connection().state, this.session.client?.self !== undefined);
    this.networkTeams.setJoinScreenShown(shown);
  }

  private schedulePush(immediate = false): void {
    this.updateJoinScreen();
    this.updateBadge();
    if (!this.view || !this.ready) return;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => this.push(), immediate ? 0 : 25);
  }

  private push(): void {
    this.pushTimer = undefined;
    let snapshot: ViewSnapshot;
    try {
      snapshot = this.snapshot();
      this.lastProblem = undefined;
    } catch (err) {
      // Never a blank view: say what failed, here and in the view, and show what still can be.
      const problem = this.reportError('show the conversation', err);
      snapshot = this.degradedSnapshot(problem);
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

  /** What the view gets when the full snapshot failed: the connection and the list, no messages. */
  private degradedSnapshot(problem: string): ViewSnapshot {
    const client = this.session.client;
    let conversations: ViewSnapshot['conversations'] = [];
    try {
      conversations = client ? conversationViews(client) : [];
    } catch {
      conversations = [];
    }
    return { ...this.baseSnapshot(), conversations, messages: [], more: false, pinned: [], discovered: [], problem };
  }

  /** The parts of a snapshot that do not depend on the cache's messages. */
  private baseSnapshot(): Omit<ViewSnapshot, 'conversations' | 'messages' | 'more' | 'pinned' | 'discovered'> {
    const client = this.session.client;
    const cfg = readConfig();
    return {
      v: VIEW_PROTOCOL_VERSION,
      connection: this.session.connection(),
      ...(client?.self ? { me: client.self } : {}),
      members: client?.members() ?? [],
      maxFileBytes: client?.limits.maxFileBytes ?? 10 * 1024 * 1024,
      prefill: { relayUrl: cfg.relayUrl, name: cfg.displayName },
      discovery: cfg.discovery.enabled,
      drafts: this.drafts.all(),
      ...(client ? { limits: { maxTextChars: client.limits.maxTextChars, maxFileBytes: client.limits.maxFileBytes } } : {}),
    };
  }

  private snapshot(): ViewSnapshot {
    const client = this.session.client;
    const conversations = client ? conversationViews(client) : [];
    let active = this.active;
    if (!active || !conversations.some((c) => c.id === active)) active = conversations.find((c) => c.kind === 'room')?.id;
    const page = client && active ? messageViews(client, active) : { messages: [], more: false };
    const open = this.openThread;
    let thread: ThreadView | undefined;
    if (client && open && open.conv === active) {
      const t = threadViews(client, open.conv, open.root);
      thread = { conv: open.conv, root: open.root, ...(t.root ? { message: this.withPreviews([t.root])[0] } : {}), replies: this.withPreviews(t.replies) };
    }
    return {
      ...this.baseSnapshot(),
      conversations,
      ...(active ? { active } : {}),
      messages: this.withPreviews(page.messages),
      more: page.more,
      ...(thread ? { thread } : {}),
      pinned: client && active ? this.withPreviews(pinnedViews(client, active)) : [],
      discovered: this.networkTeams.teams(),
      ...(this.networkTeams.flooded() ? { discoveryFlooded: true } : {}),
    };
  }


  /** Adds previews (webview URIs of local files) to small images, fetching them in the background the first time. */
  private withPreviews(messages: MessageView[]): MessageView[] {
    return messages.map((m) => {
      const b = m.body;
      if (m.unreadable && !this.loggedUnreadable.has(`${m.id}`)) {
        this.loggedUnreadable.add(`${m.id}`);
        this.log.warn(`message ${m.seq ?? m.id} cannot be shown: ${m.unreadable}`);
      }
      if (m.unreadable || b.kind !== 'file' || b.file === 'pending' || !PreviewFiles.accepts(b, PREVIEW_MAX_BYTES)) return m;
      const cached = this.previews.get(b.file);
      if (cached && this.view) return { ...m, preview: this.view.webview.asWebviewUri(cached).toString() };
      this.fetchPreview(b);
      return m;
    });
  }

  private fetchPreview(body: FileBody): void {
    const client = this.session.client;
    if (!client || client.state !== 'connected' || this.fetching.has(body.file)) return;
    this.fetching.add(body.file);
    client
      .fetchFile(body)
      .then((bytes) => {
        if (this.previews.size >= PREVIEW_CACHE) {
          const [oldest, file] = this.previews.entries().next().value as [string, vscode.Uri];
          this.previews.delete(oldest);
          if (![...this.previews.values()].some((f) => f.fsPath === file.fsPath)) this.previewFiles.remove(file);
        }
        this.previews.set(body.file, this.previewFiles.put(body, bytes));
        this.schedulePush();
      })
      .catch((err) => this.log.warn(`no preview for ${body.name}: ${(err as Error).message}`))
      .finally(() => this.fetching.delete(body.file));
  }

  private updateBadge(): void {
    if (!this.view) return;
    const total = this.session.client?.conversations().reduce((n, c) => n + c.unread, 0) ?? 0;
    // A badge of 0 is hidden; setting `undefined` leaves the last badge up in VS Code 1.100.
    this.view.badge = { value: total, tooltip: total > 0 ? `${total} unread message${total === 1 ? '' : 's'}` : 'No unread messages' };
  }

  private post(msg: HostToView): void {
    if (this.view && this.ready) void this.view.webview.postMessage(msg);
  }
}
