// An automated accessibility check of the real chat view (issue 19): axe-core runs inside the
// webview of a real VS Code (code-server) with the packaged .vsix and a standalone relay, on the
// join screen, the conversation list, a conversation, a thread and search results, in a dark, a
// light and a high-contrast theme. No serious or critical violation is allowed; the others are
// printed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PALETTE } from '../../src/webview/logic/authorColor';
import { axeViolations, describeViolations } from './axe';
import { repoRoot, runCommand, screenshot, startInstance } from './harness';
import { elapsed, eventually, makeScratchDir, stopAtFirstFailure, startRelay, tearDown, Teammate, type RelayProcess } from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

describe('Accessibility of the chat view (axe-core in a real VS Code)', function () {
  let relay: RelayProcess | undefined;
  let workspace: string | undefined;
  let ada: Teammate;

  /** Serious and critical violations found so far, by screen (all screens are checked, then judged). */
  const found: string[] = [];

  /** Runs axe on the view as it is: keeps its serious or critical violations, prints the rest. */
  async function check(screen: string, opts: { everyAuthorColour?: boolean } = {}): Promise<void> {
    const t = Date.now();
    // Only ada writes here, and her colour follows her (random) id: so that every author colour
    // is checked in every theme, her first row is drawn again once in each.
    if (opts.everyAuthorColour) await authorColourRows();
    const serious = await axeViolations(ada.view);
    const minor = await axeViolations(ada.view, ['moderate', 'minor']);
    await ada.view.locator('.a11y-colour-probe').evaluateAll((els) => els.forEach((el) => el.remove()));
    const note = minor.length ? `; moderate/minor: ${minor.map((v) => v.id).join(', ')}` : '';
    console.log(`      ${screen}: ${serious.length} serious or critical${note} (${elapsed(t)})`);
    if (serious.length === 0) return;
    await screenshot(ada.page, `a11y-${screen.replace(/\W+/g, '-')}`);
    found.push(`${screen}:\n${describeViolations(serious)}`);
    console.log(`        ${found[found.length - 1].replace(/\n/g, '\n        ')}`);
  }

  /**
   * Copies of the first message row of the chat, each in one colour of the author palette, in a
   * box after the message list (inside it, the windowed list would take them out when it redraws).
   */
  async function authorColourRows(): Promise<void> {
    const row = ada.view.locator('.chat-pane .msg.first').first();
    const made = await row.evaluate((el: HTMLElement, palette: string[]) => {
      const box = document.createElement('div');
      box.className = 'a11y-colour-probe';
      for (const colour of palette) {
        const copy = el.cloneNode(true) as HTMLElement;
        copy.removeAttribute('data-row-key');
        copy.removeAttribute('tabindex');
        copy.querySelectorAll<HTMLElement>('.tinted').forEach((t) => t.style.setProperty('--author', `var(${colour})`));
        box.append(copy);
      }
      el.closest('.list')?.after(box);
      return box.isConnected ? box.children.length : 0;
    }, PALETTE);
    assert.equal(made, PALETTE.length, 'a row in each author colour');
  }

  /** Back from the thread to its conversation (a thread left open comes back with it). */
  async function closeThread(): Promise<void> {
    await ada.view.locator('.thread-pane .thread-back').click();
    await ada.view.locator('.thread-pane').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-a11y-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# a11y\n');
    relay = await startRelay();
    ada = await Teammate.open('ada', await startInstance({ name: 'ada', vsix, workspace }), 'dark');
    await ada.openViewFromActivityBar();
    console.log(`      relay and a window in ${elapsed(t)}`);
  });

  stopAtFirstFailure(
    () => [ada],
    () => relay,
  );

  after(async function () {
    this.timeout(60_000);
    await tearDown(relay, [workspace]);
  });

  it('1. the join screen', async function () {
    await ada.view.locator('#relay-url').waitFor({ state: 'visible', timeout: 15_000 });
    await check('join screen (dark)');
  });

  it('2. the conversation list, a conversation with markdown, code, a reaction and a thread', async function () {
    await ada.join(relay!.url);
    await check('conversation list (dark)');
    await ada.openConversation('general');
    // Markdown is shown rendered, so these are found by what they show.
    for (const [text, shown] of [
      ['Hello **team**, see [the docs](http://127.0.0.1:9/docs) and `npm test`', 'Hello team, see the docs and npm test'],
      // Every kind of token the highlighter colours: keyword, type, function, string, number, comment.
      ["```ts\n// the answer, as a function\nexport function answer(name: string): number {\n  return 'x'.length + 42;\n}\n```", 'export function answer'],
    ]) {
      await ada.composer().fill(text);
      await ada.composer().press('Enter');
      await ada.rowContaining(shown).waitFor({ state: 'visible', timeout: 15_000 });
    }
    await ada.send('a question for the thread');
    await ada.react(ada.sentRow('a question for the thread'), '👍');
    await check('conversation (dark)', { everyAuthorColour: true });
    await ada.openThreadOf(ada.sentRow('a question for the thread'));
    await ada.reply('an answer in the thread');
    await check('thread (dark)');
    await closeThread();
  });

  it('3. search results', async function () {
    await runCommand(ada.page, 'Parley: Search Messages…');
    const box = ada.view.locator('.search-panel .search-input');
    await box.waitFor({ state: 'visible', timeout: 15_000 });
    await box.fill('thread');
    await eventually(
      'search finds the messages',
      () => ada.view.locator('.search-results .search-hit').count(),
      (n) => n >= 2,
    );
    await check('search results (dark)');
    await ada.view.locator('.search-panel button[aria-label="Clear the search"]').click();
  });

  it('4. a conversation and its thread in a light and in both high-contrast themes', async function () {
    for (const theme of ['Light Modern', 'Dark High Contrast', 'Light High Contrast'] as const) {
      await ada.useTheme(theme);
      await ada.openConversation('general');
      await check(`conversation (${theme})`, { everyAuthorColour: true });
      await openHelp(theme);
      await ada.openThreadOf(ada.sentRow('a question for the thread'));
      await check(`thread (${theme})`);
      await closeThread();
    }
  });

  /** The composer's formatting and keys help, opened and closed with the keyboard. */
  async function openHelp(theme: string): Promise<void> {
    const button = ada.view.locator('.chat-pane .help-button');
    await button.focus();
    await ada.page.keyboard.press('Enter');
    const dialog = ada.view.locator('.format-help[role="dialog"]');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await dialog.evaluate((d) => d === document.activeElement), true, 'the help has the focus');
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    await check(`formatting help (${theme})`);
    await screenshot(ada.page, `a11y-help-${theme.toLowerCase().replace(/\W+/g, '-')}`);
    await ada.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'Escape gives the focus back to the button');
    await eventually(
      'the button says the help is closed',
      () => button.getAttribute('aria-expanded'),
      (v) => v === 'false',
    );
  }

  it('5. no screen has a serious or critical violation', function () {
    assert.equal(found.length, 0, `axe found:\n${found.join('\n')}`);
  });
});
