// Sharing code between two real VS Code windows on the same repository: alice right-clicks a
// selection → "Send to…" → bob, and bob's card opens the file at those lines even though his copy
// has lines inserted above; alice sends a file from the explorer and bob saves it.
// Needs test/e2e/install.sh and `npm run package`. Run:
//   npx tsc -p . && npx mocha --no-config out/test/e2e/share.e2e.js --timeout 180000
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot, screenshot, startInstance } from './harness';
import {
  elapsed,
  eventually,
  makeRepo,
  makeScratchDir,
  stopAtFirstFailure,
  selectionStatus,
  startRelay,
  tearDown,
  Teammate,
  type RelayProcess,
} from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

const MATH = [
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export function sub(a: number, b: number): number {',
  '  return a - b;',
  '}',
  '',
].join('\n');

/** A clone of the same repository (same remote) with src/math.ts committed. */
function makeMathRepo(dir: string): void {
  makeRepo(dir, 'git@example.invalid:team/app.git', { 'src/math.ts': MATH });
}

/** The quick input's rows, picked by their label. */
async function pickQuickItem(page: Page, label: string | RegExp): Promise<void> {
  // Only rows of the list on screen (the widget keeps lists of earlier picks hidden).
  const row = page.locator('.quick-input-widget .monaco-list-row >> visible=true').filter({ hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/**
 * Types into the open quick input and presses Enter. With `title`, waits for the input showing
 * that title first (a pick and the input box after it share one widget).
 */
async function answerInput(page: Page, text: string, title?: string): Promise<void> {
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
  await input.press('Enter');
}

describe('Sharing code between two real VS Code windows', function () {
  let relay: RelayProcess | undefined;
  let aliceDir: string;
  let bobDir: string;
  let alice: Teammate;
  let bob: Teammate;

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    aliceDir = makeScratchDir('parley-e2e-alice-repo-');
    bobDir = makeScratchDir('parley-e2e-bob-repo-');
    makeMathRepo(aliceDir);
    makeMathRepo(bobDir);
    // bob has worked on the file since: two lines above the code alice will send (uncommitted).
    fs.writeFileSync(path.join(bobDir, 'src', 'math.ts'), `// bob's notes\n// more notes\n${MATH}`);
    fs.writeFileSync(path.join(aliceDir, 'notes.txt'), 'release checklist\n- tag\n- publish\n');
    relay = await startRelay();
    const [ai, bi] = await Promise.all([
      startInstance({ name: 'alice-share', vsix, workspace: aliceDir }),
      startInstance({ name: 'bob-share', vsix, workspace: bobDir }),
    ]);
    [alice, bob] = await Promise.all([Teammate.open('alice', ai, 'dark'), Teammate.open('bob', bi, 'light')]);
    for (const mate of [bob, alice]) {
      await mate.openViewFromActivityBar();
      await mate.join(relay.url);
    }
    await eventually(
      'alice sees bob',
      () => alice.presenceOf('bob'),
      (p) => p === 'online',
    );
    console.log(`      relay, two repositories, two windows joined in ${elapsed(t)}`);
  });

  stopAtFirstFailure(
    () => [alice, bob],
    () => relay,
  );

  after(async function () {
    this.timeout(60_000);
    await tearDown(relay, [aliceDir, bobDir]);
  });

  it('3. a selection sent with right-click "Send to…" opens at the same code in the other window, after lines were inserted above it', async function () {
    const t = Date.now();
    const page = alice.page;
    // Open src/math.ts and select lines 5-7 (the sub function) with the keyboard.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('math.ts');
    await page
      .locator('.quick-input-widget .monaco-list-row >> visible=true')
      .filter({ hasText: 'math.ts' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').waitFor({ state: 'visible', timeout: 15_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+G');
    await answerInput(page, ':5');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await eventually(
      'lines 5-7 selected',
      () => selectionStatus(page),
      (s) => /Ln 7, Col 2 \(\d+ selected\)/.test(s),
    );

    // Right-click in the selection → "Send to…" → bob → a note.
    const line6 = editor.locator('.view-line').filter({ hasText: 'return a - b;' }).first();
    await line6.click({ button: 'right' });
    const item = page.locator('.context-view .monaco-menu .action-item').filter({ hasText: /^Send to…$/ });
    await item.first().waitFor({ state: 'visible', timeout: 10_000 });
    await item.first().click({ delay: 100 });
    await pickQuickItem(page, 'bob');
    await answerInput(page, 'this is where it goes negative', 'Add a note (optional)');

    // bob: a DM from alice with the snippet card.
    await bob.showList();
    await eventually(
      'bob has a DM from alice',
      () => bob.unreadBadge('alice'),
      (b) => b === '1',
    );
    await bob.openConversation('alice');
    const card = bob.view.locator('.card.snippet').first();
    await card.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(((await card.locator('.card-title .path').textContent()) ?? '').trim(), 'src/math.ts:5–7');
    assert.match((await card.locator('.note').textContent()) ?? '', /this is where it goes negative/);
    assert.match((await card.locator('pre.code').textContent()) ?? '', /return a - b;/);
    await bob.page.mouse.move(900, 600);
    await screenshot(bob.page, 'share-snippet-card-bob-light');

    // Open: bob's copy has two extra lines on top, so the code is at lines 7-9 now.
    await card.getByRole('button', { name: 'Open', exact: true }).click();
    const tab = bob.page.locator('.tabs-container .tab.active');
    await eventually(
      'math.ts is the active editor',
      async () => ((await tab.first().textContent()) ?? '').trim(),
      (s) => s.startsWith('math.ts'),
    );
    await eventually(
      "lines 7-9 are selected in bob's editor",
      () => selectionStatus(bob.page),
      (s) => /^Ln 9, Col 2 \(\d+ selected\)$/.test(s),
    );
    const toast = bob.page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'has moved' });
    await toast.first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await toast.first().textContent()) ?? '', /now at lines 7–9 of src\/math\.ts \(it was at 5–7\)/);
    await screenshot(bob.page, 'share-snippet-opened-bob-light');
    console.log(`      sent, received and opened at the moved lines in ${elapsed(t)}`);
  });

  it("4. the card's Compare opens a diff against the receiver's file, and Insert puts the code at the cursor", async function () {
    const t = Date.now();
    const page = bob.page;
    const card = bob.view.locator('.card.snippet').first();
    await card.waitFor({ state: 'visible', timeout: 15_000 });

    // Compare: a diff editor of alice's version against bob's file.
    await card.getByRole('button', { name: 'Compare', exact: true }).click();
    const active = page.locator('.tabs-container .tab.active');
    await eventually(
      'the diff is the active editor',
      async () => ((await active.first().textContent()) ?? '').trim(),
      (s) => s.includes("math.ts (alice's ↔ yours)"),
    );
    await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'share-4-compare-bob-light');
    await page.keyboard.press('Control+W');

    // Insert: at the end of bob's math.ts, where his cursor is.
    await eventually(
      'math.ts is active again',
      async () => ((await active.first().textContent()) ?? '').trim(),
      (s) => s.startsWith('math.ts') && !s.includes('↔'),
    );
    const editor = page.locator('.editor-instance .monaco-editor').first();
    const subLines = () => editor.locator('.view-line').filter({ hasText: 'return a - b;' }).count();
    assert.equal(await subLines(), 1);
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await card.getByRole('button', { name: 'Insert', exact: true }).click();
    await eventually('the snippet is inserted at the cursor', subLines, (n) => n === 2);
    // At the cursor: the inserted copy comes after everything that was in the file.
    const lines = (await editor.locator('.view-line').allTextContents()).map((l) => l.replace(/\u00a0/g, ' ')); // Monaco renders spaces as no-break spaces
    const firstSub = lines.findIndex((l) => l.includes('return a - b;'));
    const secondSub = lines.findIndex((l, i) => i > firstSub && l.includes('return a - b;'));
    assert.ok(
      secondSub > firstSub && lines.slice(firstSub + 1, secondSub).some((l) => l.trim() === '}'),
      `inserted below the original: ${JSON.stringify(lines)}`,
    );
    await screenshot(page, 'share-4-inserted-bob-light');
    // Leave bob's checkout as it was for the scenarios after this one. The click on Insert left
    // the focus in the chat view at times: give it back to the editor first, as a user would.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+Z');
    await eventually('undone', subLines, (n) => n === 1);
    await page.keyboard.press('Control+Z'); // the new line typed before
    console.log(`      compared and inserted in ${elapsed(t)}`);
  });

  it('5. a file sent from the explorer is saved by the receiver, with its hash checked', async function () {
    const t = Date.now();
    const page = alice.page;
    await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').first().click();
    const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'notes.txt' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.context-view .monaco-menu .action-item').filter({ hasText: /^Send File to…$/ });
    await item.first().waitFor({ state: 'visible', timeout: 10_000 });
    await item.first().click({ delay: 100 });
    await pickQuickItem(page, 'bob');
    await answerInput(page, '', 'Add a note (optional)');

    await bob.openConversation('alice');
    const card = bob.view.locator('.card.file').filter({ hasText: 'notes.txt' }).first();
    await card.waitFor({ state: 'visible', timeout: 15_000 });
    await card.getByRole('button', { name: 'Save as…' }).click();
    // code-server's save dialog is VS Code's own (a quick input holding the path). It fills in the
    // suggested path asynchronously once it has listed the folder: wait for that before typing
    // ours, or the two get merged.
    const target = path.join(bobDir, 'from-alice-notes.txt');
    const input = bob.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await eventually(
      'the save dialog suggests notes.txt',
      () => input.inputValue(),
      (v) => v.endsWith('/notes.txt'),
    );
    await eventually(
      'the save dialog holds our path',
      async () => {
        if ((await input.inputValue()) !== target) await input.fill(target);
        await new Promise((r) => setTimeout(r, 300));
        return input.inputValue();
      },
      (v) => v === target,
    );
    await input.press('Enter');
    const saved = bob.page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'sha256 checked' });
    await saved.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(fs.readFileSync(target, 'utf8'), fs.readFileSync(path.join(aliceDir, 'notes.txt'), 'utf8'));
    // The toast names the file as it was saved, not as it was sent.
    assert.match((await saved.first().textContent()) ?? '', /Saved notes\.txt as from-alice-notes\.txt/);
    await screenshot(bob.page, 'share-file-saved-bob-light');
    // A text file also opens in a read-only editor, without being saved anywhere.
    await card.getByRole('button', { name: 'Open', exact: true }).click();
    const tab = bob.page.locator('.tabs-container .tab.active');
    await eventually(
      'notes.txt opened in an editor',
      async () => ((await tab.first().textContent()) ?? '').trim(),
      (s) => s.startsWith('notes.txt'),
    );
    await bob.page.locator('.editor-instance .view-line', { hasText: 'release checklist' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`      file sent from the explorer and saved in ${elapsed(t)}`);
  });
});
