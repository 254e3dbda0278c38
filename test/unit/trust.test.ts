import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, waitFor } from '../helpers';
import { loadWith, vscodeStub } from './stubVscode';

// Restricted Mode against real git and real files, with a stand-in for `vscode` whose
// workspace.isTrusted the test flips and whose onDidGrantWorkspaceTrust it fires. The repository
// has a core.fsmonitor hook that leaves a mark when git runs it: what an untrusted workspace's
// own .git/config can make any git command in it run.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for any VS Code function
type Fn = (...args: any[]) => any;

function emitter() {
  let listeners: Fn[] = [];
  return {
    event: (l: Fn) => {
      listeners.push(l);
      return { dispose: () => (listeners = listeners.filter((x) => x !== l)) };
    },
    fire: () => [...listeners].forEach((l) => l()),
    count: () => listeners.length,
  };
}

function repoWithHook(): { root: string; mark: string } {
  const root = tempDir('parley-trust-');
  const mark = join(root, 'HOOK-RAN');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(root, 'app.ts'), 'export const a = 1;\nexport const b = 2;\n');
  git('add', 'app.ts');
  git('-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'first');
  const hook = join(root, 'hook.sh');
  writeFileSync(hook, `#!/bin/sh\ntouch '${mark}'\n`);
  chmodSync(hook, 0o755);
  git('config', 'core.fsmonitor', hook);
  writeFileSync(join(root, 'app.ts'), 'export const a = 1;\nexport const b = 3;\n');
  return { root, mark };
}

function trustStub() {
  const vscode = vscodeStub();
  const granted = emitter();
  const shown: { text: string; items: string[] }[] = [];
  const ran: string[] = [];
  const ws = vscode.workspace as Record<string, unknown>;
  ws.isTrusted = false;
  ws.onDidGrantWorkspaceTrust = granted.event;
  vscode.window.showWarningMessage = async (text: string, ...items: string[]) => {
    shown.push({ text, items });
    return new Promise(() => undefined); // a toast nobody clicks
  };
  vscode.commands.executeCommand = async (id: string) => void ran.push(id);
  const grant = () => {
    ws.isTrusted = true;
    granted.fire();
  };
  return { vscode, granted, shown, ran, grant, ws };
}

describe('Restricted Mode (untrusted workspace)', () => {
  it('runs no git in an untrusted workspace (its fsmonitor hook never runs), and git works once trusted', async () => {
    const { root, mark } = repoWithHook();
    const t = trustStub();
    const git = loadWith<typeof import('../../src/host/git')>('../../src/host/git', t.vscode);
    assert.equal(await git.repoFor(root), undefined);
    assert.equal(await git.fileInRepo(join(root, 'app.ts')), undefined);
    assert.equal(await git.diffHead(root, 'app.ts'), undefined);
    assert.equal(await git.showHead(root, 'app.ts'), undefined);
    assert.equal(existsSync(mark), false, 'the repository hook ran in Restricted Mode');
    t.ws.isTrusted = true;
    // Nothing was cached while untrusted: the repository is found at once.
    assert.equal((await git.repoFor(root))?.root, execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root }).toString().trim());
    assert.match((await git.diffHead(root, 'app.ts')) ?? '', /^\+export const b = 3;$/m);
    // The hazard is real: once trusted, git runs the repository's hook (what Restricted Mode kept from running).
    assert.equal(existsSync(mark), true);
  });

  it('whenTrusted says what waits, offers Workspace Trust, and goes ahead as soon as trust is granted', async () => {
    const t = trustStub();
    const trust = loadWith<typeof import('../../src/host/trust')>('../../src/host/trust', t.vscode);
    const waiting = trust.whenTrusted('look for app.ts in your workspace');
    assert.equal(t.shown.length, 1);
    assert.match(
      t.shown[0]!.text,
      /^Parley did not look for app\.ts in your workspace: this workspace is in Restricted Mode\. It will as soon as you trust the workspace\.$/,
    );
    assert.deepEqual(t.shown[0]!.items, ['Manage Workspace Trust']);
    assert.equal(t.granted.count(), 1);
    t.grant();
    assert.equal(await waiting, true);
    assert.equal(t.granted.count(), 0, 'the trust listener is disposed');
    // Trusted now: no question.
    assert.equal(await trust.whenTrusted('open app.ts'), true);
    assert.equal(t.shown.length, 1);
  });

  it('whenTrusted gives up when its warning is closed or the wait runs out; the trust button opens Workspace Trust', async () => {
    const t = trustStub();
    let answer: (v: string | undefined) => void = () => undefined;
    t.vscode.window.showWarningMessage = (text: string, ...items: string[]) => {
      t.shown.push({ text, items });
      return new Promise((r) => (answer = r));
    };
    const trust = loadWith<typeof import('../../src/host/trust')>('../../src/host/trust', t.vscode);
    const closed = trust.whenTrusted('open app.ts');
    answer(undefined);
    assert.equal(await closed, false);
    const timedOut = trust.whenTrusted('open app.ts', 20);
    answer('Manage Workspace Trust');
    assert.equal(await timedOut, false);
    assert.deepEqual(t.ran, ['workbench.trust.manage']);
    assert.equal(t.granted.count(), 0);
  });

  it('refuses writes until trusted, saying so', async () => {
    const t = trustStub();
    const trust = loadWith<typeof import('../../src/host/trust')>('../../src/host/trust', t.vscode);
    assert.equal(trust.trustedForWrite('apply the changes to app.ts'), false);
    assert.match(
      t.shown[0]!.text,
      /^Parley did not apply the changes to app\.ts: this workspace is in Restricted Mode, and Parley writes into it only once you trust it\./,
    );
    t.ws.isTrusted = true;
    assert.equal(trust.trustedForWrite('apply the changes to app.ts'), true);
    assert.equal(t.shown.length, 1);
  });
});

describe('Restricted Mode: received code', () => {
  it("opens as the sender's read-only copy without reading the workspace, then where it lives once trust is granted", async () => {
    const { root, mark } = repoWithHook();
    const t = trustStub();
    const shownDocs: string[] = [];
    class Range {
      constructor(...args: unknown[]) {
        void args;
      }
    }
    const fileUri = (p: string) => ({ scheme: 'file', fsPath: p, path: p, toString: () => `file://${p}` });
    Object.assign(t.vscode, {
      Range,
      Position: Range,
      TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
      Uri: { file: fileUri, joinPath: () => undefined },
    });
    Object.assign(t.ws, {
      workspaceFolders: [{ uri: fileUri(root) }],
      openTextDocument: async (uri: { toString(): string }) => ({ uri, lineCount: 2, lineAt: () => ({ text: 'x' }) }),
      findFiles: async () => {
        throw new Error('findFiles in Restricted Mode');
      },
    });
    t.vscode.window.showTextDocument = async (doc: { uri: { toString(): string } }) => {
      shownDocs.push(doc.uri.toString());
      return { revealRange: () => undefined };
    };
    const put: string[] = [];
    const docs = {
      put: (name: string) => (put.push(name), { scheme: 'parley-received', path: name, toString: () => `parley-received:${name}` }),
      open: async () => undefined,
    };
    const { CodeLinks } = loadWith<typeof import('../../src/host/codeLinks')>('../../src/host/codeLinks', t.vscode);
    const links = new CodeLinks(docs as never);
    const body = { kind: 'snippet' as const, code: 'export const a = 1;', lang: 'typescript', path: 'app.ts', lines: { start: 1, end: 1 }, hash: 'x' };
    await links.run('open', body, 'alice');
    assert.deepEqual(put, ['alice/app.ts']);
    assert.deepEqual(shownDocs, ['parley-received:alice/app.ts']);
    assert.match(
      t.shown[0]!.text,
      /^Parley did not look for app\.ts in your workspace \(this is alice's read-only copy\): this workspace is in Restricted Mode/,
    );
    assert.equal(existsSync(mark), false);
    // Writes are refused outright.
    await links.run('apply', { ...body, code: '--- a/app.ts\n+++ b/app.ts\n' }, 'alice');
    assert.match(t.shown[1]!.text, /^Parley did not apply the changes to app\.ts: this workspace is in Restricted Mode/);
    t.grant();
    await waitFor(() => shownDocs.length > 1, 'the lookup after trust was granted');
    assert.deepEqual(shownDocs, ['parley-received:alice/app.ts', `file://${join(root, 'app.ts')}`]);
  });
});

describe('the git Parley runs', () => {
  it("is the user's own git.path (first of a list), never one a workspace's settings name, else git", () => {
    const vscode = vscodeStub();
    let inspected: Record<string, unknown> | undefined;
    vscode.workspace.getConfiguration = (section: string) => ({ inspect: (key: string) => (section === 'git' && key === 'path' ? inspected : undefined) });
    const git = loadWith<typeof import('../../src/host/git')>('../../src/host/git', vscode);
    assert.equal(git.gitBinary(), 'git');
    inspected = { globalValue: '/opt/git/bin/git' };
    assert.equal(git.gitBinary(), '/opt/git/bin/git');
    inspected = { globalValue: ['/usr/local/bin/git', '/usr/bin/git'] };
    assert.equal(git.gitBinary(), '/usr/local/bin/git');
    inspected = { workspaceValue: './evil.sh', workspaceFolderValue: './evil.sh' };
    assert.equal(git.gitBinary(), 'git', "a workspace's git.path is not run");
    inspected = { globalValue: null };
    assert.equal(git.gitBinary(), 'git');
  });
});
