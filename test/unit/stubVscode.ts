import { readFile, stat } from 'node:fs/promises';
import Module from 'node:module';

// Loads a src/host module outside the extension host, with a stand-in for `vscode` that records
// what reaches VS Code's UI. Modules copy the `vscode` namespace when they load, so a test changes
// the functions inside `window` and `commands`, never the objects themselves. Each load gets fresh
// copies of src/host (another test file may have loaded them with a stand-in of its own).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for any VS Code function
type Fn = (...args: any[]) => any;

export interface VscodeStub {
  window: Record<string, Fn>;
  commands: Record<string, Fn>;
  workspace: { getConfiguration: Fn; fs: { stat: Fn; readFile: Fn } };
  /** Settings `workspace.getConfiguration('parley').get(key)` returns (else its default). */
  settings: Record<string, unknown>;
  QuickPickItemKind: { Separator: number; Default: number };
  ProgressLocation: { Notification: number };
  ConfigurationTarget: { Global: number };
  FileType: Record<string, number>;
  EventEmitter: typeof StubEmitter;
}

/** vscode.EventEmitter, as far as src/host uses it. */
export class StubEmitter {
  private listeners: Fn[] = [];
  readonly event = (l: Fn) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e?: unknown): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export function vscodeStub(): VscodeStub {
  const settings: Record<string, unknown> = {};
  return {
    settings,
    window: {},
    commands: {},
    workspace: {
      getConfiguration: () => ({
        get: (key: string, fallback: unknown) => (key in settings ? settings[key] : fallback),
        update: async (key: string, v: unknown) => void (settings[key] = v),
        inspect: (key: string) => (key in settings ? { key, globalValue: settings[key] } : undefined),
      }),
      // VS Code's file system, on the real disk (the tests' files are real files).
      fs: {
        stat: async (uri: { fsPath: string }) => {
          const st = await stat(uri.fsPath);
          return { type: st.isFile() ? 1 : st.isDirectory() ? 2 : 0, size: st.size };
        },
        readFile: async (uri: { fsPath: string }) => new Uint8Array(await readFile(uri.fsPath)),
      },
    },
    FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    ProgressLocation: { Notification: 15 },
    ConfigurationTarget: { Global: 1 },
    EventEmitter: StubEmitter,
  };
}

type Load = (request: string, ...rest: unknown[]) => unknown;

/** `require(path)` with `vscode` (and any request named in `modules`) answered by the stand-ins. */
export function loadWith<T>(path: string, vscode: VscodeStub, modules: Record<string, unknown> = {}): T {
  for (const key of Object.keys(require.cache)) if (/[\\/]src[\\/]host[\\/]/.test(key)) delete require.cache[key];
  const mod = Module as unknown as { _load: Load };
  const load = mod._load;
  mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
    if (request === 'vscode') return vscode;
    if (request in modules) return modules[request];
    return load.call(this, request, ...rest);
  };
  try {
    return require(path) as T;
  } finally {
    mod._load = load;
  }
}
