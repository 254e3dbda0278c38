// Mute, follow and snooze (issue 19): in a real VS Code (code-server) with the packaged .vsix and a
// standalone relay, ada is notified by bob (a Parley client in this process, on the same relay)
// while she works in the Explorer. A notification's Mute silences the conversation; the bell in
// its header, pressed with the keyboard, unmutes it; a snooze silences everything and shows in
// the status bar until it is resumed there; a thread she follows by hand notifies her of its
// replies until she mutes it from the notification.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { waitFor } from '../helpers';
import { repoRoot, runCommand, screenshot, startInstance } from './harness';
import { signInMember, type Member } from './member';
import { answerPick, elapsed, eventually, makeScratchDir, stopAtFirstFailure, startRelay, tearDown, Teammate, type RelayProcess } from './parley';

const vsix = path.join(repoRoot(), 'parley.vsix');
/** How long a notification that should not come is waited for, after its message reached ada. */
const QUIET_MS = 4000;

describe('Mute, follow and snooze notifications', function () {
  let relay: RelayProcess | undefined;
  let workspace: string | undefined;
  let ada: Teammate;
  /** bob: a Parley client in this process (member.ts). */
  let bob: Member | undefined;
  let dm: string;

  function toast(text: string): Locator {
    return ada.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  }

  /** ada works in the Explorer: the chat is not on screen, so messages may notify her. */
  async function adaInExplorer(): Promise<void> {
    const explorer = ada.page.locator('.explorer-folders-view, .explorer-viewlet').first();
    // (A click on the Explorer's entry while it shows would close the side bar.)
    if (!(await explorer.isVisible())) await ada.page.locator('.activitybar a[aria-label^="Explorer"]').first().click();
    await explorer.waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** bob sends `text` (in a thread under `thread`); resolves when the relay has stored it. */
  const bobSends = (conv: string, text: string, thread?: number): Promise<number> => bob!.send(conv, text, thread);

  /**
   * While ada works in the Explorer (so a message may notify her), no notification for `silent`,
   * nor a summary of a burst ("2 new messages from …"), shows until `arrived()` says the messages
   * have reached her window, nor for QUIET_MS after.
   */
  async function quietThrough(silent: string, arrived: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 20_000;
    let quietFrom: number | undefined;
    while (quietFrom === undefined || Date.now() - quietFrom < QUIET_MS) {
      assert.equal(await toast(silent).count(), 0, `no notification for "${silent}"`);
      assert.equal(await toast('new messages from').count(), 0, 'no summary of a burst either');
      if (quietFrom === undefined && (await arrived())) quietFrom = Date.now();
      if (Date.now() > deadline) throw new Error(`"${silent}" did not reach ada in 20 s`);
      await ada.page.waitForTimeout(200);
    }
  }

  /** The activity bar's count of unread messages for Parley (0 when no badge shows). */
  async function badgeCount(): Promise<number> {
    const b = await ada.activityBadge();
    return b.shown ? Number(b.text) || 0 : 0;
  }

  before(async function () {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: build it first with \`npm run package\``);
    const t = Date.now();
    workspace = makeScratchDir('parley-e2e-notify-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# notify\n');
    relay = await startRelay();
    ada = await Teammate.open('ada', await startInstance({ name: 'ada', vsix, workspace }), 'dark');
    await ada.openViewFromActivityBar();
    await ada.join(relay.url);
    bob = await signInMember(relay.url, 'bob');
    await ada.personItem('bob').waitFor({ state: 'visible', timeout: 20_000 });
    const adaId = await waitFor(() => bob!.client.members().find((m) => m.name === 'ada')?.id, 'bob knows ada', 10_000);
    dm = (await bob!.client.openDm(adaId)).id;
    console.log(`      relay, ada's window and bob's client in ${elapsed(t)}`);
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

  it("1. a DM's notification offers Mute; once muted the DM notifies of nothing, counts in no badge and shows muted in the list", async function () {
    const t = Date.now();
    await adaInExplorer();
    await bobSends(dm, 'mute 1: are you there?');
    const first = toast('bob: mute 1: are you there?').first();
    await first.waitFor({ state: 'visible', timeout: 20_000 });
    await first.locator('.monaco-button', { hasText: 'Mute bob' }).click();
    await toast('bob muted: it notifies you of nothing').first().waitFor({ state: 'visible', timeout: 10_000 });
    await eventually('the badge leaves the muted DM out', badgeCount, (n) => n === 0);

    // The muted DM, then a mention in #general that does notify: once that shows, the DM has arrived too.
    await bobSends(dm, 'mute 2: quiet please');
    await bobSends(bob!.general(), 'mute control: @ada the build is green');
    await quietThrough('mute 2', () => toast('bob in #general: mute control').first().isVisible());
    await ada.openViewFromActivityBar();
    await ada.showList();
    const item = ada.conversationItem('bob');
    assert.equal(await item.getAttribute('aria-label'), 'bob, muted, 2 unread');
    assert.match((await item.getAttribute('class')) ?? '', /\bmuted-conv\b/);
    assert.equal(await badgeCount(), 1, 'the badge counts the mention in #general, not the muted DM');
    await screenshot(ada.page, 'notify-1-muted-dm-dark');
    console.log(
      `      notified, muted from the notification, then quiet through the next DM (a mention after it notified) and ${QUIET_MS / 1000} s more, in ${elapsed(t)}`,
    );
  });

  it("2. the header's bell, pressed with the keyboard, unmutes the DM; the next DM notifies again", async function () {
    const t = Date.now();
    await ada.openDmWith('bob');
    const bell = ada.view.locator('.chat-header .mute-button');
    assert.equal(await bell.getAttribute('aria-pressed'), 'true', 'the bell shows the DM muted');
    assert.equal(await bell.getAttribute('aria-label'), 'Mute notifications');
    await bell.focus();
    await ada.page.keyboard.press('Enter');
    await eventually(
      'the bell shows the DM unmuted',
      () => bell.getAttribute('aria-pressed'),
      (v) => v === 'false',
    );
    assert.equal(await bell.evaluate((b) => b === document.activeElement), true, 'the focus stays on the bell');
    await eventually(
      'the list shows it unmuted',
      async () => (await ada.conversationItem('bob').getAttribute('class')) ?? '',
      (c) => !c.includes('muted-conv'),
    );
    await adaInExplorer();
    await bobSends(dm, 'mute 3: back again');
    await toast('bob: mute 3: back again').first().waitFor({ state: 'visible', timeout: 20_000 });
    console.log(`      unmuted by keyboard and notified again in ${elapsed(t)}`);
  });

  it('3. a snooze silences DMs and mentions, shows in the status bar, and is resumed from there', async function () {
    const t = Date.now();
    await runCommand(ada.page, 'Parley: Snooze Notifications…', { answersWithPick: true });
    await answerPick(ada.page, 'For 30 minutes');
    const item = ada.page.locator('.statusbar [aria-label^="Parley notifications are snoozed until"]').first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    const end = new Date(Date.now() + 30 * 60_000);
    const label = (await item.getAttribute('aria-label')) ?? '';
    const shown = /until (\d{1,2}):(\d{2})$/.exec(label);
    assert.ok(shown, label);
    const minutes = Number(shown[1]) * 60 + Number(shown[2]);
    const expected = end.getHours() * 60 + end.getMinutes();
    assert.ok(Math.abs(minutes - expected) <= 1 || Math.abs(minutes - expected) >= 24 * 60 - 1, `${label}: about 30 minutes from now`);
    await screenshot(ada.page, 'notify-3-snoozed-dark');

    // ada stays in the Explorer: the badge says when both have reached her window.
    const before = await badgeCount();
    await bobSends(dm, 'snooze 1: still there?');
    await bobSends(bob!.general(), 'snooze 2: @ada have a look');
    await quietThrough('snooze', async () => (await badgeCount()) === before + 2);

    await item.click();
    await answerPick(ada.page, 'Resume notifications now');
    await item.waitFor({ state: 'hidden', timeout: 10_000 });
    await adaInExplorer();
    await bobSends(dm, 'snooze 3: welcome back');
    await toast('bob: snooze 3: welcome back').first().waitFor({ state: 'visible', timeout: 20_000 });
    console.log(`      snoozed, quiet through a DM and a mention, resumed from the status bar, in ${elapsed(t)}`);
  });

  it('4. a thread followed by hand notifies of its replies until it is muted from the notification', async function () {
    const t = Date.now();
    const conv = bob!.general();
    const root = await bobSends(conv, 'follow: the release notes draft is up');
    await ada.openViewFromActivityBar();
    await ada.openConversation('general');
    await ada.openThreadOf(ada.receivedRow('follow: the release notes draft is up'));
    const follow = ada.view.locator('.thread-pane .follow-button');
    assert.equal(await follow.getAttribute('aria-pressed'), 'false', 'a thread ada took no part in is not followed');
    await follow.click();
    await eventually(
      'the thread shows followed',
      () => follow.getAttribute('aria-pressed'),
      (v) => v === 'true',
    );
    await screenshot(ada.page, 'notify-4-following-dark');
    await adaInExplorer();
    await bobSends(conv, 'follow: first reply', root);
    const reply = toast('bob replied in a thread in #general: follow: first reply').first();
    await reply.waitFor({ state: 'visible', timeout: 20_000 });
    await reply.locator('.monaco-button', { hasText: 'Mute Thread' }).click();
    await toast('Thread muted').first().waitFor({ state: 'visible', timeout: 10_000 });

    // The reply, then a DM that does notify: once that shows, the reply has arrived too.
    await bobSends(conv, 'follow: second reply', root);
    await bobSends(dm, 'follow control: lunch?');
    await quietThrough('second reply', () => toast('bob: follow control: lunch?').first().isVisible());
    await ada.openViewFromActivityBar();
    await ada.view.locator('.thread-pane .msg', { hasText: 'follow: second reply' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await follow.getAttribute('aria-pressed'), 'false', 'the thread shows not followed');
    console.log(`      followed, notified of a reply, muted from the notification, quiet after, in ${elapsed(t)}`);
  });
});
