import * as assert from 'node:assert/strict';
import Module from 'node:module';
import type { ConnectionView } from '../../src/protocol/view';

// statusBar.ts imports `vscode`, which exists only in the extension host; describeStatus uses
// none of it, so an empty stand-in is enough to load the module here.
type Load = (request: string, ...rest: unknown[]) => unknown;
const mod = Module as unknown as { _load: Load };
const load = mod._load;
mod._load = function (this: unknown, request: string, ...rest: unknown[]) {
  return request === 'vscode' ? {} : load.call(this, request, ...rest);
};
const { describeStatus, describeSnooze } = require('../../src/host/statusBar') as typeof import('../../src/host/statusBar');
mod._load = load;

const url = 'ws://192.168.1.20:7420';

describe('status bar', () => {
  it('reads naturally to a screen reader: unread count, who I am, which team', () => {
    const s = describeStatus({ state: 'connected', relayUrl: url }, { name: 'alice', team: 'Core team', unread: 3 });
    assert.equal(s.text, '$(comment-discussion) Parley 3');
    assert.equal(s.label, `Parley: 3 unread messages, connected as alice to Core team (${url})`);
    assert.doesNotMatch(s.label, /\$\(|comment-discussion/);
    assert.match(s.tooltip, /^Parley: connected$/m);
    assert.match(s.tooltip, /^You: alice$/m);
    assert.match(s.tooltip, new RegExp(`^Team: Core team \\(${url.replace(/[.]/g, '\\.')}\\)$`, 'm'));
    assert.match(s.tooltip, /^3 unread messages$/im);
    assert.equal(s.error, false);
  });

  it('says one message, no messages, and the relay when the team has no name', () => {
    assert.equal(
      describeStatus({ state: 'connected', relayUrl: url }, { name: 'bob', unread: 1 }).label,
      `Parley: 1 unread message, connected as bob to ${url}`,
    );
    const none = describeStatus({ state: 'connected', relayUrl: url }, { unread: 0 });
    assert.equal(none.text, '$(comment-discussion) Parley');
    assert.equal(none.label, `Parley: no unread messages, connected to ${url}`);
    assert.match(none.tooltip, /^No unread messages$/m);
  });

  it('tells reconnecting, failing and signed out apart', () => {
    const re = describeStatus({ state: 'reconnecting', relayUrl: url, detail: 'retrying in 2 s' }, { name: 'alice', unread: 0 });
    assert.equal(re.text, '$(sync~spin) Parley');
    assert.match(re.label, /^Parley: relay offline, reconnecting as alice to ws:\/\/.*queued$/);
    assert.match(re.tooltip, /retrying in 2 s/);
    const failed = describeStatus({ state: 'failed', relayUrl: url, detail: 'wrong or missing team secret' }, { name: 'alice', unread: 0 });
    assert.equal(failed.error, true);
    assert.equal(failed.label, `Parley: cannot connect as alice to ${url}: wrong or missing team secret`);
    const out = describeStatus({ state: 'signedOut' }, { unread: 0 });
    assert.equal(out.label, 'Parley: not signed in; open the chat to join or host a team');
  });

  it('mentions hosting', () => {
    const hosting: ConnectionView['hosting'] = { addresses: ['ws://10.0.0.2:7420'], online: 2, members: 5, shared: true, secure: false, announced: true };
    const s = describeStatus({ state: 'connected', relayUrl: 'ws://127.0.0.1:7420', hosting }, { name: 'alice', team: 'Core team', unread: 0 });
    assert.equal(s.text, '$(broadcast) Parley');
    assert.match(s.label, /, hosting the relay$/);
    assert.match(s.tooltip, /^Hosting on ws:\/\/10\.0\.0\.2:7420 · 2 online of 5 · announced on the network$/m);
  });

  it('keeps the tooltip a plain string, whatever a relay or teammate calls itself', () => {
    const name = '[click](command:parley.signOut) $(alert) **x**';
    const s = describeStatus({ state: 'connected', relayUrl: url }, { name, team: '<img src=x>', unread: 0 });
    assert.equal(typeof s.tooltip, 'string');
    // Link syntax split, the icon broken by a zero-width space (see plainLabel); the rest as written.
    assert.ok(s.tooltip.includes('You: [click] (command:parley.signOut) $\u200b(alert) **x**'), s.tooltip);
    assert.ok(s.tooltip.includes('Team: <img src=x> (ws://192.168.1.20:7420)'), s.tooltip);
  });

  it('shows a snooze with its end, or with none, in words a screen reader reads', () => {
    const now = new Date(2026, 11, 3, 14, 5);
    const s = describeSnooze(new Date(2026, 11, 3, 15, 5).getTime(), now);
    assert.deepEqual(s, {
      text: '$(bell-slash) 15:05',
      tooltip: 'Parley notifications are snoozed until 15:05. Click to resume or change.',
      label: 'Parley notifications are snoozed until 15:05',
    });
    assert.equal(describeSnooze(Number.MAX_SAFE_INTEGER, now).label, 'Parley notifications are snoozed until you resume them');
  });
});
