import * as vscode from 'vscode';
import { Disposable } from './disposable';

export const SCHEME = 'parley';

/**
 * Read-only documents for code that is not a file here: a sender's version of a snippet, the
 * two sides of a "Compare with mine" or a patch preview. Addressed by `parley:/<id>/<name>`.
 */
export class VirtualDocs extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private next = 0;
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this));
  }

  /** A URI showing `text` under `name` (keep the file name so the language is detected). */
  put(name: string, text: string): vscode.Uri {
    const id = (this.next++).toString(36);
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${id}/${name.replace(/^\/+/, '')}` });
    this.docs.set(uri.toString(), text);
    if (this.docs.size > 200) this.docs.delete(this.docs.keys().next().value as string);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
}
