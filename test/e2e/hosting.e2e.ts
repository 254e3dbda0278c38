// Hosting from VS Code: alice hosts a team "on this network" (TLS by default) from her window;
// bob finds it under "Teams on this network" without typing an address, joins with the invite
// alice copied, and they chat. A forged invite for the same address with another certificate is
// kept out by the default button. Then an impostor takes the relay's port with another
// certificate, and bob's window refuses it, Enter choosing the safe answer. Last, alice hosts
// without encryption by explicit choice and her view warns while she does. Discovery is bound to loopback in every instance (harness settings), and alice's
// relay listens on 127.0.0.1: no traffic leaves this machine.
// Needs test/e2e/install.sh and `npm run package`.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { formatFingerprint } from '../../src/infra/fingerprint';
import { inviteLink, parseInvite } from '../../src/infra/invite';
import { freePort, repoRoot, runCommand, screenshot, sleep, startInstance } from './harness';
import { answerDialog, elapsed, eventually, makeScratchDir, stopAtFirstFailure, startRelay, tearDown, Teammate, type RelayProcess } from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');

async function pickQuickItem(page: Page, label: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row >> visible=true').filter({ hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

describe('Hosting a team from VS Code, joining by discovery and invite', function () {
  let workspace: string | undefined;
  let impostor: RelayProcess | undefined;
  let alice: Teammate;
  let bob: Teammate;
  let port: number;
  let aliceInvite = '';

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-hosting-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# hosting workspace\n');
    const ws = workspace;
    port = await freePort();
    const [aliceInstance, bobInstance] = await Promise.all([
      // alice shares "on this network", but the test binds her relay to loopback.
      startInstance({
        name: 'alice-host',
        vsix,
        workspace: ws,
        settings: { 'parley.hostAddress': '127.0.0.1', 'parley.hostPort': port, 'parley.teamName': 'Rocket team' },
      }),
      startInstance({ name: 'bob-guest', vsix, workspace: ws }),
    ]);
    [alice, bob] = await Promise.all([Teammate.open('alice', aliceInstance, 'dark'), Teammate.open('bob', bobInstance, 'light')]);
    console.log(`      two instances ready in ${elapsed(t)}; alice will host on port ${port}`);
  });

  stopAtFirstFailure(
    () => [alice, bob],
    () => impostor,
  );

  after(async function () {
    this.timeout(60_000);
    await tearDown(impostor, [workspace]);
  });

  it('1. alice hosts from the welcome screen, shared on the network: TLS without asking for it', async function () {
    const v = await alice.openViewFromActivityBar();
    await v.locator('.host-form input').fill('alice');
    await v.getByRole('button', { name: 'Host on this machine' }).click();
    // The plain "Share on this network" choice, the one a hurried user takes.
    await pickQuickItem(alice.page, /Share on this network\s*encrypted \(TLS/);
    await alice.conversationItem('general').waitFor({ state: 'visible', timeout: 30_000 });
    const line = v.locator('.hosting-line');
    await line.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await line.innerText(), /Hosting .*· 1 online/);
    // The notification says where, with a button to copy the invite.
    const toast = alice.page.locator('.notifications-toasts .notification-toast', { hasText: 'hosting on wss://127.0.0.1:' });
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(alice.page, 'hosting-1-alice-hosts');
  });

  it('2. bob sees the team under "Teams on this network" without typing an address', async function () {
    const v = await bob.openViewFromActivityBar();
    const team = v.locator('.nearby-team', { hasText: 'Rocket team' });
    await team.waitFor({ state: 'visible', timeout: 30_000 });
    await eventually(
      'the listing counts alice online',
      () => team.innerText(),
      (t) => /1 member · 1 online · TLS/.test(t.replace(/\s+/g, ' ')),
    );
    await team.getByRole('button', { name: 'Use' }).click();
    assert.equal(await v.locator('#relay-url').inputValue(), `wss://127.0.0.1:${port}`);
    await screenshot(bob.page, 'hosting-2-bob-discovers');
  });

  it('3. alice copies an invite; bob pastes it, confirms, and they chat', async function () {
    await runCommand(alice.page, 'Parley: Copy Invite');
    await alice.page.locator('.notifications-toasts .notification-toast', { hasText: 'invite copied' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const invite = await alice.page.evaluate<string>('navigator.clipboard.readText()');
    assert.match(invite, /Join "Rocket team" on Parley/);
    assert.match(invite, /:\/\/parley\.parley\/join\?relay=wss%3A%2F%2F127\.0\.0\.1%3A\d+&secret=.+&fp=[0-9a-f]{64}&team=Rocket\+team&sum=[0-9a-f]{16}/);
    aliceInvite = invite;

    const v = bob.view;
    await v.locator('#invite-text').fill(invite);
    await v.getByRole('button', { name: 'Join with invite' }).click();
    const asked = await answerDialog(bob.page, 'Join');
    assert.match(asked, /Join the team "Rocket team"\?/);
    assert.match(asked, /Certificate: [0-9A-F:]{95}/);
    assert.match(asked, /This relay is new to this window: compare the certificate/);
    assert.match(asked, /An invite does not prove who made it/);
    const name = bob.page.locator('.quick-input-widget .quick-input-box input');
    await name.waitFor({ state: 'visible', timeout: 15_000 });
    await name.fill('bob');
    await name.press('Enter');
    await bob.conversationItem('general').waitFor({ state: 'visible', timeout: 30_000 });

    await bob.openConversation('general');
    await bob.send('hi alice, joined by invite');
    await alice.openConversation('general');
    await eventually(
      'alice sees bob’s message',
      () => alice.messageRows(),
      (rows) => rows.some((r) => r.text.includes('joined by invite')),
    );
    await alice.send('welcome bob');
    await eventually(
      'bob sees alice’s reply',
      () => bob.messageRows(),
      (rows) => rows.some((r) => r.text.includes('welcome bob')),
    );
    await eventually(
      'alice’s hosting line counts bob',
      () => alice.view.locator('.hosting-line').innerText(),
      (t) => /2 online/.test(t),
    );
    await screenshot(bob.page, 'hosting-3-bob-joined-by-invite');
  });

  it('3b. alice reloads her window: hosting resumes on the same port and bob is back without doing anything', async function () {
    await alice.reload();
    await alice.openViewByCommand();
    // The view comes back on the screen alice left (the list or the conversation, as the
    // webview's saved state says); the hosting line is on the list.
    await alice.showList();
    await alice.view.locator('.hosting-line').waitFor({ state: 'visible', timeout: 30_000 });
    await eventually(
      'bob reconnected to the resumed relay',
      () => alice.view.locator('.hosting-line').innerText(),
      (t) => /2 online/.test(t),
      30_000,
    );
    await bob.send('still here after your reload');
    await alice.openConversation('general');
    await eventually(
      'alice sees it',
      () => alice.messageRows(),
      (rows) => rows.some((r) => r.text.includes('still here after your reload')),
    );
  });

  it('3c. a forged invite for the same address with another certificate: bob is shown both, Enter keeps what he trusts', async function () {
    const real = parseInvite(aliceInvite);
    if (!real.ok) throw new Error(real.message);
    // Anyone can write a valid invite: the checksum is no signature.
    const forgedFp = 'cd'.repeat(32);
    const forged = inviteLink({ ...real.invite, fingerprint: forgedFp, secret: 'the forger’s secret' });
    await runCommand(bob.page, 'Parley: Join with Invite…');
    const input = bob.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(forged);
    await input.press('Enter');
    await answerDialog(bob.page, 'Join');
    const name = bob.page.locator('.quick-input-widget .quick-input-box input');
    await name.waitFor({ state: 'visible', timeout: 15_000 });
    await name.fill('bob');
    await name.press('Enter');
    const dialog = bob.page.locator('.monaco-dialog-box', { hasText: 'disagrees with what this window already trusts' }).first();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(formatFingerprint(real.invite.fingerprint!)), text);
    assert.ok(text.includes(formatFingerprint(forgedFp)), text);
    assert.match(text, /The team secret differs from the one kept for this address/);
    await screenshot(bob.page, 'hosting-3c-forged-invite');
    // Enter answers with the default button: the safe choice.
    await bob.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    await bob.openConversation('general');
    await bob.send('still on the real relay');
    await alice.openConversation('general');
    await eventually(
      'alice sees it: bob kept the real certificate and secret',
      () => alice.messageRows(),
      (rows) => rows.some((r) => r.text.includes('still on the real relay')),
      30_000,
    );
  });

  it('4. a relay with a swapped certificate on the same address is refused, and bob is told why', async function () {
    await runCommand(alice.page, 'Parley: Stop Hosting');
    await eventually(
      'alice no longer hosts',
      () => alice.view.locator('.hosting-line').count(),
      (n) => n === 0,
    );
    // Bob's window says the relay is gone and keeps what he types.
    const banner = bob.view.locator('.banner');
    await eventually(
      'bob sees the relay offline',
      () => banner.innerText(),
      (t) => /Relay offline — reconnecting/.test(t),
      30_000,
    );
    // An impostor takes the port with a certificate of its own.
    impostor = await startRelay(15_000, ['--port', String(port), '--tls', '--secret', 'impostor secret']);
    const text = await (async () => {
      const dialog = bob.page.locator('.monaco-dialog-box', { hasText: 'has changed' }).first();
      await dialog.waitFor({ state: 'visible', timeout: 60_000 });
      const t = (await dialog.innerText()).replace(/\s+/g, ' ');
      await screenshot(bob.page, 'hosting-4-certificate-changed');
      // The default button (Enter) is the safe one; trusting the new certificate takes a deliberate click.
      // (On Linux the dialog draws its buttons in reverse; the primary one is the one not styled secondary.)
      const primary = await dialog.locator('.monaco-button:not(.secondary)').allInnerTexts();
      assert.deepEqual(primary.map((b) => b.trim()).filter(Boolean), ["Don't Connect"]);
      await bob.page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      return t;
    })();
    assert.match(text, /certificate of wss:\/\/127\.0\.0\.1:\d+ has changed\. Not connected; nothing was sent\./);
    assert.match(text, /Expected: [0-9A-F:]{95} Presented: [0-9A-F:]{95}/);
    // The impostor never saw bob: no connection got past its TLS handshake.
    assert.doesNotMatch(impostor.logs(), /bob/);
    await eventually(
      'bob’s view says why it is not connected',
      () => banner.innerText(),
      (t) => /Cannot connect: the relay's certificate changed: expected/.test(t),
    );
  });

  it('5. alice hosts without encryption only by choosing it, and her view warns while she does', async function () {
    await impostor?.stop();
    impostor = undefined;
    // alice's own window was still set to reconnect to her old address: if it reached the
    // impostor it was warned as bob was (the right thing); answer with the safe default.
    await sleep(1000);
    const warned = alice.page.locator('.monaco-dialog-box', { hasText: 'has changed' }).first();
    if (await warned.isVisible()) {
      await alice.page.keyboard.press('Enter');
      await warned.waitFor({ state: 'hidden', timeout: 10_000 });
    }
    await runCommand(alice.page, 'Parley: Host Team Relay');
    await pickQuickItem(alice.page, 'Share on this network without encryption');
    await alice.showList();
    await eventually(
      'the hosting line says unencrypted',
      () => alice.view.locator('.hosting-line').innerText(),
      (t) => /on this network, unencrypted/.test(t),
      30_000,
    );
    await alice.openConversation('general');
    await eventually(
      'the banner warns',
      () => alice.view.locator('.banner.plain-hosting').innerText(),
      (t) => /without encryption \(ws:\/\/\): anyone on the network can read the team secret/.test(t),
      30_000,
    );
    await screenshot(alice.page, 'hosting-5-plain-warning');
  });
});
