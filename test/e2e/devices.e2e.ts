// One person, two machines, in two real VS Code instances (code-server) with the packaged .vsix:
// alice signs in on her laptop; her desktop is refused her name and is offered a device code;
// the laptop makes one (Parley: Add a Device…), the desktop signs in with it, both are alice;
// then the laptop removes the desktop, which is signed out at once and says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, runCommand, screenshot, startInstance } from './harness';
import {
  answerDialog,
  answerInput,
  elapsed,
  eventually,
  makeScratchDir,
  stopAtFirstFailure,
  startRelay,
  tearDown,
  Teammate,
  type RelayProcess,
} from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

describe('One person, two machines: devices', function () {
  let relay: RelayProcess | undefined;
  let workspace: string | undefined;
  let laptop: Teammate;
  let desktop: Teammate;

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-devices-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# devices\n');
    relay = await startRelay();
    const [a, b] = await Promise.all([startInstance({ name: 'alice-laptop', vsix, workspace }), startInstance({ name: 'alice-desktop', vsix, workspace })]);
    [laptop, desktop] = await Promise.all([Teammate.open('alice', a, 'dark'), Teammate.open('alice', b, 'light')]);
    await laptop.openViewFromActivityBar();
    await laptop.join(relay.url);
    console.log(`      relay and two windows of alice's in ${elapsed(t)}`);
  });

  stopAtFirstFailure(
    () => [laptop, desktop],
    () => relay,
  );

  after(async function () {
    this.timeout(60_000);
    await tearDown(relay, [workspace]);
  });

  it('1. the desktop is refused her name and offered a device code; the laptop makes one; the desktop signs in as alice with it', async function () {
    this.timeout(240_000);
    const view = await desktop.openViewFromActivityBar();
    await view.locator('#relay-url').fill(relay!.url);
    await view.locator('#display-name').fill('alice');
    await view.getByRole('button', { name: 'Join team' }).click();
    // The refusal says what to do, in a toast with the way forward.
    const toast = desktop.page.locator('.notification-toast').filter({ hasText: 'sign in with a device code' }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(desktop.page, 'devices-1-name-taken.png');

    await runCommand(laptop.page, 'Parley: Add a Device…');
    const shown = await answerDialog(laptop.page, 'Copy Code');
    const code = /Device code: ([A-Z0-9]{5}-[A-Z0-9]{5})/.exec(shown)?.[1];
    assert.ok(code, `the laptop shows a code: ${shown}`);
    assert.match(shown, /works once/);

    await toast.locator('.monaco-button', { hasText: 'Enter Device Code…' }).click();
    await answerInput(desktop.page, code.toLowerCase());
    await desktop.conversationItem('general').waitFor({ state: 'visible', timeout: 30_000 });
    // The laptop is told a new device signed in as alice.
    await laptop.page
      .locator('.notification-toast')
      .filter({ hasText: 'A new device signed in as you' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(laptop.page, 'devices-1-new-device.png');
    // One member on two machines: a message from the desktop is alice's own on the laptop.
    await desktop.openConversation('general');
    await desktop.send('from the desktop');
    await laptop.openConversation('general');
    const rows = await eventually(
      "the laptop shows the desktop's message",
      () => laptop.messageRows(),
      (ms) => ms.some((m) => m.text.includes('from the desktop')),
    );
    assert.ok(rows.find((m) => m.text.includes('from the desktop'))!.own, 'on the laptop it is her own message');
  });

  it('2. the laptop removes the desktop: the desktop is signed out at once and its view says why', async function () {
    this.timeout(120_000);
    await runCommand(laptop.page, 'Parley: Manage Devices…');
    const widget = laptop.page.locator('.quick-input-widget');
    const rows = widget.locator('.monaco-list-row');
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await rows.count(), 2, 'two devices listed');
    const other = rows.filter({ hasNotText: 'this device' }).first();
    await other.click();
    const asked = await answerDialog(laptop.page, 'Remove Device');
    assert.match(asked, /signed out at once/);
    const banner = desktop.view.getByText(/Cannot connect: this device .* was removed by alice on /);
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(desktop.page, 'devices-2-removed.png');
    // The laptop is still in.
    await laptop.send('still here');
    await eventually(
      'the laptop still posts',
      () => laptop.messageRows(),
      (ms) => ms.some((m) => m.text.includes('still here') && !m.queued && !m.failed),
    );
  });
});
