import { join } from 'node:path';
import type * as vscode from 'vscode';
import type { ChatViewProvider } from '../../src/host/chatViewProvider';
import type { ViewSession } from '../../src/host/view/viewHost';
import type { HostToView, ViewToHost } from '../../src/protocol/view';
import type { TestClient } from '../helpers';
import { loadWith, StubEmitter, vscodeStub, type VscodeStub } from '../unit/stubVscode';

// The chat view's host side in plain Node: ChatViewProvider loaded with a stand-in for `vscode`,
// a fake webview that records what the host posts, and a session around a test client. What the
// stand-in lacks (file URIs, the clipboard, a few window calls) is added here, as far as the
// view's handlers use it.

/** A file URI as far as the host uses one (fsPath, path, scheme). */
function fileUri(fsPath: string): vscode.Uri {
  return { scheme: 'file', fsPath, path: fsPath, toString: () => `file://${fsPath}` } as unknown as vscode.Uri;
}

export interface ViewStub extends VscodeStub {
  Uri: { joinPath(base: vscode.Uri, ...p: string[]): vscode.Uri; parse(s: string): vscode.Uri };
  env: { clipboard: { writeText(t: string): Promise<void> }; openExternal(u: vscode.Uri): Promise<boolean> };
  TextEditorSelectionChangeKind: Record<'Keyboard' | 'Mouse' | 'Command', number>;
  /** What went to the clipboard and which commands ran. */
  clipboard: string[];
  executed: unknown[][];
}

export function viewStub(): ViewStub {
  const base = vscodeStub();
  const clipboard: string[] = [];
  const executed: unknown[][] = [];
  base.commands.executeCommand = async (...args: unknown[]) => void executed.push(args);
  // What the chat's focus memory listens to (no editor, terminal or other window is used here).
  const none = () => ({ dispose: () => undefined });
  Object.assign(base.window, { onDidChangeTextEditorSelection: none, onDidChangeActiveTerminal: none, onDidChangeWindowState: none });
  Object.assign(base.window as Record<string, unknown>, { state: { focused: true }, terminals: [], visibleTextEditors: [] });
  Object.assign(base.workspace, { onDidChangeTextDocument: none });
  return {
    ...base,
    TextEditorSelectionChangeKind: { Keyboard: 1, Mouse: 2, Command: 3 },
    clipboard,
    executed,
    Uri: {
      joinPath: (b, ...p) => fileUri(join(b.fsPath, ...p)),
      parse: (s) => {
        const u = new URL(s);
        return { scheme: u.protocol.replace(/:$/, ''), toString: () => s } as unknown as vscode.Uri;
      },
    },
    env: { clipboard: { writeText: async (t) => void clipboard.push(t) }, openExternal: async () => true },
  };
}

/** The webview side: posts like the view would, and keeps what the host posted back. */
export class FakeWebview {
  readonly received: HostToView[] = [];
  private listener: ((m: unknown) => Promise<void>) | undefined;
  readonly view: vscode.WebviewView;
  visible = true;

  constructor() {
    const none = { dispose: () => undefined };
    const webview = {
      options: {},
      html: '',
      cspSource: 'vscode-resource:',
      asWebviewUri: (u: vscode.Uri) => ({ toString: () => `webview:${u.fsPath}` }),
      postMessage: async (m: HostToView) => this.received.push(structuredClone(m)) > 0,
      onDidReceiveMessage: (l: (m: unknown) => Promise<void>) => ((this.listener = l), none),
    };
    const view = { webview, onDidChangeVisibility: () => none, onDidDispose: () => none };
    // `visible` is read live, as VS Code's is: the test flips this.visible.
    Object.defineProperty(view, 'visible', { get: () => this.visible });
    this.view = view as unknown as vscode.WebviewView;
  }

  /** Posts `msg` as the view would; resolves when the host has handled it. */
  async post(msg: ViewToHost | Record<string, unknown>): Promise<void> {
    if (!this.listener) throw new Error('the host has not resolved the view yet');
    await this.listener(msg);
  }

  /** Messages of one type the host posted, oldest first. */
  of<K extends HostToView['type']>(type: K): Extract<HostToView, { type: K }>[] {
    return this.received.filter((m): m is Extract<HostToView, { type: K }> => m.type === type);
  }

  last<K extends HostToView['type']>(type: K): Extract<HostToView, { type: K }> | undefined {
    return this.of(type).at(-1);
  }
}

/** A session as the view sees it, around one test client (no swaps: see sessionEvents.test.ts for those). */
export function fakeSession(c: TestClient): ViewSession & { changed: StubEmitter } {
  const changed = new StubEmitter();
  return {
    changed,
    get client() {
      return c.client;
    },
    connection: () => ({ state: 'connected' }),
    onDidChange: changed.event as unknown as ViewSession['onDidChange'],
    onClientEvent: ((event: 'typing', fn: (conv: string, user: string) => void) => c.client.on(event, fn)) as ViewSession['onClientEvent'],
  };
}

/** A memento (workspaceState, globalState) in memory. */
export function memento(): vscode.Memento {
  const m = new Map<string, unknown>();
  return {
    get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d),
    update: async (k: string, v: unknown) => void m.set(k, v),
    keys: () => [...m.keys()],
  } as vscode.Memento;
}

/** A LogOutputChannel that appends `level: line` to `logged`. */
export function recordingLog(logged: string[]): vscode.LogOutputChannel {
  return Object.fromEntries(
    ['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, (line: string) => logged.push(`${level}: ${line}`)]),
  ) as unknown as vscode.LogOutputChannel;
}

export interface ViewUnderTest {
  provider: ChatViewProvider;
  webview: FakeWebview;
  stub: ViewStub;
  /** What the host logged (level: line). */
  logged: string[];
}

/** ChatViewProvider over `session`, its view resolved (not ready until the test posts `ready`). */
export function startView(
  session: ViewSession,
  storage: string,
  codeLinks: Partial<Record<'run' | 'openRef' | 'showReceived', (...a: never[]) => Promise<void>>> = {},
): ViewUnderTest {
  const stub = viewStub();
  const { ChatViewProvider: Provider } = loadWith<typeof import('../../src/host/chatViewProvider')>('../../src/host/chatViewProvider', stub);
  const logged: string[] = [];
  const log = recordingLog(logged);
  const context = {
    storageUri: fileUri(storage),
    globalStorageUri: fileUri(storage),
    extensionUri: fileUri('/parley'),
    workspaceState: memento(),
  } as unknown as vscode.ExtensionContext;
  const team = { run: async () => undefined };
  const links = { run: async () => undefined, openRef: async () => undefined, showReceived: async () => undefined, ...codeLinks };
  const networkTeams = { onDidChange: new StubEmitter().event, teams: () => [], flooded: () => false, setJoinScreenShown: () => undefined };
  // Nothing muted or followed by hand (notifyPrefs.test.ts covers those).
  const prefs = {
    onDidChange: new StubEmitter().event,
    muted: () => false,
    mutedSet: () => new Set<string>(),
    following: () => undefined,
    setMuted: () => undefined,
    setFollowing: () => undefined,
  };
  const provider = new Provider(context, session, log, () => undefined, team, links, networkTeams as never, prefs as never);
  const webview = new FakeWebview();
  provider.resolveWebviewView(webview.view);
  return { provider, webview, stub, logged };
}
