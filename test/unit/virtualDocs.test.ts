import * as assert from 'node:assert/strict';
import Module from 'node:module';

// A stand-in for the parts of `vscode` VirtualDocs uses, acting as the extension host does:
// opening a document fires onDidOpenTextDocument with the language detected from its name, and
// changing a document's language (by an extension or the user) fires close, then open. A fake
// language server diagnoses every open TypeScript document, whatever its scheme, and drops the
// diagnostics when the document closes, as TypeScript's does.

type Listener<T> = (e: T) => void;
class Emitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

interface FakeDoc {
  uri: { scheme: string; path: string; toString(): string };
  languageId: string;
}

const opened = new Emitter<FakeDoc>();
const closed = new Emitter<FakeDoc>();
const open = new Map<string, FakeDoc>();
const detect = (path: string) => (path.endsWith('.ts') ? 'typescript' : path.endsWith('.diff') ? 'diff' : 'plaintext');

function changeLanguage(doc: FakeDoc, languageId: string): FakeDoc {
  if (doc.languageId === languageId) return doc;
  closed.fire(doc);
  doc.languageId = languageId;
  opened.fire(doc);
  return doc;
}

const fake = {
  Uri: {
    from: ({ scheme, path }: { scheme: string; path: string }) => ({ scheme, path, toString: () => `${scheme}:${path}` }),
  },
  EventEmitter: Emitter,
  workspace: {
    registerTextDocumentContentProvider: () => ({ dispose() {} }),
    onDidOpenTextDocument: opened.event,
    onDidCloseTextDocument: closed.event,
    get textDocuments() {
      return [...open.values()];
    },
    async openTextDocument(uri: FakeDoc['uri']): Promise<FakeDoc> {
      const known = open.get(uri.toString());
      if (known) return known;
      const doc: FakeDoc = { uri, languageId: detect(uri.path) };
      open.set(uri.toString(), doc);
      opened.fire(doc);
      await new Promise((r) => setImmediate(r));
      return doc;
    },
  },
  languages: {
    async setTextDocumentLanguage(doc: FakeDoc, languageId: string): Promise<FakeDoc> {
      await new Promise((r) => setImmediate(r));
      return changeLanguage(doc, languageId);
    },
  },
};

/** The editor lets go of a document (its editor closed a while ago). */
function release(doc: FakeDoc): void {
  open.delete(doc.uri.toString());
  closed.fire(doc);
}

const diagnosed = new Set<string>();
opened.event((d) => {
  if (d.languageId === 'typescript') diagnosed.add(d.uri.toString());
});
closed.event((d) => diagnosed.delete(d.uri.toString()));

type Load = (request: string, ...rest: unknown[]) => unknown;
const mod = Module as unknown as { _load: Load };
const load = mod._load;
mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fake : load.call(this, request, ...rest);
};
const { VirtualDocs } = require('../../src/host/virtualDocs') as typeof import('../../src/host/virtualDocs');
mod._load = load;

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('virtual documents', () => {
  // Each VirtualDocs numbers its URIs from 0: start every test with nothing open.
  afterEach(() => {
    for (const d of [...open.values()]) release(d);
    diagnosed.clear();
  });

  it('leaves a language the user picks for a document that opened as plain text', async () => {
    const docs = new VirtualDocs();
    const doc = (await docs.open(docs.put('alice/notes', 'text') as never)) as unknown as FakeDoc;
    assert.equal(doc.languageId, 'plaintext');
    changeLanguage(doc, 'typescript');
    await tick();
    assert.equal(doc.languageId, 'typescript');
    docs.dispose();
  });

  it('opens code as plain text, so a language server has no diagnostics for it', async () => {
    const docs = new VirtualDocs();
    const uri = docs.put('alice/app.ts', 'function (');
    const doc = (await docs.open(uri as never)) as unknown as FakeDoc;
    assert.equal(doc.languageId, 'plaintext');
    assert.equal(diagnosed.size, 0);
    docs.dispose();
  });

  it('keeps a patch in its own language', async () => {
    const docs = new VirtualDocs();
    const doc = (await docs.open(docs.put('alice/app.ts.diff', '@@ -1 +1 @@', { keepLanguage: true }) as never)) as unknown as FakeDoc;
    assert.equal(doc.languageId, 'diff');
    docs.dispose();
  });

  it('makes it plain text again when it opens again, but leaves a language the user picks', async () => {
    const docs = new VirtualDocs();
    const uri = docs.put('alice/app.ts', 'let x = ;');
    const doc = (await docs.open(uri as never)) as unknown as FakeDoc;
    changeLanguage(doc, 'typescript'); // the user picks TypeScript for it
    await tick();
    assert.equal(doc.languageId, 'typescript');
    release(doc);
    await tick();
    // Reopen Closed Editor: VS Code opens it again with the language detected from the name.
    const again = (await fake.workspace.openTextDocument(uri as never)) as FakeDoc;
    await tick();
    assert.equal(again.languageId, 'plaintext');
    assert.equal(diagnosed.size, 0);
    docs.dispose();
  });
});
