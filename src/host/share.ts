import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { conversationViews } from '../client/viewModel';
import { relocate } from '../client/relocate';
import { LANGUAGE_ID_PATTERN, type SnippetBody } from '../protocol/wire';
import { formatBytes } from '../protocol/formatBytes';
import { readFileToSend, type FileToSend } from './fileToSend';
import { diffHead, fileInRepo, fileInRepository } from './git';
import type { Session } from './session';
import { flashStatus, showInfo, withProgressNotification } from './messages';
import { askText, pickOne, type Choice, type Heading } from './picks';
import { trusted, whenTrusted } from './trust';

// Sending code from the editor: a selection (with its repository, commit, path and lines),
// whole files, or a file's uncommitted changes as a patch, to a teammate or a room.
// In Restricted Mode (see trust.ts) a selection goes without its git context (git does not run
// in an untrusted workspace) and says so; a file's changes wait for trust. Files the user picks
// to send are read either way: that is the user's own choice of what leaves the machine.

const LAST_KEY = 'parley.lastRecipient';

interface Recipient {
  /** Conversation id, or a member id that still needs a DM opened. */
  conv?: string;
  user?: string;
  label: string;
}

export class Sharer {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly session: Session,
  ) {}

  private client(): ParleyClient {
    const c = this.session.client;
    if (!c) throw new Error('join or host a team first (Parley: Join Team…)');
    return c;
  }

  async sendSelection(editor = vscode.window.activeTextEditor, again = false): Promise<void> {
    if (!editor) throw new Error('open a file and select the lines to send');
    const body = await snippetFromEditor(editor, this.client().limits.maxSnippetChars);
    const to = await this.pickRecipient(again, `Send ${body.path ?? 'selection'}:${body.lines.start}–${body.lines.end} to…`);
    if (!to) return;
    const note = again ? undefined : await askNote();
    if (note === null) return;
    const conv = await this.resolve(to);
    this.client().send(conv, { ...body, ...(note ? { note } : {}) });
    flashStatus(
      'check',
      `Parley: sent ${body.path ?? 'the selection'} to ${to.label}${body.git || trusted() ? '' : ' without its git context (Restricted Mode: trust the workspace to send it)'}`,
      6000,
    );
  }

  async sendChanges(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') throw new Error('open a file in a git repository first');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (!(await whenTrusted(`read the changes to ${basename(target.fsPath)} with git`))) return;
    if (doc?.isDirty) await doc.save();
    const where = await fileInRepo(target.fsPath);
    if (!where) throw new Error(`${basename(target.fsPath)} is not in a git repository`);
    const patch = await diffHead(where.repo.root, where.path);
    if (!patch) {
      void showInfo(`${where.path} has no uncommitted changes.`);
      return;
    }
    const client = this.client();
    if (patch.length > client.limits.maxSnippetChars)
      throw new Error(`the changes to ${where.path} are too large to send as a patch (${patch.length} characters)`);
    const to = await this.pickRecipient(false, `Send the changes to ${where.path} to…`);
    if (!to) return;
    const note = await askNote();
    if (note === null) return;
    const body: SnippetBody = {
      kind: 'snippet',
      code: patch,
      lang: 'diff',
      path: oneLinePath(where.path),
      lines: { start: 1, end: patch.split('\n').length },
      hash: sha256(patch),
      patch: true,
      git: {
        ...(where.repo.remote ? { remote: where.repo.remote } : {}),
        ...(where.repo.commit ? { commit: where.repo.commit } : {}),
        ...(where.repo.branch ? { branch: where.repo.branch } : {}),
        dirty: true,
      },
      ...(note ? { note } : {}),
    };
    this.client().send(await this.resolve(to), body);
    flashStatus('check', `Parley: sent the changes to ${where.path} to ${to.label}`, 4000);
  }

  async sendFiles(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
    const list = uris && uris.length ? uris : uri ? [uri] : vscode.window.activeTextEditor ? [vscode.window.activeTextEditor.document.uri] : [];
    if (list.length === 0) throw new Error('select a file in the explorer or open one');
    const client = this.client();
    const files: FileToSend[] = [];
    for (const u of list) files.push(await readFileToSend(u, client.limits.maxFileBytes));
    const what = files.length === 1 ? files[0].name : `${files.length} files`;
    const to = await this.pickRecipient(false, `Send ${what} to…`);
    if (!to) return;
    const note = await askNote();
    if (note === null) return;
    const conv = await this.resolve(to);
    const total = files.reduce((n, f) => n + f.bytes.length, 0);
    await withProgressNotification(`Parley: sending ${what} to ${to.label}`, async (report) => {
      let done = 0;
      for (const [i, f] of files.entries()) {
        const entry = client.sendFile(conv, f.name, f.bytes, { mime: mimeOf(f.name), ...(note && i === 0 ? { note } : {}) });
        await waitForDelivery(this.session, entry.id, (sent) =>
          report({ message: `${f.name} ${formatBytes(done + sent)} of ${formatBytes(total)}`, increment: 0 }),
        );
        done += f.bytes.length;
        report({ increment: (f.bytes.length / Math.max(1, total)) * 100 });
      }
    });
    flashStatus('check', `Parley: sent ${what} to ${to.label}`, 4000);
  }

  /** Teammates (with presence) and rooms, most recent conversation first. */
  private async pickRecipient(again: boolean, title: string): Promise<Recipient | undefined> {
    const client = this.client();
    const last = this.context.workspaceState.get<Recipient>(LAST_KEY);
    if (again && last) return last;
    const me = client.self?.id;
    const members = new Map(client.members().map((m) => [m.id, m]));
    const convs = conversationViews(client);
    const items: (Choice<Recipient> | Heading)[] = [];
    const dmPeers = new Set<string>();
    for (const c of convs) {
      if (c.kind === 'dm') {
        const peer = members.get(c.peer ?? '');
        if (c.peer) dmPeers.add(c.peer);
        items.push({ icon: 'person', label: peer?.name ?? c.title, description: peer?.presence, value: { conv: c.id, label: peer?.name ?? c.title } });
      } else {
        items.push({ icon: 'comment-discussion', label: c.title, description: `${c.members.length} members`, value: { conv: c.id, label: c.title } });
      }
    }
    const rest = [...members.values()].filter((m) => m.id !== me && !dmPeers.has(m.id)).sort((a, b) => a.name.localeCompare(b.name));
    if (rest.length) items.push({ heading: 'Other teammates' });
    for (const m of rest) items.push({ icon: 'person', label: m.name, description: m.presence, value: { user: m.id, label: m.name } });
    if (items.length === 0) throw new Error('you are in no conversation yet');
    const pick = await pickOne(items, { title, placeHolder: 'A teammate or a room', matchOnDescription: true });
    if (!pick) return undefined;
    await this.context.workspaceState.update(LAST_KEY, pick);
    return pick;
  }

  private async resolve(r: Recipient): Promise<string> {
    if (r.conv && this.client().conversation(r.conv)) return r.conv;
    if (r.user) {
      const conv = await this.client().openDm(r.user);
      await this.context.workspaceState.update(LAST_KEY, { conv: conv.id, label: r.label });
      return conv.id;
    }
    throw new Error(`${r.label} is no longer one of your conversations`);
  }
}

/** The selected lines (whole lines; the cursor's line when nothing is selected) with their context. */
export async function snippetFromEditor(editor: vscode.TextEditor, maxChars: number): Promise<SnippetBody> {
  const doc = editor.document;
  const sel = editor.selection;
  const startLine = sel.start.line;
  let endLine = sel.end.line;
  if (endLine > startLine && sel.end.character === 0) endLine--;
  const range = new vscode.Range(startLine, 0, endLine, doc.lineAt(endLine).text.length);
  const code = doc.getText(range);
  if (code.length > maxChars) throw new Error(`the selection has ${code.length} characters; snippets are limited to ${maxChars}. Send the file instead.`);
  const lines = { start: startLine + 1, end: endLine + 1 };
  let path: string | undefined;
  let git: SnippetBody['git'];
  const where = await fileInRepository(doc.uri);
  if (where) {
    path = where.path;
    const head = where.repo.commit ? await where.head() : undefined;
    const unchanged = head !== undefined && !doc.isDirty && relocate(head, code, lines.start).status === 'same';
    git = {
      ...(where.repo.remote ? { remote: where.repo.remote } : {}),
      ...(where.repo.commit ? { commit: where.repo.commit } : {}),
      ...(where.repo.branch ? { branch: where.repo.branch } : {}),
      dirty: !unchanged,
    };
  }
  if (!path) {
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    path = folder ? vscode.workspace.asRelativePath(doc.uri, false) : basename(doc.uri.path) || undefined;
  }
  // (An extension's language id outside the wire's pattern, or a control character in a file's
  // name, would have the snippet refused: the relay takes one-line paths only.)
  const lang = LANGUAGE_ID_PATTERN.test(doc.languageId) ? doc.languageId : 'plaintext';
  if (path) path = oneLinePath(path);
  return { kind: 'snippet', code, lang, ...(path ? { path } : {}), lines, ...(git ? { git } : {}), hash: sha256(code) };
}

/** undefined: no note; null: the user cancelled. */
async function askNote(): Promise<string | undefined | null> {
  const note = await askText({
    title: 'Add a note (optional)',
    prompt: 'Sent with the code; leave it empty to send the code alone.',
    placeHolder: 'e.g. this is where it breaks',
  });
  if (note === undefined) return null;
  return note.trim() || undefined;
}

/**
 * Until the relay acked the file `id` (or refused it): progress from the window's client, through
 * the session (a view never holds a client's listeners itself). A sign-out or another team ends the
 * wait; the file stays in that team's outbox.
 */
function waitForDelivery(session: Session, id: string, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscriptions = [
      session.onClientEvent('upload', (uid, sent) => uid === id && onProgress(sent)),
      session.onClientEvent('outbox', (u) => {
        if (u.id !== id) return;
        if (u.state === 'sent') finish();
        else if (u.state === 'failed') finish(new Error(u.error ?? 'the relay refused the file'));
      }),
      session.onDidChangeClient(() => finish()),
    ];
    const timer = setTimeout(() => finish(), 10 * 60_000);
    // Offline: the file waits in the outbox; don't hold the progress notification open.
    if (session.client?.state !== 'connected') setTimeout(() => finish(), 0);
    function finish(err?: Error): void {
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
      if (err) reject(err);
      else resolve();
    }
  });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.log': 'text/plain',
  '.csv': 'text/csv',
};

export function mimeOf(name: string): string {
  return MIME[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** A path with its control and line-break characters (a tab, DEL, U+0085 in a file's name) shown as U+FFFD. */
function oneLinePath(path: string): string {
  return path.replace(/[\p{Cc}\u2028\u2029]/gu, '\ufffd');
}
