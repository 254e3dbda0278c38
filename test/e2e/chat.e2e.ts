// Two teammates, "alice" and "bob", each in their own real VS Code (code-server + Chromium), chat
// through a standalone relay (dist/relay.js) with the installed parley.vsix.
// Needs test/e2e/install.sh and `npm run package`. Run:
//   npx tsc -p . && npx mocha --no-config out/test/e2e/chat.e2e.js --timeout 180000
// The scenarios build on each other (same relay, same windows) and run in order; after a failure
// the remaining ones are skipped instead of timing out one by one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, screenshot, startInstance, stopAll } from './harness';
import {
  elapsed,
  eventually,
  liveExtensionHosts,
  makeScratchDir,
  removeScratchDir,
  startRelay,
  Teammate,
  type MessageRow,
  type RelayProcess,
} from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

describe('Parley chat between two real VS Code windows', function () {
  let workspace: string | undefined;
  let relay: RelayProcess | undefined;
  let alice: Teammate;
  let bob: Teammate;
  let broken: string | undefined;

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-workspace-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# e2e workspace\n');
    const ws = workspace;
    relay = await startRelay();
    const [aliceInstance, bobInstance] = await Promise.all([
      startInstance({ name: 'alice', vsix, workspace: ws }),
      startInstance({ name: 'bob', vsix, workspace: ws }),
    ]);
    // Themes are per instance (a user setting): alice dark, bob light.
    [alice, bob] = await Promise.all([Teammate.open('alice', aliceInstance, 'dark'), Teammate.open('bob', bobInstance, 'light')]);
    console.log(`      relay ${relay.url}; two instances and workbenches ready in ${elapsed(t)}`);
  });

  beforeEach(function () {
    if (broken !== undefined) this.skip();
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    // A failed check that leaves the shared state usable does not skip the scenarios after it.
    if (!test.title.startsWith('2b.')) broken = test.title;
    const slug = test.title.replace(/\W+/g, '-').slice(0, 60);
    for (const mate of [alice, bob]) {
      if (!mate) continue;
      await screenshot(mate.page, `failure-${slug}-${mate.name}`).catch(() => undefined);
      console.log(`--- ${mate.name}: browser console (last 40 lines) ---\n${mate.workbench.console().split('\n').slice(-40).join('\n')}`);
    }
    if (relay) console.log(`--- relay ---\n${relay.logs()}`);
    console.log('(code-server and VS Code logs of each instance: test-results/e2e/logs/<name>/)');
  });

  after(async function () {
    this.timeout(60_000);
    try {
      await stopAll();
    } finally {
      await relay?.stop();
      if (workspace) removeScratchDir(workspace);
    }
  });

  it('1. alice and bob join the team through the welcome form', async function () {
    const t = Date.now();
    for (const mate of [alice, bob]) {
      await mate.openViewFromActivityBar();
      await mate.join(relay?.url ?? '');
      const titles = await mate.conversationTitles();
      assert.ok(titles.includes('general'), `${mate.name} should list general, lists ${JSON.stringify(titles)}`);
      // Nothing unread yet, and the welcome form is gone.
      assert.equal(await mate.unreadBadge('general'), '');
      assert.equal(await mate.view.locator('#relay-url').count(), 0, `${mate.name} still shows the welcome form`);
    }
    // Each sees the other under "People", online.
    await eventually('alice sees bob online', () => alice.presenceOf('bob'), (p) => p === 'online');
    await eventually('bob sees alice online', () => bob.presenceOf('alice'), (p) => p === 'online');
    console.log(`      both joined in ${elapsed(t)}`);
  });

  it('2. a direct message arrives unread, is read and answered', async function () {
    const t = Date.now();
    const hello = 'hi bob, got a minute for the release notes?';
    const reply = 'sure, send them over';

    await alice.openDmWith('bob');
    await alice.send(hello);

    // bob's list gets the DM with an unread badge; he is still looking at #general.
    await bob.showList();
    await eventually('bob sees the DM from alice with an unread badge of 1', () => bob.unreadBadge('alice'), (b) => b === '1');
    assert.equal(await bob.conversationItem('alice').getAttribute('aria-selected'), 'false');
    // VS Code shows the view's badge on the activity bar entry.
    const activity = await eventually('bob\'s activity bar shows 1 unread', () => bob.activityBadge(), (b) => b.shown && b.text === '1');
    assert.match(activity.label, /^Parley\b.*\b1 unread message\b/, `activity bar label: ${activity.label}`);

    await bob.openConversation('alice');
    await bob.receivedRow(hello).waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(await bob.authors(), ['alice']);

    await bob.send(reply);
    await alice.receivedRow(reply).waitFor({ state: 'visible', timeout: 15_000 });
    assert.deepEqual(
      (await alice.messageRows()).map((r) => [r.text, r.own]),
      [
        [hello, true],
        [reply, false],
      ],
    );
    assert.deepEqual(await alice.authors(), ['alice', 'bob']);

    // Read: back in bob's list the DM has no unread badge any more.
    await bob.showList();
    await eventually('bob\'s DM with alice has no unread badge after reading', () => bob.unreadBadge('alice'), (b) => b === '');
    await bob.openConversation('alice');

    for (const mate of [alice, bob]) await mate.page.mouse.move(900, 600); // no hover toolbar in the shots
    await screenshot(alice.page, 'chat-dm-alice-dark');
    await screenshot(bob.page, 'chat-dm-bob-light');
    console.log(`      DM round trip in ${elapsed(t)}`);
  });

  it('2b. reading the DM clears the activity bar badge', async function () {
    // VS Code 1.100's WebviewViewPane ignores `webviewView.badge = undefined` (it never disposes
    // the activity it showed), so the count would stay; Parley sets a badge of 0, which the
    // activity bar hides. A failure here leaves the shared state usable: later scenarios still run.
    await eventually('bob\'s activity bar badge is gone after reading', () => bob.activityBadge(), (b) => !b.shown, 10_000);
  });

  it('3. messages sent while bob\'s window is closed arrive once, in order, when he comes back', async function () {
    const t = Date.now();
    const texts = ['offline 1: build is green again', 'offline 2: I merged the outbox fix', 'offline 3: retro moved to 3 pm'];

    await alice.showList();
    await eventually('alice sees bob online', () => alice.presenceOf('bob'), (p) => p === 'online');
    await bob.closeWindow();
    // Closing the window ends bob's extension host (and with it his connection): alice sees him
    // offline, and no extension host of bob's code-server is left running.
    await eventually('alice sees bob offline', () => alice.presenceOf('bob'), (p) => p === 'offline', 30_000);
    await eventually('bob\'s extension host has exited', async () => liveExtensionHosts(bob.instance.pid), (pids) => pids.length === 0, 15_000);
    const offlineAfter = elapsed(t);

    let t1 = Date.now();
    await alice.openConversation('general');
    for (const text of texts) await alice.send(text);
    const sentIn = elapsed(t1);

    t1 = Date.now();
    await bob.reopenWindow();
    const workbenchIn = elapsed(t1);
    await bob.openViewByCommand();
    const viewIn = elapsed(t1);
    const restored = await bob.restoredScreen();
    await bob.showList();
    // The relay replays what he missed: exactly three unread in #general. (Unless the window came
    // back showing #general itself: then they are read as they arrive. Not seen so far: a closed
    // window comes back showing the list.)
    if (restored !== 'general') {
      await eventually('bob sees 3 unread in #general', () => bob.unreadBadge('general'), (b) => b === '3', 30_000);
    }
    const caughtUpIn = elapsed(t1);
    await bob.openConversation('general');
    await bob.receivedRow(texts[2]).waitFor({ state: 'visible', timeout: 15_000 });
    const rows = await bob.messageRows();
    assert.deepEqual(
      rows.filter((r) => texts.includes(r.text)).map((r) => r.text),
      texts,
      `bob's #general: ${JSON.stringify(rows)}`,
    );
    assert.deepEqual(rows.map((r) => r.text), texts, 'bob\'s #general holds exactly the three messages');
    assert.ok(rows.every((r) => !r.own));
    await eventually('alice sees bob online again', async () => {
      await alice.showList();
      return alice.presenceOf('bob');
    }, (p) => p === 'online');
    await alice.openConversation('general');
    console.log(
      `      bob offline ${offlineAfter} after closing; alice sent 3 in ${sentIn}; after reopening: workbench ${workbenchIn}, ` +
        `chat view ${viewIn} (showing ${restored}), 3 unread shown ${caughtUpIn}; scenario ${elapsed(t)}`,
    );
  });

  it('4. #general history survives a window reload, in order', async function () {
    const t = Date.now();
    const a1 = 'history: notes are in the wiki';
    const b1 = 'history: thanks, reading now';
    const a2 = 'history: ping me with questions';

    await alice.send(a1);
    await bob.receivedRow(a1).waitFor({ state: 'visible', timeout: 15_000 });
    await bob.send(b1);
    await alice.receivedRow(b1).waitFor({ state: 'visible', timeout: 15_000 });
    await alice.send(a2);
    await bob.receivedRow(a2).waitFor({ state: 'visible', timeout: 15_000 });

    const expected: [string, boolean][] = [
      ['offline 1: build is green again', true],
      ['offline 2: I merged the outbox fix', true],
      ['offline 3: retro moved to 3 pm', true],
      [a1, true],
      [b1, false],
      [a2, true],
    ];
    const shape = (rows: MessageRow[]): [string, boolean][] => rows.map((r) => [r.text, r.own]);
    assert.deepEqual(shape(await alice.messageRows()), expected, 'alice before the reload');

    const exchangedIn = elapsed(t);
    const tReload = Date.now();
    await alice.reload();
    const workbenchIn = elapsed(tReload);
    await alice.openViewByCommand();
    const viewIn = elapsed(tReload);
    await alice.openConversation('general');
    const rows = await eventually('alice\'s #general after the reload shows the last message', () => alice.messageRows(), (r) => r.some((m) => m.text === a2));
    assert.deepEqual(shape(rows), expected, 'alice after the reload');
    assert.ok(rows.every((r) => !r.queued && !r.failed), `no row should be queued or failed: ${JSON.stringify(rows)}`);
    assert.deepEqual(await alice.authors(), ['alice', 'bob', 'alice']);
    console.log(
      `      3 messages exchanged in ${exchangedIn}; after the reload: workbench ${workbenchIn}, chat view ${viewIn}, ` +
        `history shown ${elapsed(tReload)}; scenario ${elapsed(t)}`,
    );
  });

  it('5. markdown renders safely: raw HTML shows as text, script URLs stay text, code references are links', async function () {
    const t = Date.now();
    const hostile = [
      '<img src=x onerror="document.title=1"> <script>document.title=2</script>',
      '[click me](javascript:alert(1)) and **bold** and see src/app.ts:12',
    ].join('\n');
    const input = alice.composer();
    await input.fill(hostile);
    await input.press('Enter');
    const row = bob.view.locator('.chat-pane .msg').filter({ hasText: 'click me' }).last();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const body = row.locator('.body');
    // The markup arrives as text, not as elements.
    assert.match((await body.textContent()) ?? '', /<img src=x onerror="document.title=1"> <script>document.title=2<\/script>/);
    assert.equal(await body.locator('img, script, iframe').count(), 0);
    // The javascript: link is not a link at all (markdown-it refuses the URL; it stays text).
    assert.equal(await body.locator('a', { hasText: 'click me' }).count(), 0);
    assert.match((await body.textContent()) ?? '', /\[click me\]\(javascript:alert\(1\)\)/);
    assert.equal(await body.locator('a[href]').count(), 0, 'no element navigates by itself');
    // Formatting and the code reference work.
    assert.equal(((await body.locator('strong').textContent()) ?? '').trim(), 'bold');
    assert.equal(((await body.locator('a.md-ref').textContent()) ?? '').trim(), 'src/app.ts:12');
    console.log(`      checked in ${elapsed(t)}`);
  });
});
