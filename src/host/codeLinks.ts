import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { readCandidates, type CandidateIo } from '../client/candidateFiles';
import { applyPatch } from '../client/patch';
import { sanitizeFileName } from '../client/fileNames';
import { normalizeRelPath, relPathProblem, relativeTo } from '../client/paths';
import { relocate, relocateIn, type Located } from '../client/relocate';
import type { SnippetBody } from '../protocol/wire';
import { repoOf } from './git';
import type { VirtualDocs } from './virtualDocs';
import { ask, flashStatus, showInfo, showWarning } from './messages';
import { plainLabel } from './plainText';
import { mayWrite } from './safeWrite';
import { trusted, trustedForWrite, whenTrusted } from './trust';

// Receiving code: opening a snippet where it lives in this workspace (following it if it moved),
// comparing, inserting, saving; previewing and applying patches; opening `path:line` references.
// In Restricted Mode (see trust.ts) nothing here reads the workspace: received code opens as the
// sender's read-only copy and the lookup follows once trust is granted; writes are refused.

export type SnippetAction = 'open' | 'compare' | 'insert' | 'copy' | 'save' | 'openDiff' | 'apply';

interface Target {
  uri: vscode.Uri;
  text: string;
  located: Located;
  path: string;
}

export class CodeLinks {
  constructor(private readonly docs: VirtualDocs) {}

  /** Shows text a teammate sent (a received file) in a read-only editor; nothing is written to disk. */
  async showReceived(name: string, text: string): Promise<void> {
    const uri = this.docs.put(name, text);
    await this.docs.open(uri);
    await vscode.window.showTextDocument(uri, { preview: true });
  }

  async run(action: SnippetAction, body: SnippetBody, sender: string): Promise<void> {
    switch (action) {
      case 'open':
        return this.open(body, sender);
      case 'compare':
        return this.compare(body, sender);
      case 'insert':
        return this.insert(body);
      case 'copy':
        await vscode.env.clipboard.writeText(body.code);
        flashStatus('check', 'Parley: code copied', 3000);
        return;
      case 'save':
        return this.save(body);
      case 'openDiff':
        return this.openPatch(body, sender);
      case 'apply':
        return this.applyPatch(body);
    }
  }

  private async open(body: SnippetBody, sender: string): Promise<void> {
    const t = trusted() ? await this.find(body) : undefined;
    if (t && t.located.status !== 'notFound') {
      const { start, end } = t.located;
      await showLines(t.uri, start, end);
      if (t.located.status === 'moved') {
        const was = `${body.lines.start}–${body.lines.end}`;
        void showInfo(
          t.located.exact
            ? `The code ${sender} sent has moved: it is now at lines ${start}–${end} of ${t.path} (it was at ${was}).`
            : `The code ${sender} sent has changed since; lines ${start}–${end} of ${t.path} are the closest match (it was at ${was}).`,
        );
      } else if (t.path !== (body.path ?? t.path)) {
        void showInfo(`Found in ${t.path} (sent as ${body.path}).`);
      }
      return;
    }
    const uri = this.docs.put(`${sender}/${body.path ?? `snippet.${body.lang}`}`, body.code);
    await this.docs.open(uri);
    await showLines(uri, 1, body.lines.end - body.lines.start + 1);
    const refused = body.path !== undefined ? relPathProblem(body.path) : undefined;
    if (!trusted() && !refused && body.path !== undefined) {
      void whenTrusted(`look for ${body.path} in your workspace (this is ${sender}'s read-only copy)`).then((ok) => (ok ? this.open(body, sender) : undefined));
      return;
    }
    void showWarning(
      t
        ? `${t.path} no longer contains this code; showing ${sender}'s version (read-only).`
        : refused
          ? `Parley did not look for ${body.path} in your workspace: ${refused}. Showing ${sender}'s version (read-only).`
          : `${body.path ?? 'This file'} is not in your workspace; showing ${sender}'s version (read-only).`,
    );
  }

  private async compare(body: SnippetBody, sender: string): Promise<void> {
    if (refusedPath(body, 'compare')) return;
    if (!(await whenTrusted(`compare with your ${body.path ?? 'file'}`))) return;
    const t = await this.find(body);
    if (!t) throw new Error(`${body.path ?? 'the file'} is not in your workspace, so there is nothing to compare with`);
    let theirs: string;
    if (t.located.status === 'notFound') {
      theirs = body.code;
    } else {
      // The receiver's file with the located lines replaced by the sender's: the diff shows just the snippet's difference.
      const lines = t.text.replace(/\r\n?/g, '\n').split('\n');
      lines.splice(t.located.start - 1, t.located.end - t.located.start + 1, ...body.code.replace(/\r\n?/g, '\n').split('\n'));
      theirs = lines.join('\n');
    }
    // The sender's side is plain text (see VirtualDocs) so its errors stay out of Problems; yours is your file.
    const left = this.docs.put(`${sender}/${basename(t.path)}`, theirs);
    await this.docs.open(left);
    await vscode.commands.executeCommand('vscode.diff', left, t.uri, plainLabel(`${basename(t.path)} (${sender}'s ↔ yours)`));
  }

  private async insert(body: SnippetBody): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file');
    if (!editor) throw new Error('open the file to insert into and place the cursor first');
    if (!trustedForWrite('insert the code')) return;
    // The editor the user is in is their choice of file, as a save dialog's would be.
    if (!(await mayWrite(editor.document.uri, 'insert the code into', true))) return;
    const ok = await editor.edit((eb) => eb.replace(editor.selection, body.code));
    if (!ok) throw new Error('the editor did not accept the edit');
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  }

  private async save(body: SnippetBody): Promise<void> {
    if (!trustedForWrite('save the code')) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    // Sanitized like a received file's name: the sender's `.git` must not become the default name.
    const name = sanitizeFileName(basename(body.path ?? `snippet.${body.lang}`));
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      title: plainLabel(`Save ${name}`),
    });
    if (!target || !(await mayWrite(target, 'save the code as', true))) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(body.code, 'utf8'));
    void showInfo(`Saved ${vscode.workspace.asRelativePath(target)}.`);
  }

  private async openPatch(body: SnippetBody, sender: string): Promise<void> {
    const t = trusted() ? await this.find({ ...body, code: '' }) : undefined;
    const name = basename(body.path ?? 'file');
    if (!t) {
      const uri = this.docs.put(`${sender}/${name}.diff`, body.code, { keepLanguage: true });
      await vscode.window.showTextDocument(uri, { preview: true });
      const refused = body.path !== undefined ? relPathProblem(body.path) : undefined;
      if (!trusted() && !refused && body.path !== undefined) {
        void whenTrusted(`look for ${body.path} in your workspace to show the patch against it (this is the patch alone)`).then((ok) =>
          ok ? this.openPatch(body, sender) : undefined,
        );
        return;
      }
      void showWarning(
        refused
          ? `Parley did not look for ${body.path} in your workspace: ${refused}. Showing the patch.`
          : `${body.path ?? 'The file'} is not in your workspace; showing the patch.`,
      );
      return;
    }
    const result = applyPatch(t.text, body.code);
    if (!result.ok) {
      const uri = this.docs.put(`${sender}/${name}.diff`, body.code, { keepLanguage: true });
      await vscode.window.showTextDocument(uri, { preview: true });
      void showWarning(`The patch does not apply to your ${t.path}: ${result.message}. Showing the patch.`);
      return;
    }
    const left = this.docs.put(`yours/${name}`, t.text);
    const right = this.docs.put(`${sender}/${name}`, result.text);
    await Promise.all([this.docs.open(left), this.docs.open(right)]);
    await vscode.commands.executeCommand('vscode.diff', left, right, plainLabel(`${name} (yours ↔ with ${sender}'s changes)`));
  }

  private async applyPatch(body: SnippetBody): Promise<void> {
    if (refusedPath(body, 'apply the changes to')) return;
    if (!trustedForWrite(`apply the changes to ${body.path ?? 'the file'}`)) return;
    const t = await this.find({ ...body, code: '' });
    if (!t) throw new Error(`${body.path ?? 'the file'} is not in your workspace`);
    // The path is the sender's choice: the file must really be in a workspace folder, not behind a link out of it.
    if (!(await mayWrite(t.uri, 'apply the changes to', false))) return;
    const doc = await vscode.workspace.openTextDocument(t.uri);
    const result = applyPatch(doc.getText(), body.code);
    if (!result.ok) throw new Error(`the patch does not apply to ${t.path}: ${result.message}`);
    const ok = await ask(
      'warning',
      `Apply these changes to ${plainLabel(t.path)}?`,
      { modal: true, detail: 'The file is changed in the editor; save it to keep the changes, or undo.' },
      'Apply',
    );
    if (ok !== 'Apply') return;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(t.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), result.text);
    await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(doc);
  }

  /**
   * Where the snippet is in this workspace: the same repository (by remote) first, then any
   * folder with the same relative path, then a renamed file with the same name or content.
   */
  private async find(body: SnippetBody): Promise<Target | undefined> {
    if (!trusted()) return undefined;
    const rel = body.path ? normalizeRelPath(body.path) : undefined;
    if (!rel) return undefined;
    const roots = await this.roots(body.git?.remote);
    for (const root of roots) {
      const file = join(root, rel);
      if (!isFile(file)) continue;
      const text = new TextDecoder().decode(await WORKSPACE_FILES.read(file));
      const located = body.code ? relocate(text, body.code, body.lines.start) : ({ status: 'same', start: 1, end: 1 } as const);
      if (located.status !== 'notFound') return { uri: vscode.Uri.file(file), text, located, path: rel };
      const renamed = await this.searchRenamed(root, rel, body);
      return renamed ?? { uri: vscode.Uri.file(file), text, located, path: rel };
    }
    for (const root of roots) {
      const renamed = body.code ? await this.searchRenamed(root, rel, body) : undefined;
      if (renamed) return renamed;
    }
    return undefined;
  }

  private async searchRenamed(root: string, rel: string, body: SnippetBody): Promise<Target | undefined> {
    const base = new vscode.RelativePattern(vscode.Uri.file(root), `**/*${extOf(rel)}`);
    const uris = await vscode.workspace.findFiles(base, '**/{node_modules,.git,dist,out}/**', 400);
    const sameName = uris.filter((u) => basename(u.fsPath) === basename(rel));
    const ordered = [...sameName, ...uris.filter((u) => !sameName.includes(u))];
    const candidates = await readCandidates(
      ordered.map((u) => u.fsPath),
      WORKSPACE_FILES,
    );
    const hit = relocateIn(candidates, body.code, body.lines.start);
    if (!hit) return undefined;
    const text = candidates.find((c) => c.path === hit.path)?.text;
    if (text === undefined) return undefined;
    return { uri: vscode.Uri.file(hit.path), text, located: hit.located, path: relativeTo(root, hit.path) ?? basename(hit.path) };
  }

  /** Workspace roots to look in: repositories with the same remote first, then every folder. */
  private async roots(remote: string | undefined): Promise<string[]> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    const matching: string[] = [];
    const others: string[] = [];
    for (const folder of folders) {
      const f = folder.uri.fsPath;
      const repo = await repoOf(folder.uri);
      if (remote && repo?.remote === remote) matching.push(repo.root);
      else {
        if (repo) others.push(repo.root);
        others.push(f);
      }
    }
    return [...new Set([...matching, ...others])];
  }

  /** Opens `path:line:col` from a message when the file is in the workspace. */
  async openRef(path: string, line: number, col?: number): Promise<void> {
    if (!(await whenTrusted(`open ${path}`))) return;
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    let file: string | undefined;
    if (isAbsolute(path)) {
      if (folders.some((f) => relativeTo(f, path) !== undefined) && isFile(path)) file = path;
    } else {
      const refused = relPathProblem(path);
      if (refused) {
        void showInfo(`Parley does not open ${path}: ${refused}.`);
        return;
      }
      const rel = normalizeRelPath(path);
      if (rel) {
        file = folders.map((f) => join(f, rel)).find(isFile);
        if (!file) {
          const found = await vscode.workspace.findFiles(`**/${rel}`, '**/node_modules/**', 2);
          file = found[0]?.fsPath;
        }
      }
    }
    if (!file) {
      void showInfo(`${path} is not in this workspace.`);
      return;
    }
    const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, (col ?? 1) - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos) });
  }
}

/** Workspace files through VS Code's file system (asynchronous; the same calls reach a remote workspace). */
const WORKSPACE_FILES: CandidateIo = {
  size: async (path) => {
    const st = await vscode.workspace.fs.stat(vscode.Uri.file(path));
    return st.type & vscode.FileType.File ? st.size : undefined;
  },
  read: async (path) => vscode.workspace.fs.readFile(vscode.Uri.file(path)),
};

async function showLines(uri: vscode.Uri, start: number, end: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const last = Math.min(end, doc.lineCount) - 1;
  const range = new vscode.Range(start - 1, 0, last, doc.lineAt(Math.max(0, last)).text.length);
  const editor = await vscode.window.showTextDocument(doc, { selection: range, preview: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Warns and returns true when the snippet's path is one Parley never looks up (see relPathProblem). */
function refusedPath(body: SnippetBody, doing: string): boolean {
  const why = body.path !== undefined ? relPathProblem(body.path) : undefined;
  if (why) void showWarning(`Parley did not ${doing} ${body.path}: ${why}.`);
  return why !== undefined;
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

function extOf(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i) : '';
}
