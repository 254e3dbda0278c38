import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { FileBody } from '../protocol/wire';

/** Raster image types shown as previews, with the extension their file gets (SVG never: it can hold script). */
const PREVIEW_TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/**
 * Image previews as files the webview loads through `asWebviewUri`, so a snapshot carries a short
 * URI per image instead of its bytes (64 inline previews made a 171 MB snapshot, re-posted on any
 * change). Files are named by the image's sha256 with the extension of its declared type, so
 * the webview serves them as that type only (an SVG sent as image/png does not render); the
 * folder is a cache, emptied when the window starts.
 */
export class PreviewFiles {
  readonly root: vscode.Uri;

  constructor(storage: vscode.Uri) {
    this.root = vscode.Uri.joinPath(storage, 'previews');
    rmSync(this.root.fsPath, { recursive: true, force: true });
    mkdirSync(this.root.fsPath, { recursive: true });
  }

  /** Whether a file message can have a preview (its bytes not fetched yet). */
  static accepts(body: FileBody, maxBytes: number): boolean {
    return body.mime !== undefined && Object.hasOwn(PREVIEW_TYPES, body.mime) && body.size <= maxBytes;
  }

  /** Writes checked bytes (fetchFile verified size and sha256) and returns the file. */
  put(body: FileBody, bytes: Uint8Array): vscode.Uri {
    const ext = body.mime !== undefined && Object.hasOwn(PREVIEW_TYPES, body.mime) ? PREVIEW_TYPES[body.mime] : undefined;
    if (!ext) throw new Error(`no preview for ${body.mime ?? 'a file without a type'}`);
    const file = vscode.Uri.joinPath(this.root, `${body.sha256}.${ext}`);
    writeFileSync(file.fsPath, bytes);
    return file;
  }

  /** Removes a preview no longer cached. */
  remove(file: vscode.Uri): void {
    rmSync(file.fsPath, { force: true });
  }
}
