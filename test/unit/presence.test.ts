import * as assert from 'node:assert/strict';
import type { PresenceClock } from '../../src/host/presence';
import { loadWith, StubEmitter, vscodeStub } from './stubVscode';

// Presence from VS Code's window state, with no polling: a test clock stands in for time, the
// stand-in `vscode` for the window's events.
describe('presence from the window state', () => {
  function setup(minutes = 5) {
    const vscode = vscodeStub();
    vscode.settings.awayAfterMinutes = minutes;
    const windowState = new StubEmitter();
    const state = { focused: true, active: true };
    Object.assign(vscode.window, {
      state,
      onDidChangeWindowState: windowState.event,
      onDidChangeTextEditorSelection: new StubEmitter().event,
      onDidChangeActiveTextEditor: new StubEmitter().event,
      onDidChangeActiveTerminal: new StubEmitter().event,
    });
    Object.assign(vscode.workspace, { onDidChangeTextDocument: new StubEmitter().event, onDidChangeConfiguration: new StubEmitter().event });
    const { PresenceTracker } = loadWith<typeof import('../../src/host/presence')>('../../src/host/presence', vscode);
    let now = 1_000_000;
    const timers = new Map<number, { at: number; fn: () => void }>();
    let next = 1;
    const clock: PresenceClock = {
      now: () => now,
      setTimeout: (fn, ms) => (timers.set(next, { at: now + ms, fn }), next++),
      clearTimeout: (h) => void timers.delete(h as number),
    };
    /** Moves the clock on by `ms`, firing the timers that come due. */
    const advance = (ms: number) => {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    };
    const sent: string[] = [];
    const session = { client: { state: 'connected', setPresence: (s: string) => sent.push(s) }, onClientEvent: () => ({ dispose() {} }) };
    const chat = { onDidInteract: new StubEmitter().event };
    const tracker = new PresenceTracker(session as never, chat as never, clock);
    return { state, windowState, advance, sent, tracker, timers };
  }

  it('turns away the configured minutes after the window went idle, and online at the next activity', () => {
    const t = setup(5);
    t.state.active = false; // VS Code: no interaction for a short while
    t.windowState.fire(t.state);
    t.advance(4 * 60_000);
    assert.deepEqual(t.sent, [], 'not away before the 5 minutes');
    t.advance(61_000);
    assert.deepEqual(t.sent, ['away']);
    t.state.active = true;
    t.windowState.fire(t.state);
    assert.deepEqual(t.sent, ['away', 'online']);
  });

  it('stays online while VS Code says the window is in use, with one timer at a time', () => {
    const t = setup(5);
    for (let i = 0; i < 30; i++) {
      t.tracker.touch();
      t.advance(20_000);
    }
    assert.deepEqual(t.sent, []);
    assert.ok(t.timers.size <= 1, `${t.timers.size} timers`);
    // Focused and active all along (the user works in a terminal, which says nothing else): still online.
    t.advance(30 * 60_000);
    assert.deepEqual(t.sent, []);
  });

  it('turns away when the window is left without focus', () => {
    const t = setup(1);
    t.state.focused = false;
    t.state.active = false;
    t.windowState.fire(t.state);
    t.advance(61_000);
    assert.deepEqual(t.sent, ['away']);
  });
});
