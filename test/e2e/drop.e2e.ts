// Files dragged from VS Code itself into the chat (issue 19): in a real VS Code (code-server) with
// the packaged .vsix and a standalone relay, ada drags a file from the Explorer's Folders view
// (moved to the panel, so it is on screen beside the chat) onto the composer of #general, holding
// Shift as VS Code asks for a drop into a view; bob (a Parley client in this process) gets the
// same bytes. An editor tab dragged into a thread's composer is sent as a reply there. A folder
// dragged in is refused with a notice that names it, and nothing is sent.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import type { FileBody } from '../../src/protocol/wire';
import { waitFor } from '../helpers';
import { repoRoot, runCommand, screenshot, startInstance } from './harness';
import { signInMember, type Member } from './member';
import { answerPick, elapsed, eventually, makeScratchDir, stopAtFirstFailure, startRelay, tearDown, Teammate, type RelayProcess } from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

describe('Files dragged from the Explorer and editor tabs into the chat', function () {
  let relay: RelayProcess | undefined;
  let workspace: string | undefined;
  let ada: Teammate;
  let bob: Member | undefined;

  /** Drags `from` (in the workbench) onto `to` (in the chat view) with the mouse, Shift held over the view. */
  async function drag(from: Locator, to: Locator): Promise<void> {
    const page = ada.page;
    const a = await from.boundingBox();
    const b = await to.boundingBox();
    if (!a || !b) throw new Error('what to drag, or where to, is not on screen');
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(a.x + a.width / 2 + 6, a.y + a.height / 2 + 6);
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 10 });
    // VS Code lets a drop into a view through only while Shift is held (else it is the workbench's).
    await page.keyboard.down('Shift');
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
  }

  /** bob's file messages in #general (replies included), by name. */
  const bobsFiles = (): FileBody[] =>
    bob!.client
      .messages(bob!.general(), { scope: 'any' })
      .map((m) => m.body)
      .filter((x): x is FileBody => x.kind === 'file');

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-drop-');
    fs.writeFileSync(path.join(workspace, 'notes.md'), '# release notes\n\n- retry with backoff\n- smaller webview bundle\n');
    fs.mkdirSync(path.join(workspace, 'src'));
    fs.writeFileSync(path.join(workspace, 'src', 'retry.ts'), 'export const attempts = 3;\n');
    relay = await startRelay();
    ada = await Teammate.open('ada', await startInstance({ name: 'ada', vsix, workspace }), 'light');
    await ada.openViewFromActivityBar();
    await ada.join(relay.url);
    bob = await signInMember(relay.url, 'bob');
    await ada.openConversation('general');
    // The Explorer's Folders view goes to the panel, so that it and the chat are on screen together.
    await runCommand(ada.page, 'View: Move View', { answersWithPick: true });
    const input = ada.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('Folders');
    await ada.page
      .locator('.quick-input-widget .monaco-list-row .label-name', { hasText: /^Folders$/ })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await ada.page.keyboard.press('Enter');
    await answerPick(ada.page, 'New Panel Entry');
    await ada.page.locator('.part.panel .monaco-list-row', { hasText: 'notes.md' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    console.log(`      relay, ada's window with the Folders view in the panel, and bob's client in ${elapsed(t)}`);
  });

  stopAtFirstFailure(
    () => [ada],
    () => relay,
  );

  after(async function () {
    this.timeout(60_000);
    bob?.close();
    await tearDown(relay, [workspace]);
  });

  it('1. a file dragged from the Explorer onto the composer is sent to the conversation, byte for byte', async function () {
    const t = Date.now();
    await drag(ada.page.locator('.part.panel .monaco-list-row', { hasText: 'notes.md' }).first(), ada.composer());
    await ada.view.locator('.chat-pane .msg', { hasText: 'notes.md' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    const body = await waitFor(() => bobsFiles().find((f) => f.name === 'notes.md'), 'bob gets notes.md', 20_000);
    const bytes = await bob!.client.fetchFile(body);
    assert.deepEqual(bytes, fs.readFileSync(path.join(workspace!, 'notes.md')));
    assert.equal(body.mime, 'text/markdown');
    await screenshot(ada.page, 'drop-1-explorer-file-light');
    console.log(`      dragged, sent and received with the same ${bytes.length} bytes in ${elapsed(t)}`);
  });

  it("2. an editor tab dragged into a thread's composer is sent as a reply in that thread", async function () {
    const t = Date.now();
    const root = await bob!.send(bob!.general(), 'drop: where is the retry count?');
    await ada.openThreadOf(ada.receivedRow('drop: where is the retry count?'));
    await ada.page.locator('.part.panel .monaco-list-row', { hasText: 'src' }).first().click();
    await ada.page.locator('.part.panel .monaco-list-row', { hasText: 'retry.ts' }).first().dblclick();
    const tab = ada.page.locator('.tabs-container .tab', { hasText: 'retry.ts' }).first();
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    await drag(tab, ada.view.locator('.thread-pane textarea.input'));
    const body = await waitFor(() => bobsFiles().find((f) => f.name === 'retry.ts'), 'bob gets retry.ts', 20_000);
    assert.equal(body.thread, root, 'a reply in the thread');
    await eventually(
      'the thread shows the file',
      () => ada.threadShown(),
      (rows) => rows.some((r) => r.includes('retry.ts')),
    );
    console.log(`      tab dragged into the thread and received as its reply in ${elapsed(t)}`);
  });

  it('3. a folder dragged in is refused with a notice naming it, and nothing is sent', async function () {
    const t = Date.now();
    await ada.view.locator('.thread-pane .thread-back').click();
    await ada.waitForConversation('general');
    const before = bobsFiles().length;
    await drag(ada.page.locator('.part.panel .monaco-list-row', { hasText: /^\s*src\s*$/ }).first(), ada.composer());
    const notice = ada.view.locator('.notice.error', { hasText: 'src is a folder: Parley sends files, not folders' });
    await notice.first().waitFor({ state: 'visible', timeout: 15_000 });
    await ada.page.waitForTimeout(2000);
    assert.equal(bobsFiles().length, before, 'no file was sent');
    await screenshot(ada.page, 'drop-3-folder-refused-light');
    console.log(`      refused with a notice in ${elapsed(t)}`);
  });
});
