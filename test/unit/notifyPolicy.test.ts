import * as assert from 'node:assert/strict';
import { Coalescer, shouldNotify, summarize, threadNotifies, type NotifyCandidate, type NotifyContext } from '../../src/client/notifyPolicy';

const dm: NotifyCandidate = { conv: 'd1', convTitle: 'bob', isDm: true, authorName: 'bob', text: 'ping', mentionsMe: false };
const room: NotifyCandidate = { conv: 'r1', convTitle: '#general', isDm: false, authorName: 'carol', text: 'lunch?', mentionsMe: false };
const ctx: NotifyContext = {
  level: 'mentionsAndDms',
  quietWhileDebugging: true,
  debugging: false,
  windowFocused: false,
  viewVisible: false,
  isNotifierWindow: true,
};

describe('notification policy', () => {
  it('by default notifies for DMs and mentions only', () => {
    assert.equal(shouldNotify(dm, ctx), true);
    assert.equal(shouldNotify(room, ctx), false);
    assert.equal(shouldNotify({ ...room, mentionsMe: true }, ctx), true);
    assert.equal(shouldNotify(room, { ...ctx, level: 'all' }), true);
    assert.equal(shouldNotify(dm, { ...ctx, level: 'none' }), false);
  });

  it("notifies a thread's participants of its replies, saying it is a reply", () => {
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: false }, ctx), false);
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: true }, ctx), true);
    assert.equal(shouldNotify({ ...room, thread: 4, inMyThread: true }, { ...ctx, level: 'none' }), false);
    const s = summarize([{ ...room, thread: 4, inMyThread: true }]);
    assert.equal(s.thread, 4);
    assert.match(s.text, /replied in a thread in #/);
  });

  it('stays quiet while the chat is in view, while debugging, and in non-notifier windows', () => {
    assert.equal(shouldNotify(dm, { ...ctx, windowFocused: true, viewVisible: true }), false);
    assert.equal(shouldNotify(dm, { ...ctx, windowFocused: true, viewVisible: false }), true);
    assert.equal(shouldNotify(dm, { ...ctx, debugging: true }), false);
    assert.equal(shouldNotify(dm, { ...ctx, debugging: true, quietWhileDebugging: false }), true);
    assert.equal(shouldNotify(dm, { ...ctx, isNotifierWindow: false }), false);
  });

  it('coalesces a burst into the first message and one summary', () => {
    const shown: string[] = [];
    let fire: (() => void) | undefined;
    const c = new Coalescer<NotifyCandidate>(
      1000,
      (items) => shown.push(summarize(items).text),
      (fn) => {
        fire = fn;
        return 0 as unknown as ReturnType<typeof setTimeout>;
      },
      () => undefined,
    );
    c.add(dm);
    c.add({ ...dm, text: 'two' });
    c.add({ ...room, mentionsMe: true });
    c.add({ ...dm, text: 'four' });
    assert.deepEqual(shown, ['bob: ping']);
    fire!();
    assert.deepEqual(shown, ['bob: ping', '3 new messages from bob, carol']);
    fire!();
    assert.equal(shown.length, 2, 'quiet after the burst');
    c.add(room);
    assert.equal(shown[2], 'carol in #general: lunch?');
  });
});

describe('notification policy: mute, follow and snooze', () => {
  const reply: NotifyCandidate = { ...room, thread: 4, inMyThread: false };
  it('a snooze silences everything, DMs and mentions too', () => {
    for (const c of [dm, { ...room, mentionsMe: true }, { ...reply, following: true }]) assert.equal(shouldNotify(c, { ...ctx, snoozed: true }), false);
    assert.equal(shouldNotify(dm, { ...ctx, snoozed: false }), true);
  });

  it('a muted conversation notifies of nothing, mentions included, but a thread followed by hand still notifies', () => {
    assert.equal(shouldNotify({ ...dm, muted: true }, ctx), false);
    assert.equal(shouldNotify({ ...room, mentionsMe: true, muted: true }, { ...ctx, level: 'all' }), false);
    assert.equal(shouldNotify({ ...reply, inMyThread: true, muted: true }, ctx), false);
    assert.equal(shouldNotify({ ...reply, muted: true, following: true }, ctx), true);
  });

  it('a thread followed by hand notifies of every reply; one left by hand only of mentions', () => {
    assert.equal(shouldNotify({ ...reply, following: true }, ctx), true);
    assert.equal(shouldNotify({ ...reply, following: true }, { ...ctx, level: 'none' }), false);
    assert.equal(shouldNotify({ ...reply, inMyThread: true, following: false }, ctx), false);
    assert.equal(shouldNotify({ ...reply, inMyThread: true, following: false }, { ...ctx, level: 'all' }), false);
    assert.equal(shouldNotify({ ...reply, inMyThread: true, following: false, mentionsMe: true }, ctx), true);
  });

  it("the thread's bell says what its replies do: all of them at level all or in a DM, none when muted or left", () => {
    assert.equal(threadNotifies({ isDm: false }, 'all'), true);
    assert.equal(threadNotifies({ isDm: true }, 'mentionsAndDms'), true);
    assert.equal(threadNotifies({ isDm: false }, 'mentionsAndDms'), false);
    assert.equal(threadNotifies({ isDm: false, inMyThread: true }, 'mentionsAndDms'), true);
    assert.equal(threadNotifies({ isDm: false, inMyThread: true, muted: true }, 'all'), false);
    assert.equal(threadNotifies({ isDm: false, muted: true, following: true }, 'mentionsAndDms'), true);
    assert.equal(threadNotifies({ isDm: true, following: false }, 'all'), false);
    assert.equal(threadNotifies({ isDm: false, following: true }, 'none'), false);
    // And the notifications agree with the bell, for a reply that does not mention me.
    for (const level of ['all', 'mentionsAndDms'] as const)
      for (const t of [{ isDm: false }, { isDm: true }, { isDm: false, following: false }, { isDm: false, muted: true, following: true }])
        assert.equal(shouldNotify({ ...reply, ...t }, { ...ctx, level }), threadNotifies(t, level), `${level} ${JSON.stringify(t)}`);
  });
});
