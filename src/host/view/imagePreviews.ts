import type * as vscode from 'vscode';
import type { ParleyClient } from '../../client/client';
import type { MessageView } from '../../protocol/view';
import type { FileBody } from '../../protocol/wire';
import { PreviewFiles } from '../previews';

const PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
const PREVIEW_CACHE = 64;

/**
 * Previews of small images in the messages the view shows: fetched in the background the first
 * time one is shown (the next snapshot carries it), kept as files (PreviewFiles), at most 64.
 * Also logs, once per message, why a message cannot be shown.
 */
export class ImagePreviews {
  /** Image previews fetched: file id → the preview file. */
  private readonly previews = new Map<string, vscode.Uri>();
  private readonly files: PreviewFiles;
  private readonly fetching = new Set<string>();
  private readonly loggedUnreadable = new Set<string>();

  constructor(
    storage: vscode.Uri,
    private readonly deps: {
      client: () => ParleyClient | undefined;
      /** The URI the view loads a local file by; undefined while there is no view. */
      webviewUri: (file: vscode.Uri) => string | undefined;
      /** A preview arrived: the view should get a new snapshot. */
      fetched: () => void;
      log: Pick<vscode.LogOutputChannel, 'warn'>;
    },
  ) {
    this.files = new PreviewFiles(storage);
  }

  /** The folder the webview must be allowed to load previews from. */
  get root(): vscode.Uri {
    return this.files.root;
  }

  /** The messages with `preview` set on small images whose preview is at hand. */
  add(messages: MessageView[]): MessageView[] {
    return messages.map((m) => {
      const b = m.body;
      if (m.unreadable && !this.loggedUnreadable.has(m.id)) {
        this.loggedUnreadable.add(m.id);
        this.deps.log.warn(`message ${m.seq ?? m.id} cannot be shown: ${m.unreadable}`);
      }
      if (m.unreadable || b.kind !== 'file' || b.file === 'pending' || !PreviewFiles.accepts(b, PREVIEW_MAX_BYTES)) return m;
      const cached = this.previews.get(b.file);
      const uri = cached && this.deps.webviewUri(cached);
      if (uri) return { ...m, preview: uri };
      this.fetch(b);
      return m;
    });
  }

  private fetch(body: FileBody): void {
    const client = this.deps.client();
    if (!client || client.state !== 'connected' || this.fetching.has(body.file)) return;
    this.fetching.add(body.file);
    client
      .fetchFile(body)
      .then((bytes) => {
        if (this.previews.size >= PREVIEW_CACHE) this.evictOldest();
        this.previews.set(body.file, this.files.put(body, bytes));
        this.deps.fetched();
      })
      .catch((err) => this.deps.log.warn(`no preview for ${body.name}: ${(err as Error).message}`))
      .finally(() => this.fetching.delete(body.file));
  }

  private evictOldest(): void {
    const [oldest, file] = this.previews.entries().next().value as [string, vscode.Uri];
    this.previews.delete(oldest);
    // Two file ids with the same bytes share one preview file.
    if (![...this.previews.values()].some((f) => f.fsPath === file.fsPath)) this.files.remove(file);
  }
}
