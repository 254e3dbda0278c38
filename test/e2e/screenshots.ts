// Regenerates the README screenshots docs/screenshots/chat-light.png, chat-dark.png and
// thread-dark.png: alice's VS Code with the Parley view in a widened side bar, a short
// conversation with bob in #general, then a thread bob started on it.
// Not part of the test run. Needs test/e2e/install.sh and `npm run package`. Run:
//   npx tsc -p . && node out/test/e2e/screenshots.js [output folder, default docs/screenshots]
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot, startInstance, stopAll } from './harness';
import { eventually, makeScratchDir, pickColorTheme, removeScratchDir, startRelay, Teammate, type RelayProcess } from './parley';

const SIDE_BAR_WIDTH = 660; // the chat view shows list and conversation side by side from 560 px
const THREAD_SIDE_BAR_WIDTH = 1000; // and a thread beside them from 900 px

const conversation: { from: 'alice' | 'bob'; text: string; shows: string }[] = [
  {
    from: 'alice',
    text: 'Morning! The reconnect fix is up for review — **please have a look before standup**.',
    shows: 'please have a look before standup',
  },
  {
    from: 'bob',
    text: 'On it. Two things I noticed:\n- the backoff never resets after a successful `hello`\n- the outbox is resent before `synced` arrives',
    shows: 'the outbox is resent before',
  },
  {
    from: 'alice',
    text: "Good catch. Something like this?\n```ts\nclient.on('synced', () => {\n  backoff.reset();\n  outbox.resendAll();\n});\n```",
    shows: 'outbox.resendAll();',
  },
  { from: 'bob', text: 'Exactly. Ship it once CI is green.', shows: 'Ship it once CI is green.' },
];

const RECONNECT_TS = `type Off = () => void;

interface Client {
  onClose(listener: () => void): Off;
  onSynced(listener: () => void): Off;
  connect(): void;
}

interface Outbox {
  resendAll(): void;
}

/** Reconnects with backoff, resends in sync. */
export function keepConnected(
  client: Client,
  outbox: Outbox,
): Off {
  let delay = 500;
  const offClose = client.onClose(() => {
    setTimeout(() => client.connect(), delay);
    delay = Math.min(delay * 2, 30_000);
  });
  const offSynced = client.onSynced(() => {
    delay = 500;
    outbox.resendAll();
  });
  return () => {
    offClose();
    offSynced();
  };
}
`;

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot(), 'docs', 'screenshots'));
  const vsix = path.join(repoRoot(), 'parley.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
  fs.mkdirSync(outDir, { recursive: true });
  const workspace = makeScratchDir('parley-shots-workspace-');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# parley\n');
  fs.mkdirSync(path.join(workspace, 'src'));
  fs.writeFileSync(path.join(workspace, 'src', 'reconnect.ts'), RECONNECT_TS);
  let relay: RelayProcess | undefined;
  try {
    relay = await startRelay();
    const [aliceInstance, bobInstance] = await Promise.all([
      startInstance({ name: 'shots-alice', vsix, workspace }),
      startInstance({ name: 'shots-bob', vsix, workspace }),
    ]);
    const [alice, bob] = await Promise.all([Teammate.open('alice', aliceInstance, 'light'), Teammate.open('bob', bobInstance, 'dark')]);
    for (const mate of [alice, bob]) {
      await mate.openViewFromActivityBar();
      await mate.join(relay.url);
    }
    await eventually(
      'alice sees bob online',
      () => alice.presenceOf('bob'),
      (p) => p === 'online',
    );

    await widenSideBar(alice.page, SIDE_BAR_WIDTH);
    await alice.view.locator('.layout.wide').waitFor({ state: 'visible', timeout: 10_000 });
    await openFile(alice.page, 'reconnect.ts');
    await bob.openConversation('general');
    await alice.openConversation('general');

    for (const line of conversation) {
      const [from, to] = line.from === 'alice' ? [alice, bob] : [bob, alice];
      const input = from.composer();
      await input.fill(line.text);
      await input.press('Enter');
      for (const mate of [from, to]) {
        await mate.view.locator('.chat-pane .msg:not(.queued) .body', { hasText: line.shows }).waitFor({ state: 'visible', timeout: 15_000 });
      }
    }
    // Reactions: bob likes the code, alice celebrates the go-ahead.
    await bob.react(bob.rowContaining('outbox.resendAll();'), '👍');
    await bob.react(bob.rowContaining('outbox.resendAll();'), '🚀');
    await alice.react(alice.rowContaining('Ship it once CI is green.'), '🎉');
    await alice.rowContaining('outbox.resendAll();').locator('.reaction', { hasText: '🚀' }).waitFor({ state: 'visible', timeout: 15_000 });
    // alice looks at her DM with bob and comes back: #general is read, so it shows no "New"
    // divider (it marks what was unread when the conversation was opened).
    await alice.openDmWith('bob');
    await alice.openConversation('general');
    // An unread direct message, so the list shows a badge.
    await bob.openDmWith('alice');
    await bob.send('lunch at 12?');
    await eventually(
      'alice sees the DM unread',
      () => alice.unreadBadge('bob'),
      (b) => b === '1',
    );
    // "bob is typing…" lasts 5 s after his last keystroke in #general.
    await eventually(
      'no typing line',
      async () => ((await alice.view.locator('.typing-line').textContent()) ?? '').trim(),
      (t) => t === '',
      10_000,
    );

    // Nothing hovered or focused in the chat view.
    await alice.page.locator('.part.editor .view-lines').first().click();
    await alice.page.keyboard.press('Control+Home');
    await alice.page.keyboard.press('ArrowDown'); // the empty line 2: nothing highlighted
    await alice.page.mouse.move(1100, 700);

    await shoot(alice, 'light', path.join(outDir, 'chat-light.png'));
    // instance.updateSettings() is not picked up live by code-server 4.100.3; use the theme picker.
    await pickColorTheme(alice.page, 'Dark Modern');
    await alice.page.mouse.move(1100, 400);
    await shoot(alice, 'dark', path.join(outDir, 'chat-dark.png'));

    // A thread beside the conversation: bob answers alice's code in a thread; with room for
    // three panes it opens next to #general.
    await bob.openConversation('general');
    await bob.openThreadOf(bob.rowContaining('outbox.resendAll();'));
    await bob.reply('Looks right. Add a test that drops the socket between welcome and synced?');
    await bob.reply('And keep the jitter on the backoff.');
    await widenSideBar(alice.page, THREAD_SIDE_BAR_WIDTH);
    await alice.view.locator('.layout.wider').waitFor({ state: 'visible', timeout: 10_000 });
    const root = alice.rowContaining('outbox.resendAll();');
    await eventually(
      'alice sees two replies',
      () => alice.threadSummary(root),
      (t) => t === '2 replies',
    );
    await root.locator('.thread-summary').click();
    await alice.view.locator('.thread-pane .msg .body', { hasText: 'keep the jitter' }).waitFor({ state: 'visible', timeout: 15_000 });
    await alice.page.mouse.move(1270, 400);
    await shoot(alice, 'dark', path.join(outDir, 'thread-dark.png'));
  } finally {
    await stopAll();
    await relay?.stop();
    removeScratchDir(workspace);
  }
}

/** Opens a workspace file with Quick Open (Ctrl+P). */
async function openFile(page: Page, name: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await input.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.locator('.part.editor .view-lines', { hasText: 'resendAll' }).first().waitFor({ state: 'visible', timeout: 10_000 });
}

/** Drags the sash on the side bar's right edge until the side bar is `width` px wide. */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const sideBar = page.locator('.part.sidebar').first();
  const box = await sideBar.boundingBox();
  if (!box) throw new Error('the side bar is not shown');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 10 });
  await page.mouse.up();
  await eventually(
    'the side bar is wider',
    async () => (await sideBar.boundingBox())?.width ?? 0,
    (w) => Math.abs(w - width) <= 4,
    5_000,
  );
}

/** Waits until workbench and chat view show `theme`, then saves the window. */
async function shoot(mate: Teammate, theme: 'light' | 'dark', file: string): Promise<void> {
  const themeClass = theme === 'dark' ? 'vs-dark' : 'vs';
  await eventually(
    `the workbench is ${theme}`,
    async () => ((await mate.page.locator('.monaco-workbench').first().getAttribute('class')) ?? '').split(/\s+/),
    (c) => c.includes(themeClass),
    15_000,
  );
  const bodyClass = theme === 'dark' ? 'vscode-dark' : 'vscode-light';
  await eventually(
    `the chat view is ${theme}`,
    async () => ((await mate.view.locator('body').getAttribute('class')) ?? '').split(/\s+/),
    (c) => c.includes(bodyClass),
    15_000,
  );
  await mate.page.screenshot({ path: file });
  console.log(`wrote ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
