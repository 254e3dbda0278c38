import * as vscode from 'vscode';
import { Disposable } from './disposable';

export const SCHEME = 'parley';
const PLAIN = 'plaintext';

/**
 * Read-only documents for code that is not a file here: a sender's version of a snippet, the
 * two sides of a "Compare with mine" or a patch preview. Addressed by `parley:/<id>/<name>`.
 *
 * Code is shown as plain text: language servers diagnose documents of schemes they do not know
 * (TypeScript's reports syntax errors for any scheme but git, vsls, github and azurerepos), so a
 * snippet opened as TypeScript puts its errors in the Problems view. Only a patch keeps its
 * language (`diff`), which no language server checks.
 */
export class VirtualDocs extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  /** URIs shown as plain text (all but patches). */
  private readonly plain = new Set<string>();
  /** Language changes under way, by URI. */
  private readonly switching = new Map<string, Thenable<vscode.TextDocument>>();
  /** Open documents already made plain text (if one is TypeScript now, the user chose it). */
  private readonly madePlain = new Set<string>();
  private next = 0;
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this));
    // However it opens (again: Reopen Closed Editor, a restored diff), it is plain text; a
    // language the user then picks for it stays.
    this._register(vscode.workspace.onDidOpenTextDocument((doc) => void this.asPlainText(doc).then(undefined, () => undefined)));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.closed(doc)));
  }

  /**
   * A URI showing `text` under `name` (the file name shows in the tab). Plain text unless
   * `keepLanguage` (detected from the name): open it with `open()` before showing it.
   */
  put(name: string, text: string, opts: { keepLanguage?: boolean } = {}): vscode.Uri {
    const id = (this.next++).toString(36);
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${id}/${name.replace(/^\/+/, '')}` });
    const key = uri.toString();
    this.docs.set(key, text);
    if (!opts.keepLanguage) this.plain.add(key);
    if (this.docs.size > 200) {
      const oldest = this.docs.keys().next().value as string;
      this.docs.delete(oldest);
      this.plain.delete(oldest);
      this.madePlain.delete(oldest);
    }
    return uri;
  }

  /** Opens the document, as plain text when it is code, so that it is that before any editor shows it. */
  async open(uri: vscode.Uri): Promise<vscode.TextDocument> {
    return await this.asPlainText(await vscode.workspace.openTextDocument(uri));
  }

  /** Makes a code document plain text once each time it opens (the open event and open() both ask). */
  private asPlainText(doc: vscode.TextDocument): Thenable<vscode.TextDocument> {
    const key = doc.uri.toString();
    const pending = this.switching.get(key);
    if (pending) return pending;
    if (doc.uri.scheme !== SCHEME || !this.plain.has(key) || this.madePlain.has(key)) return Promise.resolve(doc);
    this.madePlain.add(key);
    if (doc.languageId === PLAIN) return Promise.resolve(doc);
    // For extensions this closes the document and opens it again, so a language server that saw
    // it open drops it and its diagnostics.
    const p = vscode.languages.setTextDocumentLanguage(doc, PLAIN);
    this.switching.set(key, p);
    const done = () => this.switching.delete(key);
    p.then(done, done);
    return p;
  }

  /** A language change also closes and reopens: only when the document is really gone is it made plain again next time. */
  private closed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    if (!this.madePlain.has(key)) return;
    setTimeout(() => {
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) this.madePlain.delete(key);
    }, 0);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}
